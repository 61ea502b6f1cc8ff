// Public entry points of the engine (pure Node; never imports vscode).
export * from './api';
export { runBedtime, writeSummary, requireCorpus } from './run';
export { loadReport, renderMarkdown, fourAnswers, ReportError } from './report';
export { resetWarnOnlyBudget, readWarnOnlyBudget } from './warnOnly';
export { resolveSettings, readConfigFile, readEnv, settingsSchema, SettingsError, type DreamSettings } from './settings';
export type { DreamEvent } from './events';
export * from './schemas';

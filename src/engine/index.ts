// The engine's one public face (pure Node; never imports vscode). Code outside src/engine imports
// from here only; the folders behind it:
//   core/    vocabulary, schemas, paths, events, errors, small fs helpers
//   corpus/  scanning .agents/, notes and frontmatter, reading knowledge out of notes
//   stages/  INGEST, REDUCE, MEASURE and what they use (dedupe, retrieval, integrity)
//   commit/  the write guard, staging + commit marker + recovery, the lock, the iteration store
//   run/     a bedtime run: settings, the loop, halts, plateau, deltas, warn-only budget
//   report/  the summary, the four answers, morning packets, reading summaries back
export * from './core/api';
export * from './core/schemas';
export * from './core/status';
export { errorMessage, errnoCode, isNotFound } from './core/errors';
export { abs, rel, latestDir, containedPath } from './core/paths';
export { RUN_ID_RE, isRunId, runIdFor, runIdToDate } from './core/runId';
export { parseDuration } from './core/duration';
export { formatDuration, formatElapsed, signed, metricValue } from './core/format';
export { dreamEventSchema, type DreamEvent } from './core/events';
export { faultsFromEnv, faultsSchema } from './core/faults';
export { clockFromEnv, TEST_NOW_ENV } from './core/clock';
export { archiveLearnings, type ArchiveResult } from './commit/archive';
export { readBeforeImage, packOfBeforeImage } from './commit/beforePack';
export { redact, redactDeep, redactSecrets, SECRET_CATALOGUE } from './core/secrets';
export { readRegularFile, UnsafeReadError } from './core/fsutil';
export { CorpusWriter, WriteGuardError } from './commit/writer';
export { readLock, processAlive, releaseRunLock } from './commit/lock';
export {
  restoreRun,
  planRestore,
  readRestores,
  agentsRelative,
  liveChanges,
  type RestoreResult,
  type RestorePlanEntry,
} from './commit/restore';
export { buildNote, isEditable, parseNote, patchFrontmatter, str } from './corpus/note';
export { Retriever, parseIndex } from './stages/retrieval';
export { scanCorpus } from './corpus/corpus';
export { runBedtime, writeSummary, requireCorpus } from './run/run';
export { scheduledGate, readSkippedNight, skippedLine, type GateOutcome, type SkippedNight } from './run/gate';
export { resetWarnOnlyBudget, readWarnOnlyBudget } from './run/warnOnly';
export {
  resolveSettings,
  loadSettings,
  readConfigFile,
  readEnv,
  defaultSettings,
  settingsSchema,
  SETTING_KEYS,
  JOB_KINDS,
  SCHEDULERS,
  configPath,
  SettingsError,
  type DreamSettings,
} from './run/settings';
export { councilLines } from './report/council';
export { loadReport, renderMarkdown, fourAnswers, ReportError, type LoadedReport } from './report/report';
export { iterationWords, degradedGroups, needsReview, HALT_WORDS, WEATHER_WORDS, type FourAnswers } from './report/answers';
export { groupDegraded, groupLine, type DegradedGroup } from './report/degraded';
export { nightEffect, proposalsOf, metricWords, type NightEffect, type Proposal } from './report/night';
export { focusOf } from './report/markdown';
export type { FocusItem } from './report/focus';
export { parseSummaryText, type ReadSummary } from './report/summaryRead';
export { curatorLines, curatorMarkdown } from './report/curatorSection';
export {
  RunsReader,
  SLIM_CHANGES,
  changeCount,
  readIterationChanges,
  slimSummary,
  summariesHere,
  type SlimSummary,
  type SummarySource,
  readLockOwner,
  runStateOf,
  diffSides,
  safeAgentsPath,
  type RunEntry,
  type LockOwner,
  type DiffSides,
} from './report/runs';
export {
  describeSources,
  extractUserSettings,
  vscodeSettingKeys,
  explicitValue,
  CURATOR_KEYS,
  type Inspector,
  type InspectResult,
  type UserLayer,
  type SettingSource,
  type Origin,
} from './run/settingSources';
export { runLanes, type Lane, type LaneContext, type LaneResult } from './run/lanes';
export { readTonight } from './stages/ingest';

// What every command file shares: the services, the registration helper, argument parsing.
import type * as vscode from 'vscode';
import type { Folders } from '../folders';
import type { Log } from '../log';
import type { RunController } from '../runController';
import type { RunsTreeProvider } from '../runsTree';
import type { DreamStatusBar } from '../statusBar';
import type { InEditorSchedule } from '../inEditorSchedule';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  folders: Folders;
  controller: RunController;
  tree: RunsTreeProvider;
  statusBar: DreamStatusBar;
  /** the in-editor scheduler (re-read after Setup applies) */
  schedule?: InEditorSchedule;
}

export interface StartArgs {
  folder?: string;
  goal?: string;
  resume?: string | null;
  /** settings as command arguments (highest precedence), e.g. {maxIterations: 2} */
  settings?: Record<string, unknown>;
  /** test hook: faults for the engine (engine/faults.ts) */
  faults?: Record<string, unknown>;
}

interface RunRef {
  folder?: string | null;
  runId?: string | null;
  summaryPath?: string | null;
}

export function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** tree nodes, {folder, runId}, {summaryPath}, or a bare run id */
export function runRef(arg: unknown): RunRef {
  if (typeof arg === 'string') return { runId: arg };
  const o = asObject(arg);
  if (!o) return {};
  const run = asObject(o.run);
  return {
    folder: typeof o.folder === 'string' ? o.folder : null,
    runId: typeof o.runId === 'string' ? o.runId : run && typeof run.runId === 'string' ? run.runId : null,
    summaryPath: typeof o.summaryPath === 'string' ? o.summaryPath : null,
  };
}

/** registers a command behind the trust check and the error handler */
export type Register = (id: string, fn: (...args: unknown[]) => unknown) => vscode.Disposable;

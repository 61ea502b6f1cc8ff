// The engine's public surface, for the CLI, the worker, the extension host (types only) and tests.
import type { EventSink } from './events';
import type { Faults } from './faults';
import type { DreamSettings } from '../run/settings';
import type { Summary } from './schemas';
import type { Lane } from '../run/lanes';

export interface BedtimeOptions {
  workspace: string;
  settings: DreamSettings;
  goal?: string;
  /** resume this interrupted run id instead of starting a new one */
  resume?: string | null;
  /** cooperative stop (user stop / SIGINT): the current iteration is rolled back */
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** clock, for tests */
  now?: () => Date;
  faults?: Faults;
  /** work after the loop (council, curator), run in this order; see src/lanes */
  lanes?: readonly Lane[];
  /** false in an untrusted workspace (lanes that spawn processes or call models skip) */
  trusted?: boolean;
}

export interface RunOutcome {
  runId: string;
  status: Summary['status'];
  summary: Summary;
  /** absolute paths of the per-run summary.json / summary.md */
  summaryPath: string;
  reportPath: string;
  /** 0 when the run finished (any halt), 1 when it failed */
  exitCode: number;
}

/** Errors before a run exists (no .agents/, already running, bad settings): message is for the user. */
export class DreamError extends Error {
  constructor(
    message: string,
    readonly code: 'no-corpus' | 'already-running' | 'bad-settings' | 'bad-resume' | 'io' = 'io',
  ) {
    super(message);
    this.name = 'DreamError';
  }
}

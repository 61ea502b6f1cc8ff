// Invoking one council runner exactly as contract §7 lists, and turning what it did into either a
// validated report or a plain-words reason.
import fs from 'node:fs';
import { redactSecrets } from '../../engine';
import { parseClaudeStdout, parseReportText, RunnerReplyError, type CouncilReport, type RunnerName } from './reportSchema';
import { runProcess, type ProcessOutcome, type SpawnFn } from './spawn';

export function codexArgv(o: { workspace: string; schemaFile: string; outFile: string; prompt: string; model?: string }): string[] {
  return [
    'exec',
    '--skip-git-repo-check',
    '-C',
    o.workspace,
    '-s',
    'read-only',
    '--ephemeral',
    '--output-schema',
    o.schemaFile,
    '-o',
    o.outFile,
    ...(o.model ? ['-m', o.model] : []),
    o.prompt,
  ];
}

export function claudeArgv(o: { schemaJson: string; prompt: string; model?: string }): string[] {
  // --tools takes a list: a single-value flag always follows it, so the prompt is never read as a tool
  return [
    '-p',
    '--output-format',
    'json',
    '--json-schema',
    o.schemaJson,
    '--tools',
    'Read,Grep,Glob',
    '--permission-mode',
    'plan',
    '--no-session-persistence',
    ...(o.model ? ['--model', o.model] : []),
    o.prompt,
  ];
}

export interface InvokeOptions {
  runner: RunnerName;
  command: string;
  workspace: string;
  prompt: string;
  schemaFile: string;
  schemaJson: string;
  /** absolute path codex writes its last message to (inside the run's council folder) */
  codexOutFile: string;
  model?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  env: NodeJS.ProcessEnv;
  spawn?: SpawnFn;
  graceMs?: number;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
  onSpawn?: (pid: number) => void;
}

export interface InvokeResult {
  report?: CouncilReport;
  /** why there is no report, in plain words */
  reason?: string;
  outcome: ProcessOutcome;
}

export const LOG_TAIL_CHARS = 4000;

function tail(text: string, max = LOG_TAIL_CHARS): string {
  const t = redactSecrets(text).text.trimEnd();
  return t.length > max ? `…(${t.length - max} earlier characters not logged)\n${t.slice(-max)}` : t;
}

function lastLine(text: string): string {
  const lines = redactSecrets(text)
    .text.split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const l = lines[lines.length - 1] ?? '';
  return l.length > 200 ? `${l.slice(0, 199)}…` : l;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export async function invokeRunner(o: InvokeOptions): Promise<InvokeResult> {
  const argv =
    o.runner === 'codex'
      ? codexArgv({ workspace: o.workspace, schemaFile: o.schemaFile, outFile: o.codexOutFile, prompt: o.prompt, model: o.model })
      : claudeArgv({ schemaJson: o.schemaJson, prompt: o.prompt, model: o.model });
  o.log('info', `council: starting ${o.runner} (${o.command}), timeout ${seconds(o.timeoutMs)}`);
  const outcome = await runProcess(o.command, argv, {
    cwd: o.workspace,
    env: o.env,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    ...(o.spawn ? { spawn: o.spawn } : {}),
    ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}),
    ...(o.onSpawn ? { onSpawn: o.onSpawn } : {}),
  });
  o.log(
    'info',
    `council: ${o.runner} ended after ${seconds(outcome.durationMs)} (exit ${outcome.exitCode ?? 'none'}${outcome.signal ? `, ${outcome.signal}` : ''})`,
  );
  if (outcome.stdout.trim()) o.log('debug', `council: ${o.runner} stdout:\n${tail(outcome.stdout)}`);
  if (outcome.stderr.trim()) o.log('debug', `council: ${o.runner} stderr:\n${tail(outcome.stderr)}`);
  const fail = (reason: string): InvokeResult => ({ reason, outcome });
  if (outcome.cancelled) return fail(`${o.runner} was cancelled (the run was stopped)`);
  if (outcome.timedOut) return fail(`${o.runner} timed out after ${seconds(o.timeoutMs)}`);
  if (outcome.error) return fail(`${o.runner} could not run: ${redactSecrets(outcome.error).text.split('\n')[0]}`);
  try {
    if (o.runner === 'claude') {
      try {
        return { report: parseClaudeStdout(outcome.stdout), outcome };
      } catch (e) {
        // an exit code with no envelope on stdout: say what the process said
        if (outcome.exitCode !== 0 && !outcome.stdout.trim())
          return fail(
            `claude exited with code ${outcome.exitCode ?? 'none'}${lastLine(outcome.stderr) ? `: ${lastLine(outcome.stderr)}` : ''}`,
          );
        throw e;
      }
    }
    if (outcome.exitCode !== 0)
      return fail(`codex exited with code ${outcome.exitCode ?? 'none'}${lastLine(outcome.stderr) ? `: ${lastLine(outcome.stderr)}` : ''}`);
    let text = '';
    try {
      text = fs.readFileSync(o.codexOutFile, 'utf8');
    } catch {
      return fail('codex output was empty (it wrote no last message)');
    }
    return { report: parseReportText(text, 'codex'), outcome };
  } catch (e) {
    if (e instanceof RunnerReplyError) return fail(e.message);
    throw e;
  }
}

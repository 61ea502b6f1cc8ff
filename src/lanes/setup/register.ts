// Registering a schedule with the OS, only after an explicit yes: the plan's commands, run with
// execa (argument arrays, no shell). crontab is read first and written back with Dream's line put in
// or taken out, every other line kept.
import { execa } from 'execa';
import { withCronLine } from './schedulers/cron';
import type { OsCommand } from './schedulers';
import type { SetupPlan } from './plan';

export interface CommandResult {
  command: string;
  ok: boolean;
  output: string;
}

export interface RegisterOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

async function exec(c: OsCommand, o: RegisterOptions): Promise<CommandResult> {
  try {
    const r = await execa(c.argv[0]!, c.argv.slice(1), {
      input: c.stdin,
      stdin: c.stdin === undefined ? 'ignore' : undefined,
      timeout: o.timeoutMs ?? 30_000,
      env: o.env,
      all: true,
    });
    return { command: c.display, ok: true, output: String(r.all ?? '').trim() };
  } catch (e) {
    const err = e as { all?: string; shortMessage?: string; message: string };
    return { command: c.display, ok: false, output: (err.all?.trim() || err.shortMessage || err.message).split('\n')[0]! };
  }
}

async function currentCrontab(o: RegisterOptions): Promise<string> {
  try {
    return (await execa('crontab', ['-l'], { timeout: o.timeoutMs ?? 30_000, env: o.env, stdin: 'ignore' })).stdout + '\n';
  } catch (e) {
    const err = e as { stderr?: string; exitCode?: number };
    if (err.exitCode === 1 && /no crontab/i.test(err.stderr ?? '')) return '';
    throw new Error(`crontab -l failed: ${(err.stderr ?? String(e)).trim().split('\n')[0]}`);
  }
}

/** Runs the plan's register (or remove) commands in order; stops at the first failure. */
export async function runRegistration(plan: SetupPlan, which: 'register' | 'remove', o: RegisterOptions = {}): Promise<CommandResult[]> {
  const cmds = which === 'register' ? plan.register : plan.remove;
  const results: CommandResult[] = [];
  for (const c of cmds) {
    let cmd = c;
    if (c.argv[0] === 'crontab') {
      const cronFile = plan.files.find((f) => f.rel.endsWith('.cron'));
      const line = which === 'register' ? (cronFile?.content.trim() ?? null) : null;
      let current: string;
      try {
        current = await currentCrontab(o);
      } catch (e) {
        results.push({ command: 'crontab -l', ok: false, output: (e as Error).message });
        break;
      }
      cmd = { ...c, stdin: withCronLine(current, line, plan.id) };
    }
    const r = await exec(cmd, o);
    results.push(r);
    if (!r.ok) break;
  }
  return results;
}

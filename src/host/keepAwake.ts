// Keep-awake (contract §8.3): a child process that holds off idle sleep while the run lasts.
// - macOS: `caffeinate -i -w <pid> -t <s>` (ends with the run's process by itself)
// - Linux: `systemd-inhibit --what=idle:sleep --who=Dream --why=... sh -c <watch the run's pid>`
// - Windows: a PowerShell child holding SetThreadExecutionState while the run's process lives
// Every holder watches the run's pid and has a safety timeout, so a crashed run never leaves one
// behind; stop() ends it (its whole process group) at the end of the run. Never faked: when no
// helper works the run goes on and the note says so in plain words.
import { spawn, type ChildProcess } from 'node:child_process';
import { which as onPath } from './which';

export interface KeepAwake {
  /** 'disabled', 'unavailable', or the helper that holds the machine awake */
  mode: string;
  /** set when keep-awake was asked for and could not be had: one plain sentence */
  note?: string;
  /** the holder's pid while it runs */
  pid?: number;
  stop(): void;
}

export interface KeepAwakeOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** the process to watch (default: this one) */
  pid?: number;
  /** how long to wait for the helper to fail at once */
  settleMs?: number;
}

/** the holder's command for this OS, or the reason there is none */
export function keepAwakeCommand(
  platform: NodeJS.Platform,
  pid: number,
  seconds: number,
  env: NodeJS.ProcessEnv,
): { cmd: string; args: string[] } | { missing: string } {
  if (platform === 'darwin') {
    if (!onPath('caffeinate', env)) return { missing: 'caffeinate is not available' };
    return { cmd: 'caffeinate', args: ['-i', '-w', String(pid), '-t', String(seconds)] };
  }
  if (platform === 'linux') {
    if (!onPath('systemd-inhibit', env)) return { missing: 'systemd-inhibit is not available' };
    // the inhibitor lasts as long as its command: a shell that ends when the run's process is gone
    // (checked every 2 s) or after the safety timeout
    const watch = 'end=$(( $(date +%s) + $2 )); while kill -0 "$1" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 2; done';
    return {
      cmd: 'systemd-inhibit',
      args: [
        '--what=idle:sleep',
        '--who=Dream',
        '--why=Dream bedtime run in progress',
        '--mode=block',
        'sh',
        '-c',
        watch,
        'dream-keep-awake',
        String(pid),
        String(seconds),
      ],
    };
  }
  if (platform === 'win32') {
    if (!onPath('powershell', env)) return { missing: 'PowerShell is not available' };
    const script = [
      `$s='[DllImport("kernel32.dll")] public static extern uint SetThreadExecutionState(uint f);'`,
      `$t=Add-Type -MemberDefinition $s -Name K -Namespace DreamKeepAwake -PassThru`,
      `$null=$t::SetThreadExecutionState(0x80000001)`,
      `$end=(Get-Date).AddSeconds(${seconds})`,
      `while ((Get-Process -Id ${pid} -ErrorAction SilentlyContinue) -and ((Get-Date) -lt $end)) { Start-Sleep -Seconds 2 }`,
    ].join(';');
    return { cmd: 'powershell', args: ['-NoProfile', '-NonInteractive', '-Command', script] };
  }
  return { missing: `Dream cannot keep a ${platform} machine awake` };
}

export async function startKeepAwake(enabled: boolean, timeoutMs: number, o: KeepAwakeOptions = {}): Promise<KeepAwake> {
  if (!enabled) return { mode: 'disabled', stop() {} };
  const platform = o.platform ?? process.platform;
  const env = o.env ?? process.env;
  const seconds = Math.ceil(timeoutMs / 1000) + 300; // safety timeout: the holder ends by itself
  const c = keepAwakeCommand(platform, o.pid ?? process.pid, seconds, env);
  if ('missing' in c) return unavailable(c.missing);
  let child: ChildProcess;
  try {
    // its own process group (POSIX): stop() ends the helper and the command it holds the lock for
    child = spawn(c.cmd, c.args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true, detached: platform !== 'win32', env });
  } catch (e) {
    return unavailable(`${c.cmd} could not start (${(e as Error).message})`);
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()).length > 4000 && (stderr = stderr.slice(-4000)));
  const early = await new Promise<string | null>((resolve) => {
    const t = setTimeout(() => resolve(null), o.settleMs ?? 400);
    child.once('error', (e) => (clearTimeout(t), resolve(`${c.cmd} could not start (${e.message})`)));
    child.once('exit', (code) => {
      clearTimeout(t);
      const why = stderr.trim().split('\n')[0];
      resolve(`${c.cmd} stopped at once (${why || `exit code ${code}`})`);
    });
  });
  if (early) return unavailable(early);
  child.stderr?.removeAllListeners('data');
  child.stderr?.destroy();
  child.unref();
  return {
    mode: c.cmd,
    pid: child.pid,
    stop() {
      try {
        if (platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGTERM');
        else child.kill();
      } catch {
        /* already gone */
      }
    },
  };
}

function unavailable(why: string): KeepAwake {
  return { mode: 'unavailable', note: `could not keep the machine awake: ${why}`, stop() {} };
}

// Keep-awake helper: a child process that holds off idle sleep while the run lasts, stopped at the
// end, with a safety timeout. Never faked: when no helper exists the run goes on and says so.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { which as onPath } from './which';

export interface KeepAwake {
  mode: string;
  note?: string;
  stop(): void;
}

export async function startKeepAwake(enabled: boolean, timeoutMs: number): Promise<KeepAwake> {
  if (!enabled) return { mode: 'disabled', stop() {} };
  const seconds = Math.ceil(timeoutMs / 1000) + 300; // safety timeout: the helper ends by itself
  let cmd: string;
  let args: string[];
  if (process.platform === 'darwin') {
    if (!onPath('caffeinate'))
      return unavailable('missing-caffeinate', 'keep-awake requested but caffeinate was not found; the Mac may sleep during the run');
    cmd = 'caffeinate';
    args = ['-i', '-w', String(process.pid), '-t', String(seconds)];
  } else if (process.platform === 'linux') {
    if (!onPath('systemd-inhibit'))
      return unavailable('unsupported', 'keep-awake requested but systemd-inhibit was not found; this machine may sleep during the run');
    cmd = 'systemd-inhibit';
    args = ['--what=idle:sleep', '--who=Dream', '--why=Dream bedtime run in progress', '--mode=block', 'sleep', String(seconds)];
  } else if (process.platform === 'win32') {
    if (!onPath('powershell')) return unavailable('unsupported', 'keep-awake requested but PowerShell was not found');
    cmd = 'powershell';
    const script = `$s='[DllImport("kernel32.dll")] public static extern uint SetThreadExecutionState(uint f);';$t=Add-Type -MemberDefinition $s -Name K -Namespace D -PassThru;$null=$t::SetThreadExecutionState(0x80000001);Start-Sleep -Seconds ${seconds}`;
    args = ['-NoProfile', '-NonInteractive', '-Command', script];
  } else {
    return unavailable('unsupported', `keep-awake is not supported on ${process.platform}`);
  }
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: 'ignore', windowsHide: true });
  } catch (e) {
    return unavailable('error', `keep-awake helper ${cmd} could not start: ${(e as Error).message}`);
  }
  const early = await new Promise<string | null>((resolve) => {
    const t = setTimeout(() => resolve(null), 400);
    child.once('error', (e) => (clearTimeout(t), resolve(`keep-awake helper ${cmd} failed: ${e.message}`)));
    child.once(
      'exit',
      (code) => (clearTimeout(t), resolve(`keep-awake helper ${cmd} exited at once (code ${code}); the machine may sleep during the run`)),
    );
  });
  if (early) return unavailable('error', early);
  child.unref();
  return {
    mode: path.basename(cmd),
    stop() {
      try {
        child.kill();
      } catch {
        /* already gone */
      }
    },
  };
}

function unavailable(mode: string, note: string): KeepAwake {
  return { mode, note, stop() {} };
}

// Does this machine run on a battery? (a laptop: a sleeping machine does not run at bedtime)
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

export interface BatteryProbe {
  hasBattery: boolean;
  /** how we know, in plain words */
  source: string;
}

export interface BatteryOptions {
  platform: NodeJS.Platform;
  /** Linux: the power-supply class folder (tests pass a fake one) */
  powerSupplyDir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function probeBattery(o: BatteryOptions): Promise<BatteryProbe> {
  if (o.platform === 'linux') return linuxBattery(o.powerSupplyDir ?? '/sys/class/power_supply');
  if (o.platform === 'darwin') {
    const out = await runBounded('pmset', ['-g', 'batt'], o);
    if (out === null) return { hasBattery: false, source: 'pmset did not answer' };
    return { hasBattery: /InternalBattery|Battery Power/.test(out), source: 'pmset -g batt' };
  }
  if (o.platform === 'win32') {
    const out = await runBounded(
      'powershell',
      ['-NoProfile', '-NonInteractive', '-Command', '(Get-CimInstance Win32_Battery | Measure-Object).Count'],
      o,
    );
    if (out === null) return { hasBattery: false, source: 'Win32_Battery did not answer' };
    return { hasBattery: Number(out.trim()) > 0, source: 'Win32_Battery' };
  }
  return { hasBattery: false, source: `not checked on ${o.platform}` };
}

function linuxBattery(dir: string): BatteryProbe {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return { hasBattery: false, source: `${dir} is not readable` };
  }
  for (const e of entries) {
    let type = '';
    try {
      type = fs.readFileSync(path.join(dir, e, 'type'), 'utf8').trim();
    } catch {
      /* no type file */
    }
    if (type === 'Battery' || (!type && /^BAT/i.test(e))) return { hasBattery: true, source: `${path.join(dir, e)}` };
  }
  return { hasBattery: false, source: `no battery in ${dir}` };
}

/** Runs a short probe command; null when it is missing, fails or outlives the timeout. */
export async function runBounded(
  cmd: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal },
): Promise<string | null> {
  try {
    const r = await execa(cmd, args, {
      timeout: o.timeoutMs,
      cancelSignal: o.signal,
      env: o.env,
      extendEnv: !o.env,
      reject: true,
      stdin: 'ignore',
    });
    return r.stdout;
  } catch {
    return null;
  }
}

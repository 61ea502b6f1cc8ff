// The host profile (contract §8.1): what this machine can do for a bedtime run. Every probe is
// bounded by a short timeout and follows one cancel signal; nothing here writes anything.
import { startKeepAwake } from '../../host/keepAwake';
import { which } from '../../host/which';
import { defaultSettings, type DreamSettings } from '../../engine';
import { resolveCurator, SETUP_PROBE_MS } from '../curator';
import { probeBattery } from './battery';
import { detectRunners, type RunnerInfo } from './runners';
import type { SchedulerMode } from './schedulers/types';

export interface SchedulerOption {
  mode: SchedulerMode;
  available: boolean;
  recommended: boolean;
  note: string;
}

export interface HostProfile {
  os: NodeJS.Platform;
  device_class: 'laptop' | 'desktop-or-unknown';
  has_battery: boolean;
  battery_source: string;
  runners: RunnerInfo[];
  ollama: OllamaView;
  schedulers: SchedulerOption[];
  keep_awake: { supported: boolean; helper: string | null; note: string };
}

export interface OllamaView {
  url: string;
  reachable: boolean;
  version: string | null;
  models: string[];
  /** the curator's model (configured, else the first installed Gemma) and whether it is installed */
  model: string;
  model_installed: boolean;
  error: string | null;
}

export interface HostProbeOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  powerSupplyDir?: string;
  /** the curator settings: its Ollama URL (else 127.0.0.1:11434 then :11435) and model */
  localCurator?: DreamSettings['localCurator'];
  /** per probe (default: the curator's setup probe, 400 ms) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const KEEP_AWAKE_HELPERS: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'caffeinate',
  linux: 'systemd-inhibit',
  win32: 'powershell',
};

export async function detectHostProfile(o: HostProbeOptions = {}): Promise<HostProfile> {
  const platform = o.platform ?? process.platform;
  const env = o.env ?? process.env;
  const timeoutMs = o.timeoutMs ?? SETUP_PROBE_MS;
  const helper = KEEP_AWAKE_HELPERS[platform] ?? null;
  const helperPath = helper ? which(helper, env) : null;
  const [battery, ollama, awake] = await Promise.all([
    probeBattery({ platform, powerSupplyDir: o.powerSupplyDir, env: o.env, timeoutMs, signal: o.signal }),
    probeOllama(o.localCurator ?? defaultSettings().localCurator, timeoutMs, o.signal),
    // try the helper as a run would (briefly, then stop it): a helper that fails at once (no D-Bus, no
    // logind) is reported with the same reason a run would give; only on this machine's own OS
    helperPath && platform === process.platform
      ? startKeepAwake(true, 1000, { platform, env, settleMs: Math.min(timeoutMs, 400) }).then((k) => (k.stop(), k))
      : null,
  ]);
  return {
    os: platform,
    device_class: battery.hasBattery ? 'laptop' : 'desktop-or-unknown',
    has_battery: battery.hasBattery,
    battery_source: battery.source,
    runners: detectRunners(env),
    ollama,
    schedulers: schedulerOptions(platform, env, battery.hasBattery),
    keep_awake: {
      supported: !!helperPath && awake?.mode !== 'unavailable',
      helper,
      note: !helper
        ? `Dream cannot keep a ${platform} machine awake`
        : !helperPath
          ? `${helper} is not available, so the machine may sleep during a run`
          : awake?.note
            ? `${awake.note}, so the machine may sleep during a run`
            : `${helper} holds off sleep while a run lasts`,
    },
  };
}

/** Ollama through the curator's own resolution (issue 10), bounded and cancellable. */
async function probeOllama(lc: DreamSettings['localCurator'], timeoutMs: number, signal?: AbortSignal): Promise<OllamaView> {
  const r = await resolveCurator(lc, { timeoutMs, signal });
  const p = r.probe;
  return {
    url: r.url,
    reachable: !!p?.reachable,
    version: p?.version ?? null,
    models: p?.models ?? [],
    model: r.model,
    model_installed: r.modelInstalled,
    error: signal?.aborted ? 'cancelled' : p?.reachable ? null : (p?.error ?? 'not probed'),
  };
}

/** Which schedulers this OS offers and which one fits (upstream §6.1; in-editor everywhere). */
export function schedulerOptions(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, laptop: boolean): SchedulerOption[] {
  const opt = (mode: SchedulerMode, available: boolean, note: string): SchedulerOption => ({ mode, available, recommended: false, note });
  const systemd = platform === 'linux' && !!which('systemctl', env);
  const cron = platform !== 'win32' && !!which('crontab', env);
  const list: SchedulerOption[] = [
    opt('in-editor', true, 'starts the run while a VS Code window is open'),
    opt(
      'systemd',
      systemd,
      platform !== 'linux'
        ? 'Linux only'
        : systemd
          ? 'a user timer; runs missed nights at next boot (Persistent=true)'
          : 'systemctl is not on PATH',
    ),
    opt('cron', cron, platform === 'win32' ? 'not on Windows' : cron ? 'one crontab line' : 'crontab is not on PATH'),
    opt('launchd', platform === 'darwin', platform === 'darwin' ? 'a user LaunchAgent (StartCalendarInterval)' : 'macOS only'),
    opt('task-scheduler', platform === 'win32', platform === 'win32' ? 'a Task Scheduler task (starts when available)' : 'Windows only'),
    opt('manual', true, 'no schedule: start runs yourself'),
  ];
  const pick: SchedulerMode = laptop
    ? 'manual'
    : platform === 'darwin'
      ? 'launchd'
      : platform === 'win32'
        ? 'task-scheduler'
        : systemd
          ? 'systemd'
          : cron
            ? 'cron'
            : 'manual';
  for (const s of list) s.recommended = s.mode === pick;
  return list;
}

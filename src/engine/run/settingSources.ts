// Where each setting comes from. The editor's "set by the user" layer is read through an inspector
// (vscode's `inspect`, passed in: no vscode import): only values the user set explicitly
// (workspace folder > workspace > user), never the contributed defaults, so that
// .agents/dream/config.yaml still applies to every key the user left alone.
import { defaultSettings, SETTING_KEYS, type DreamSettings } from './settings';

export interface InspectResult<T = unknown> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
  defaultValue?: T;
}
/** `(key) => vscode.workspace.getConfiguration('dream', folder).inspect(key)` */
export type Inspector = (key: string) => InspectResult | undefined;

export const CURATOR_KEYS = ['enabled', 'ollamaUrl', 'model', 'hourlyCap', 'allowedJobKinds'] as const;

/** every key as VS Code knows it, relative to the `dream` section */
export function vscodeSettingKeys(): string[] {
  return [...SETTING_KEYS.filter((k) => k !== 'localCurator'), ...CURATOR_KEYS.map((k) => `localCurator.${k}`)];
}

export type Origin = 'workspaceFolder' | 'workspace' | 'user';

export function explicitValue(r: InspectResult | undefined): { value: unknown; origin: Origin } | undefined {
  if (!r) return undefined;
  if (r.workspaceFolderValue !== undefined) return { value: r.workspaceFolderValue, origin: 'workspaceFolder' };
  if (r.workspaceValue !== undefined) return { value: r.workspaceValue, origin: 'workspace' };
  if (r.globalValue !== undefined) return { value: r.globalValue, origin: 'user' };
  return undefined;
}

export interface UserLayer {
  /** a partial settings object for resolveSettings({ user }) */
  values: Record<string, unknown>;
  /** dotted key → where it was set */
  origins: Record<string, Origin>;
}

export function extractUserSettings(inspect: Inspector): UserLayer {
  const values: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  for (const key of vscodeSettingKeys()) {
    const v = explicitValue(inspect(key));
    if (!v) continue;
    origins[key] = v.origin;
    if (key.startsWith('localCurator.')) {
      const sub = key.slice('localCurator.'.length);
      const lc = (values.localCurator ??= {}) as Record<string, unknown>;
      lc[sub] = v.value;
    } else values[key] = v.value;
  }
  return { values, origins };
}

export interface SettingSource {
  key: string;
  value: unknown;
  source: string;
}

function get(obj: Record<string, unknown> | undefined, dotted: string): unknown {
  if (!obj) return undefined;
  const [a, b] = dotted.split('.');
  const v = obj[a!];
  if (b === undefined) return v;
  return v && typeof v === 'object' ? (v as Record<string, unknown>)[b] : undefined;
}

const ORIGIN_LABEL: Record<Origin, string> = {
  workspaceFolder: 'VS Code settings (folder)',
  workspace: 'VS Code settings (workspace)',
  user: 'VS Code settings (user)',
};

/** Where each effective value comes from: arguments > VS Code settings > config.yaml > default. */
export function describeSources(
  layers: { args?: Record<string, unknown>; user: UserLayer; config?: Record<string, unknown> },
  effective: DreamSettings = defaultSettings(),
): SettingSource[] {
  return vscodeSettingKeys().map((key) => {
    let source = 'default';
    if (get(layers.args, key) !== undefined) source = 'command arguments';
    else if (layers.user.origins[key]) source = ORIGIN_LABEL[layers.user.origins[key]!];
    else if (get(layers.config, key) !== undefined) source = '.agents/dream/config.yaml';
    return { key, value: get(effective as unknown as Record<string, unknown>, key), source };
  });
}

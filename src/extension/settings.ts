// Settings on the host: the user layer from VS Code (only explicitly set values), and the effective
// settings (for commands that run on the host, e.g. the curator's allowed kinds).
import * as vscode from 'vscode';
import { describeSources, extractUserSettings, loadSettings, type DreamSettings, type SettingSource, type UserLayer } from '../engine';

export function userLayer(folder: string): UserLayer {
  const cfg = vscode.workspace.getConfiguration('dream', vscode.Uri.file(folder));
  return extractUserSettings((key) => cfg.inspect(key));
}

export interface Effective {
  settings: DreamSettings;
  user: UserLayer;
  config: Record<string, unknown>;
  sources: SettingSource[];
}

/** throws SettingsError (with the key and where it came from) on a bad value */
export function effectiveSettings(folder: string, args: Record<string, unknown> = {}): Effective {
  const user = userLayer(folder);
  const { settings, config } = loadSettings(folder, { user: user.values, userLabel: 'VS Code settings', args });
  return { settings, user, config, sources: describeSources({ args, user, config }, settings) };
}

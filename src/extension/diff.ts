// Opens VS Code's diff editor on a change: its before-image (or an empty document for an added
// file) against the file as it is now (moved_to for archived/superseded notes).
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { diffSides, readBeforeImage, type Change } from '../engine';

export const EMPTY_SCHEME = 'dream-empty';

export class EmptyDocumentProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(): string {
    return '';
  }
}

/** before-images live in their iteration's pack (engine commit/beforePack.ts): read-only documents */
export const BEFORE_SCHEME = 'dream-before';

/**
 * A before-image's text, or null when it is missing. The last one read is kept: the diff looks for
 * it before it opens, and the document provider asks for it a moment later (a before-image never
 * changes once written).
 */
let lastBefore: { key: string; text: string | null } | null = null;
function beforeText(folder: string, before: string): string | null {
  const key = `${folder}\0${before}`;
  if (lastBefore?.key !== key) {
    let text: string | null;
    try {
      text = readBeforeImage(folder, before)?.toString('utf8') ?? null;
    } catch {
      text = null;
    }
    lastBefore = { key, text };
  }
  return lastBefore.text;
}

export class BeforeImageProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const q = new URLSearchParams(uri.query);
    const folder = q.get('folder');
    const before = q.get('before');
    return folder && before ? (beforeText(folder, before) ?? '') : '';
  }
}

function beforeUri(folder: string, before: string, label: string): vscode.Uri {
  return vscode.Uri.from({ scheme: BEFORE_SCHEME, path: `/${label}`, query: new URLSearchParams({ folder, before }).toString() });
}

function emptyUri(label: string, why: string): vscode.Uri {
  return vscode.Uri.from({ scheme: EMPTY_SCHEME, path: `/${label}`, query: why });
}

export interface ChangeRef {
  folder: string;
  runId: string;
  iteration: number;
  change: Pick<Change, 'path' | 'kind' | 'before' | 'moved_to' | 'reason'>;
}

/** the changes whose diff was opened, by the file shown on the right (the editor title's Restore uses it) */
const opened = new Map<string, ChangeRef>();
export const CHANGE_DIFF_CONTEXT = 'dream.changeDiffPaths';

export function changeRefForUri(uri: vscode.Uri): ChangeRef | null {
  return uri.scheme === 'file' ? (opened.get(uri.fsPath) ?? null) : null;
}

export async function openChangeDiff(ref: ChangeRef): Promise<boolean> {
  const sides = diffSides(ref.folder, ref.change);
  if (!sides) {
    void vscode.window.showWarningMessage(`Dream: refusing to open ${ref.change.path}: the path is not inside .agents/`);
    return false;
  }
  const exists = (p: string) => {
    try {
      return fs.lstatSync(p).isFile();
    } catch {
      return false;
    }
  };
  const name = path.basename(sides.current);
  const before = ref.change.before;
  const left =
    sides.before && exists(sides.before)
      ? vscode.Uri.file(sides.before)
      : before && beforeText(ref.folder, before) !== null
        ? beforeUri(ref.folder, before, `${name} (before)`)
        : emptyUri(`${name} (${sides.before ? 'before-image missing' : 'new file'})`, 'before');
  const right = exists(sides.current) ? vscode.Uri.file(sides.current) : emptyUri(`${name} (no longer exists)`, 'now');
  const title = `${name}: before ↔ now (${ref.change.kind}, iteration ${ref.iteration} of ${ref.runId})`;
  if (right.scheme === 'file') {
    opened.set(right.fsPath, ref);
    await vscode.commands.executeCommand('setContext', CHANGE_DIFF_CONTEXT, [...opened.keys()]);
  }
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  return true;
}

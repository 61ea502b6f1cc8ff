// Which workspace folder Dream works on (no vscode import): the one that holds `.agents/`.
import fs from 'node:fs';
import path from 'node:path';
import { containedPath } from '../../engine';

/** true when <folder>/.agents is a real folder (a symlinked .agents is not a corpus Dream touches) */
export async function hasCorpus(folder: string): Promise<boolean> {
  try {
    const st = await fs.promises.lstat(path.join(folder, '.agents'));
    return st.isDirectory();
  } catch {
    return false;
  }
}

export async function corpusFolders(folders: string[]): Promise<string[]> {
  const flags = await Promise.all(folders.map(hasCorpus));
  return folders.filter((_, i) => flags[i]);
}

/** Resolves a path a report or packet names (workspace-relative or absolute) inside the folder, or null. */
export function insideFolder(folder: string, p: string): string | null {
  return containedPath(folder, p);
}

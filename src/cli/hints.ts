// Commands printed for the user to copy: they must work when pasted into a shell.
import path from 'node:path';
import { shQuote } from '../host/quote';

/** `dream report` for this workspace, with --workspace only when it is not the current folder */
export function reportHint(workspace: string, cwd: string): string {
  return path.resolve(cwd) === path.resolve(workspace) ? 'dream report' : `dream report --workspace ${shQuote(workspace)}`;
}

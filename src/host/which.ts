// One PATH lookup for keep-awake, setup's host profile and the council's runners (pure Node).
import fs from 'node:fs';
import path from 'node:path';

/** The absolute path of `cmd` on PATH (PATHEXT on Windows), or null. Never runs anything. */
export function which(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext);
      try {
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

// The real corpora of ../shared/corpora/real (see its SOURCES.md), read in place: tests and the eval
// copy a corpus into a temp folder before a night touches it.
import fs from 'node:fs';
import path from 'node:path';

export const REAL = path.resolve(process.cwd(), '..', 'shared', 'corpora', 'real');

/** each corpus folder and the date of its snapshot (SOURCES.md, else the newest dated file name) */
export function realCorpora(): { name: string; dir: string; snapshot: string }[] {
  if (!fs.existsSync(REAL)) return [];
  const sources = fs.readFileSync(path.join(REAL, 'SOURCES.md'), 'utf8');
  return fs
    .readdirSync(REAL, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(REAL, e.name, '.agents')))
    .map((e) => {
      const sec = sources.split(/^## /m).find((s) => s.startsWith(e.name + '\n'));
      let day = sec && /snapshot commit: `[0-9a-f]+` \((\d{4}-\d{2}-\d{2})\)/.exec(sec)?.[1];
      if (!day) {
        const dates = (fs.readdirSync(path.join(REAL, e.name, '.agents'), { recursive: true }) as string[])
          .map((f) => /(\d{4}-\d{2}-\d{2})/.exec(path.basename(String(f)))?.[1])
          .filter((d): d is string => !!d)
          .sort();
        day = dates[dates.length - 1] ?? '2026-01-01';
      }
      return { name: e.name, dir: path.join(REAL, e.name), snapshot: day };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

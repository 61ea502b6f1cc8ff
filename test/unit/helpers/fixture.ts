// Test fixtures: temp workspaces with a small corpus, tree hashing and snapshots.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tmpDir(prefix = 'dream-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function write(root: string, rel: string, content: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

export function learning(o: {
  id?: string;
  title: string;
  date?: string;
  maturity?: string;
  citations?: string[];
  tags?: string[];
  extra?: Record<string, string>;
  body: string;
}): string {
  const lines = ['---'];
  if (o.id) lines.push(`id: ${o.id}`);
  lines.push(`title: ${JSON.stringify(o.title)}`);
  lines.push(`maturity: ${o.maturity ?? 'provisional'}`);
  lines.push(`date: ${o.date ?? '2026-11-20'}`);
  if (o.citations) lines.push(`citations: [${o.citations.map((c) => JSON.stringify(c)).join(', ')}]`);
  if (o.tags) lines.push(`tags: [${o.tags.join(', ')}]`);
  for (const [k, v] of Object.entries(o.extra ?? {})) lines.push(`${k}: ${v}`);
  lines.push('---', `# ${o.title}`, '', o.body, '');
  return lines.join('\n');
}

const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu pool token cache retry index schema parser queue worker lock commit branch deploy metric latency budget'.split(
    ' ',
  );
export function prose(seed: number, words = 60): string {
  let x = seed * 2654435761 + 1;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(' ') + '.';
}

/** A workspace with source files and a corpus that gives every REDUCE step something to do. */
export function makeWorkspace(opts: { learnings?: number } = {}): string {
  const ws = tmpDir();
  write(ws, 'src/auth/token.ts', 'export const token = () => "t";\n');
  write(ws, 'src/db/pool.ts', 'export const pool = 1;\n');
  write(ws, 'README.md', '# demo\n');
  const n = opts.learnings ?? 8;
  for (let i = 0; i < n; i++) {
    write(
      ws,
      `.agents/learnings/l-${i}.md`,
      learning({
        id: `l${i}`,
        title: `Learning ${i} ${prose(i + 100, 3)}`,
        date: '2026-11-1' + (i % 10),
        maturity: i % 3 === 0 ? 'draft' : 'provisional',
        citations: i % 4 === 0 ? ['src/auth/token.ts:1'] : i === 5 ? ['src/gone.ts:3'] : undefined,
        extra: i === 1 ? { owner: 'alice', holdout_scenario_id: 'h-1' } : {},
        body: prose(i, 50),
      }),
    );
  }
  // a near-duplicate of l-2
  write(
    ws,
    '.agents/learnings/l-2-dup.md',
    learning({
      id: 'l2dup',
      title: `Learning 2 ${prose(102, 3)}`,
      date: '2026-11-21',
      citations: ['src/db/pool.ts'],
      tags: ['db'],
      body: prose(2, 50).replace(/\.$/, ' extra.'),
    }),
  );
  // a stale note
  write(
    ws,
    '.agents/learnings/old-note.md',
    learning({
      id: 'old',
      title: 'An old note about nothing in particular',
      date: '2025-01-01',
      maturity: 'provisional',
      body: prose(999, 40),
    }),
  );
  write(ws, '.agents/patterns/p.md', '---\ntitle: pattern\n---\n# Pattern\n\nSee l-1.md for details.\n');
  write(
    ws,
    '.agents/findings/f-2026-11-20-001.md',
    '---\ntitle: "Token expires early"\nseverity: high\nresolved: false\n---\n## Summary\n\nTokens expire early.\n',
  );
  write(ws, '.agents/findings/f-2026-11-20-002.md', '---\ntitle: "Fixed thing"\nseverity: low\nresolved: true\n---\n## Summary\n\nDone.\n');
  write(
    ws,
    '.agents/sessions/2026-11-21-s.md',
    '---\ndate: 2026-11-21\n---\n# Session\n\n## Learnings\n- Close the db pool before the process exits or tests hang.\n- Retry 429 responses with jitter, never in a tight loop.\n\n## Notes\n- not a learning\n',
  );
  write(ws, '.agents/dream/tonight.md', '# Tonight\n\n- Consolidate the auth notes\n');
  return ws;
}

/** every file under root (lstat; symlinks recorded as "-> target"), relative posix paths */
export function snapshot(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.set(r, '-> ' + fs.readlinkSync(p));
      else if (e.isDirectory()) walk(p, r);
      else out.set(r, crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root, '');
  return out;
}

/** hash of the corpus excluding .agents/overnight/ */
export function corpusHash(ws: string): string {
  const snap = snapshot(path.join(ws, '.agents'), (r) => r === 'overnight' || r.startsWith('overnight/'));
  const h = crypto.createHash('sha256');
  for (const k of [...snap.keys()].sort()) h.update(k + '\0' + snap.get(k) + '\n');
  return h.digest('hex');
}

export function countSymlinks(root: string): number {
  return [...snapshot(root).values()].filter((v) => v.startsWith('-> ')).length;
}

export function rm(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

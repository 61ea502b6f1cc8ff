// `dream archive` after a morning proposal (contract §1 rule 6, §4.2, §5.7): a copy the retire cap held
// back is archived with superseded_by naming what replaces it, and a hand archive is undone with
// `dream restore <id>` like a run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote, resolveSettings, runBedtime } from '../../src/engine';
import { main } from '../../src/cli/main';
import { prose, rm, tmpDir, write } from './helpers/fixture';

const NOW = new Date('2026-11-23T03:00:00Z');

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false });
  return { code, out, err };
}

describe('dream archive after a proposal, and its undo', function () {
  this.timeout(30_000);
  let root: string;
  let ws: string;
  beforeEach(() => {
    root = tmpDir('dream-archive-hand-');
    ws = path.join(root, 'ws');
    fs.mkdirSync(path.join(ws, '.agents', 'learnings'), { recursive: true });
  });
  afterEach(() => rm(root));

  it('a near-duplicate held back by the retire cap is archived as superseded by the survivor; dream restore undoes it', async () => {
    const body = `# Release pool connections in finally\n\nRelease database connections in a finally block or the pool starves under load. ${prose(3, 60)}`;
    for (let i = 0; i < 3; i++)
      write(
        ws,
        `.agents/learnings/pool-${i}.md`,
        `---\nid: pool-${i}\ndate: 2026-11-0${i + 1}\nmaturity: provisional\n---\n${body}${i ? ` copy ${i}` : ''}\n`,
      );
    for (let i = 0; i < 9; i++)
      write(
        ws,
        `.agents/learnings/other-${i}.md`,
        `---\ndate: 2026-11-10\nmaturity: provisional\n---\n# Other ${i}\n\n${prose(100 + i * 7, 50)}\n`,
      );
    const out = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false, maxRetirePerNight: 1 } }),
      now: () => NOW,
    });
    const held = out.summary.proposals.find((p) => /near-duplicate of/.test(p.reason));
    assert.ok(held, `a near-duplicate over the cap is proposed: ${JSON.stringify(out.summary.proposals)}`);
    const survivor = /near-duplicate of \.agents\/learnings\/(pool-\d)\.md/.exec(held.reason)![1]!;
    const rel = held.path.replace(/^\.agents\//, '');
    const before = fs.readFileSync(path.join(ws, held.path));

    const a = await cli(['archive', held.path, '--workspace', ws]);
    assert.equal(a.code, 0, a.err.join('\n'));
    const undo = a.out.find((l) => /^To undo: dream restore archive-\d{8}T\d{6}Z$/.test(l));
    assert.ok(undo, `the undo command is printed: ${a.out.join('\n')}`);
    const moved = path.join(ws, '.agents/learnings/.archive', path.basename(rel));
    const n = parseNote('x', fs.readFileSync(moved));
    assert.equal(n.fm.superseded_by, survivor);
    assert.match(String(n.fm.archived_reason), /^near-duplicate of \.agents\/learnings\/pool-\d\.md; archived by hand after review$/);
    assert.ok(!fs.existsSync(path.join(ws, held.path)));

    const id = undo.replace('To undo: dream restore ', '');
    const r = await cli(['restore', id, '--workspace', ws]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(fs.readFileSync(path.join(ws, held.path)), before);
    assert.ok(!fs.existsSync(moved), 'the archived copy is gone again');
    assert.ok(
      r.out.some((l) => l.includes(path.join('.agents', 'overnight', 'archives'))),
      r.out.join('\n'),
    );
  });

  it('--superseded-by names the replacement explicitly; without a proposal the reason is the hand default', async () => {
    write(ws, '.agents/learnings/a.md', `---\ndate: 2026-11-01\nmaturity: provisional\n---\n# A\n\n${prose(1, 30)}\n`);
    write(ws, '.agents/learnings/b.md', `---\ndate: 2026-11-01\nmaturity: provisional\n---\n# B\n\n${prose(2, 30)}\n`);
    assert.equal((await cli(['archive', 'learnings/a.md', '--superseded-by', 'runbook', '--workspace', ws])).code, 0);
    assert.equal(parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/a.md'))).fm.superseded_by, 'runbook');
    assert.equal((await cli(['archive', 'learnings/b.md', '--workspace', ws])).code, 0);
    const b = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/b.md')));
    assert.equal(b.fm.superseded_by, undefined);
    assert.equal(b.fm.archived_reason, 'archived by hand after review');
  });
});

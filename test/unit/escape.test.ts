// summary.md shows corpus text as text under any markdown renderer.
import assert from 'node:assert/strict';
import { mdCode, mdText } from '../../src/engine/report/escape';
import { blankSummary, renderMarkdown } from '../../src/engine/report/report';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '\\[x](javascript:alert(1))',
  'line one\n# injected heading\n<script>x</script>',
  '`code` <b>bold</b> &lt;script&gt;',
];

/** what a renderer with raw HTML on would make live */
function live(md: string): string[] {
  const bad: string[] = [];
  if (/<script/i.test(md)) bad.push('script tag');
  if (/<img/i.test(md)) bad.push('img tag');
  if (/<a\s/i.test(md)) bad.push('anchor tag');
  if (/<javascript:/i.test(md)) bad.push('autolink');
  // a link or image: an unescaped ] directly followed by (
  if (/(^|[^\\])\]\(/.test(md.replace(/\\\\/g, ''))) bad.push('link');
  if (/^#+ injected/m.test(md)) bad.push('heading');
  return bad;
}

describe('report escaping', () => {
  for (const h of HOSTILE) {
    it(`mdText neutralises ${JSON.stringify(h)}`, () => {
      const out = mdText(h);
      assert.deepEqual(live(out), [], out);
      assert.ok(!out.includes('\n'));
    });
    it(`mdCode shows ${JSON.stringify(h)} as text (a code span, or escaped text when it holds HTML)`, () => {
      const out = mdCode(h);
      assert.deepEqual(live(out.replace(/(`+)[^`]*?\1/g, '')), [], out);
      if (/[<>&]/.test(h)) return assert.equal(out, mdText(h));
      const fence = /^`+/.exec(out)![0];
      assert.ok(out.endsWith(fence));
      assert.ok(!out.slice(fence.length, -fence.length).includes(fence), 'the fence never occurs inside');
      assert.ok(!out.includes('\n'));
    });
  }

  it('mdCode of text with backticks uses a longer fence', () => {
    assert.equal(mdCode('a `b` c'), '``a `b` c``');
    assert.equal(mdCode('`x`'), '`` `x` ``');
    assert.equal(mdCode('plain'), '`plain`');
  });

  it('summary.md escapes titles, paths, reasons, packets, degraded lines and runner output', () => {
    const s = blankSummary('20261125T000000Z', '/ws', '/ws/.agents/overnight/runs/20261125T000000Z');
    const x = '<img src=x onerror=alert(1)>[y](javascript:alert(1))<script>alert(2)</script>';
    s.goal = x;
    s.failure_reason = x;
    s.degraded = [x, `\n# injected heading ${x}`];
    s.iterations = [
      {
        id: 'r-iter-1',
        index: 1,
        started_at: 'a',
        finished_at: 'b',
        duration_ms: 1,
        status: 'done',
        committed: true,
        ingest: {},
        reduce: {},
        measure: {},
        fitness_before: {},
        fitness_after: {},
        fitness_delta: 0,
        metric_deltas: {},
        regressions: [],
        changes: [{ path: `learnings/${x}.md`, kind: 'modified', reason: x, before: null }],
        degraded: [],
        error: x,
      },
    ] as typeof s.iterations;
    s.morning_packets = [
      {
        rank: 1,
        title: x,
        severity: 'high',
        confidence: 'high',
        type: 'finding',
        why_now: x,
        morning_command: `code "${x}"`,
        evidence: [x],
        target_files: [x],
      },
    ] as unknown as typeof s.morning_packets;
    s.steps = [{ name: 'council', status: 'failed', note: x }];
    s.next_action = x;
    const md = renderMarkdown(s);
    const outsideCode = md.replace(/(`+)[^`]*?\1/g, '');
    assert.deepEqual(live(outsideCode), [], outsideCode);
    assert.doesNotMatch(md, /<script|<img/i, 'not even inside code spans');
  });

  it('the terminal report (plain) shows corpus text as typed: no HTML entities or markdown escapes', () => {
    const s = blankSummary('20261125T000000Z', '/ws', '/ws/.agents/overnight/runs/20261125T000000Z');
    s.goal = 'tidy a -> b & [c] *d*';
    s.degraded = ['runner said <none> -> fell back'];
    const plain = renderMarkdown(s, [], { plain: true });
    assert.match(plain, /Goal: tidy a -> b & \[c\] \*d\*/);
    assert.match(plain, /runner said <none> -> fell back/);
    assert.doesNotMatch(plain, /&gt;|&lt;|&amp;|\\\[/);
    // summary.md keeps escaping the same text
    assert.match(renderMarkdown(s), /tidy a -&gt; b &amp; \\\[c\\\]/);
  });
});

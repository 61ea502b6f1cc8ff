// The frontmatter fast path must agree with the yaml library on everything it accepts.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { fastParseFrontmatter } from '../../src/engine/corpus/fastYaml';
import { plainLines } from '../../src/engine/corpus/note';

const VALUES = [
  'plain words',
  '42',
  '-7',
  '+3',
  '010',
  '3.14',
  '.5',
  '1e3',
  '2.5E-2',
  'true',
  'True',
  'FALSE',
  'null',
  '~',
  'Null',
  '2026-11-20',
  '2026-11-20T10:00:00Z',
  '"quoted"',
  "'single'",
  '"with: colon"',
  '""',
  "''",
  '[a, b, c]',
  '[]',
  '["x", \'y\', 3, true]',
  '[a, b,]',
  '[a, [b]]',
  'a: b',
  'x #comment',
  'yes',
  'no',
  'on',
  '0x1f',
  '0o17',
  '.inf',
  '-.inf',
  '.nan',
  '12345678901234567890',
  'src/auth/token.ts:10',
  'C:\\path',
  '@at',
  '`tick`',
  '!tag',
  '&anchor',
  '*alias',
  '|',
  '>',
  '%pct',
  'trailing   ',
  'ünïcödé',
  'tab\there',
  '"esc \\" quote"',
  "'it''s'",
  '{a: 1}',
];

function rand(seed: number) {
  let x = seed;
  return () => (x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

describe('frontmatter fast path', () => {
  it('agrees with yaml.parse on every document it accepts, and accepts the common shapes', () => {
    const r = rand(7);
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      const lines: string[] = [];
      const keys = Math.floor(r() * 6) + 1;
      for (let k = 0; k < keys; k++) {
        const key = ['id', 'title', 'tags', 'maturity', 'date', 'confidence', 'citations', 'owner', 'k_' + k, 'x-y'][Math.floor(r() * 10)]!;
        const form = r();
        if (form < 0.15) {
          lines.push(`${key}:`);
          const items = Math.floor(r() * 3);
          const ind = r() < 0.5 ? '' : '  ';
          for (let i = 0; i < items; i++) lines.push(`${r() < 0.95 ? ind : '   '}- ${VALUES[Math.floor(r() * VALUES.length)]}`);
        } else lines.push(`${key}: ${VALUES[Math.floor(r() * VALUES.length)]}`);
        if (r() < 0.05) lines.push('# a comment');
        if (r() < 0.03) lines.push('  continued');
      }
      const text = lines.join(r() < 0.1 ? '\r\n' : '\n') + '\n';
      const fast = fastParseFrontmatter(text);
      if (fast === undefined) continue;
      accepted++;
      let slow: unknown;
      try {
        slow = YAML.parse(text, { uniqueKeys: true });
      } catch (e) {
        assert.fail(`fast path accepted a document yaml rejects:\n${text}\n${(e as Error).message}`);
      }
      assert.deepEqual(fast, slow ?? {}, `disagreement on:\n${text}`);
    }
    assert.ok(accepted > 300, `fast path accepted only ${accepted} documents`);
  });

  it('accepts a typical learning frontmatter', () => {
    const text =
      'id: l-1\ntitle: "Close the pool before exit"\nmaturity: provisional\nconfidence: 0.7\ndate: 2026-11-20\ncitations: [src/db/pool.ts:10, src/db/pool.test.ts]\ntags:\n  - db\n  - tests\nstale_citation: false\n';
    assert.deepEqual(fastParseFrontmatter(text), YAML.parse(text));
    assert.notEqual(fastParseFrontmatter(text), undefined);
  });

  it('plainLines writes exactly what YAML.stringify writes, for every value it takes', () => {
    const r = rand(9);
    const alphabet = 'aZ09_./()- :#\'"@%*&!|>?=~,[]{}\té\n';
    const values: unknown[] = [
      ...VALUES,
      0,
      -0,
      3,
      0.5,
      1e21,
      -7.25,
      0.1 + 0.2,
      NaN,
      true,
      false,
      null,
      [],
      ['a', 'b c'],
      ['x', '1'],
      [1, true],
    ];
    for (let n = 0; n < 20000; n++) {
      const len = 1 + Math.floor(r() * 12);
      // half from the characters a plain value may hold, half from any
      const from = r() < 0.5 ? 'aZ09_./()- ' : alphabet;
      let v = '';
      for (let i = 0; i < len; i++) v += from[Math.floor(r() * from.length)];
      values.push(r() < 0.1 ? [v, 'plain'] : v);
    }
    let plain = 0;
    for (const v of values) {
      const lines = plainLines('key', v);
      if (!lines) continue;
      plain++;
      assert.equal(lines.join('\n') + '\n', YAML.stringify({ key: v }, { lineWidth: 0, flowCollectionPadding: false }), JSON.stringify(v));
    }
    assert.ok(plain > 2000, `only ${plain} values written plain`);
  });
});

// Notes: frontmatter parse and patch keep unknown keys, comments, key order, CRLF, a BOM and the
// body bytes; non-UTF-8 and broken YAML are never rewritten.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { buildNote, firstHeading, isEditable, noteDate, parseNote, patchFrontmatter, strList } from '../../src/engine/corpus/note';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function keysInOrder(fmText: string): string[] {
  return Object.keys(YAML.parse(fmText) as Record<string, unknown>);
}

/** the frontmatter block text of patched bytes */
function fmOf(bytes: Buffer): string {
  const n = parseNote('learnings/x.md', bytes);
  assert.equal(n.fmError, null, n.fmError ?? '');
  return n.fmText;
}

describe('note parse', () => {
  it('parses a simple note', () => {
    const bytes = Buffer.from(
      '---\nid: l-1\ntitle: "Close the pool"\nmaturity: provisional\ntags: [db, tests]\n---\n# Close the pool\n\nBody text.\n',
    );
    const n = parseNote('learnings/l-1.md', bytes);
    assert.equal(n.utf8, true);
    assert.equal(n.bom, false);
    assert.equal(n.eol, '\n');
    assert.equal(n.hasFrontmatter, true);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, { id: 'l-1', title: 'Close the pool', maturity: 'provisional', tags: ['db', 'tests'] });
    assert.equal(n.body, '# Close the pool\n\nBody text.\n');
    assert.deepEqual(bytes.subarray(n.bodyOffset), Buffer.from(n.body));
    assert.equal(isEditable(n), true);
    assert.equal(firstHeading(n.body), 'Close the pool');
  });

  it('an empty file has no frontmatter, an empty body and no error', () => {
    const n = parseNote('learnings/empty.md', Buffer.alloc(0));
    assert.equal(n.utf8, true);
    assert.equal(n.hasFrontmatter, false);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, {});
    assert.equal(n.body, '');
    assert.equal(isEditable(n), false);
    assert.throws(() => patchFrontmatter(n, { maturity: 'accepted' }), /refusing/);
  });

  it('a note without frontmatter: the whole text is the body; not editable', () => {
    const text = '# Just markdown\n\nno frontmatter here\n---\nnot: frontmatter\n---\n';
    const n = parseNote('learnings/plain.md', Buffer.from(text));
    assert.equal(n.hasFrontmatter, false);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, {});
    assert.equal(n.body, text);
    assert.equal(isEditable(n), false);
    assert.throws(() => patchFrontmatter(n, { maturity: 'accepted' }));
  });

  it('broken YAML sets fmError and the note is not editable', () => {
    const n = parseNote('learnings/broken.md', Buffer.from('---\ntitle: [unclosed\nmaturity: : :\n---\nbody\n'));
    assert.equal(n.hasFrontmatter, true);
    assert.notEqual(n.fmError, null);
    assert.match(n.fmError!, /YAML/);
    assert.equal(isEditable(n), false);
    assert.throws(() => patchFrontmatter(n, { maturity: 'accepted' }), /refusing/);
  });

  it('duplicate keys are a YAML error', () => {
    const n = parseNote('learnings/dup.md', Buffer.from('---\ntitle: a\ntitle: b\n---\nbody\n'));
    assert.notEqual(n.fmError, null);
  });

  it('an unclosed frontmatter block is an error', () => {
    const n = parseNote('learnings/open.md', Buffer.from('---\ntitle: a\nbody without a closing line\n'));
    assert.equal(n.hasFrontmatter, true);
    assert.match(n.fmError ?? '', /not closed/);
    assert.equal(isEditable(n), false);
  });

  it('frontmatter that is not a mapping is an error', () => {
    const n = parseNote('learnings/list.md', Buffer.from('---\n- a\n- b\n---\nbody\n'));
    assert.match(n.fmError ?? '', /not a mapping/);
  });

  it('non-UTF-8 bytes: utf8 false, and patchFrontmatter throws', () => {
    const bytes = Buffer.concat([Buffer.from('---\ntitle: caf'), Buffer.from([0xe9]), Buffer.from('\n---\nbody \xff\n', 'latin1')]);
    const n = parseNote('learnings/latin1.md', bytes);
    assert.equal(n.utf8, false);
    assert.notEqual(n.fmError, null);
    assert.equal(isEditable(n), false);
    assert.throws(() => patchFrontmatter(n, { maturity: 'accepted' }), /UTF-8/);
    assert.deepEqual(n.bytes, bytes, 'the bytes are kept as they are');
  });

  it('empty frontmatter block parses as an empty mapping', () => {
    const n = parseNote('learnings/e.md', Buffer.from('---\n---\nbody\n'));
    assert.equal(n.hasFrontmatter, true);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, {});
    assert.equal(n.body, 'body\n');
  });
});

describe('note patch', () => {
  it('a simple patch changes only the patched line; every other byte stays', () => {
    const text = '---\nid: l-1\ntitle: "Close the pool"\nmaturity: draft\nowner: alice\nholdout_scenario_id: h-1\n---\n# Close\n\nBody.\n';
    const n = parseNote('learnings/l.md', Buffer.from(text));
    const out = patchFrontmatter(n, { maturity: 'accepted' });
    assert.equal(out.toString('utf8'), text.replace('maturity: draft', 'maturity: accepted'));
  });

  it('an empty patch is a byte-identical round trip (simple frontmatter)', () => {
    const text = '---\nid: l-1\ntitle: "T"\n# comment line\ntags:\n  - a\n  - b\n---\nbody\n';
    const n = parseNote('learnings/l.md', Buffer.from(text));
    assert.equal(patchFrontmatter(n, {}).toString('utf8'), text);
    assert.equal(patchFrontmatter(n, { title: undefined }).toString('utf8'), text, 'undefined keys are left alone');
  });

  it('an empty patch keeps the meaning, comments and order of complex frontmatter', () => {
    const text = '---\n# a comment\nid: l-1\nmeta:\n  owner: alice # inline\n  nested: [1, 2]\ntitle: T\n---\nbody\n';
    const n = parseNote('learnings/l.md', Buffer.from(text));
    const out = patchFrontmatter(n, {});
    const m = parseNote('learnings/l.md', out);
    assert.deepEqual(m.fm, n.fm);
    assert.deepEqual(Object.keys(m.fm), ['id', 'meta', 'title']);
    assert.match(m.fmText, /# a comment/);
    assert.match(m.fmText, /# inline/);
    assert.equal(m.body, 'body\n');
  });

  it('keeps unknown keys, comments and key order (full YAML path, nested values)', () => {
    const text = [
      '---',
      '# leading comment',
      'id: l-7',
      'title: "Retry with jitter"',
      'custom_thing:',
      '  nested: true # keep me',
      '  list: [a, b]',
      'maturity: provisional',
      'x-unknown: "kept"',
      'citations:',
      '  - src/a.ts:10',
      '---',
      'Body line 1',
      'Body line 2',
      '',
    ].join('\n');
    const n = parseNote('learnings/l.md', Buffer.from(text));
    assert.equal(n.fmError, null);
    const out = patchFrontmatter(n, { maturity: 'accepted', superseded_by: 'learnings/other.md' });
    const fm = fmOf(out);
    assert.match(fm, /# leading comment/);
    assert.match(fm, /# keep me/);
    assert.deepEqual(keysInOrder(fm), ['id', 'title', 'custom_thing', 'maturity', 'x-unknown', 'citations', 'superseded_by']);
    const parsed = YAML.parse(fm);
    assert.deepEqual(parsed.custom_thing, { nested: true, list: ['a', 'b'] });
    assert.equal(parsed['x-unknown'], 'kept');
    assert.equal(parsed.maturity, 'accepted');
    assert.equal(parsed.superseded_by, 'learnings/other.md');
    assert.deepEqual(parsed.citations, ['src/a.ts:10']);
    assert.ok(out.toString('utf8').endsWith('---\nBody line 1\nBody line 2\n'));
  });

  it('a patch adds a list key and replaces a block list', () => {
    const text = '---\ntitle: T\ntags:\n  - a\n  - b\nmaturity: draft\n---\nbody\n';
    const n = parseNote('learnings/l.md', Buffer.from(text));
    const out = patchFrontmatter(n, { tags: ['a', 'b', 'c'], citations: ['x.ts'] });
    const fm = YAML.parse(fmOf(out));
    assert.deepEqual(fm, { title: 'T', tags: ['a', 'b', 'c'], maturity: 'draft', citations: ['x.ts'] });
    assert.deepEqual(keysInOrder(fmOf(out)), ['title', 'tags', 'maturity', 'citations']);
  });

  it('body bytes are byte-identical after a patch (odd whitespace, dashes, unicode)', () => {
    const body = '\n\n  leading spaces\t\ttabs\n---\nnot frontmatter: really\n...\nünïcödé ✓ 😀\r\nmixed endings\n\n\n';
    const text = '---\ntitle: T\nmaturity: draft\n---\n' + body;
    const n = parseNote('learnings/l.md', Buffer.from(text));
    for (const patch of [{ maturity: 'accepted' }, { brand_new: { deep: [1, 2] } }, { title: 'A title: with a colon # and hash' }]) {
      const out = patchFrontmatter(n, patch);
      const m = parseNote('learnings/l.md', out);
      assert.deepEqual(out.subarray(m.bodyOffset), Buffer.from(body, 'utf8'), JSON.stringify(patch));
      assert.equal(m.body, body);
      for (const [k, v] of Object.entries(patch)) assert.deepEqual(m.fm[k], v);
    }
  });

  it('CRLF notes stay CRLF after patchFrontmatter', () => {
    for (const fmLines of [
      ['title: T', 'maturity: draft', 'owner: bob'],
      ['title: T', 'meta:', '  owner: bob # comment', 'maturity: draft'],
    ]) {
      const body = 'Line one\r\nLine two\r\n';
      const text = ['---', ...fmLines, '---', ''].join('\r\n') + body;
      const n = parseNote('learnings/crlf.md', Buffer.from(text));
      assert.equal(n.eol, '\r\n');
      assert.equal(n.fmError, null);
      const out = patchFrontmatter(n, { maturity: 'accepted', added: 'yes' });
      const s = out.toString('utf8');
      assert.equal(/(^|[^\r])\n/.test(s), false, `a bare LF in ${JSON.stringify(s)}`);
      const m = parseNote('learnings/crlf.md', out);
      assert.equal(m.eol, '\r\n');
      assert.equal(m.fm.maturity, 'accepted');
      assert.equal(m.fm.added, 'yes');
      assert.ok(s.endsWith('---\r\n' + body));
    }
  });

  it('a BOM is kept by parse and by patch', () => {
    const text = '---\ntitle: T\nmaturity: draft\n---\nbody\n';
    const bytes = Buffer.concat([BOM, Buffer.from(text)]);
    const n = parseNote('learnings/bom.md', bytes);
    assert.equal(n.bom, true);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, { title: 'T', maturity: 'draft' });
    assert.equal(n.body, 'body\n');
    assert.deepEqual(bytes.subarray(n.bodyOffset), Buffer.from('body\n'));
    const out = patchFrontmatter(n, { maturity: 'accepted' });
    assert.deepEqual(out.subarray(0, 3), BOM);
    assert.equal(out.subarray(3).toString('utf8'), text.replace('draft', 'accepted'));
    // exactly one BOM
    assert.notDeepEqual(out.subarray(3, 6), BOM);
  });

  it('two BOMs: the frontmatter and the body are read where they are, and an edit never cuts into the body', () => {
    const text = '---\ntitle: héllo\nmaturity: draft\n---\nbody\n';
    const bytes = Buffer.concat([BOM, BOM, Buffer.from(text)]);
    const n = parseNote('learnings/bom2.md', bytes);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, { title: 'héllo', maturity: 'draft' });
    assert.equal(n.body, 'body\n');
    assert.deepEqual(bytes.subarray(n.bodyOffset), Buffer.from('body\n'));
    const out = patchFrontmatter(n, { maturity: 'accepted' });
    assert.ok(out.toString('utf8').endsWith('maturity: accepted\n---\nbody\n'), JSON.stringify(out.toString('utf8')));
  });

  it('a BOM with CRLF is kept together', () => {
    const text = '---\r\ntitle: T\r\n---\r\nbody\r\n';
    const n = parseNote('learnings/b.md', Buffer.concat([BOM, Buffer.from(text)]));
    const out = patchFrontmatter(n, { maturity: 'stable' });
    assert.deepEqual(out.subarray(0, 3), BOM);
    assert.equal(out.subarray(3).toString('utf8'), '---\r\ntitle: T\r\nmaturity: stable\r\n---\r\nbody\r\n');
  });

  it('patched output parses back to original + patch (no key lost)', () => {
    const text = '---\nid: a\ntitle: "x: y"\nconfidence: 0.7\ndate: 2026-11-20\nflag: true\nempty:\nlist: [1, two]\n---\nbody\n';
    const n = parseNote('learnings/l.md', Buffer.from(text));
    const out = patchFrontmatter(n, { confidence: 0.9 });
    const m = parseNote('learnings/l.md', out);
    assert.deepEqual(m.fm, { ...n.fm, confidence: 0.9 });
  });
});

describe('note build and helpers', () => {
  it('buildNote round-trips through parseNote', () => {
    const fm = { id: 'n-1', title: 'A: tricky # title', maturity: 'draft', tags: ['a', 'b'], confidence: 0.5, citations: ['src/a.ts:3'] };
    const body = '# Heading\n\nText with --- dashes.\n';
    const bytes = buildNote(fm, body);
    const n = parseNote('learnings/n.md', bytes);
    assert.equal(n.fmError, null);
    assert.deepEqual(n.fm, fm);
    assert.equal(n.body, body);
    assert.deepEqual(Object.keys(n.fm), Object.keys(fm));
  });

  it('strList and noteDate read frontmatter values leniently', () => {
    assert.deepEqual(strList(['a', ' b ', '', 3]), ['a', 'b', '3']);
    assert.deepEqual(strList('one'), ['one']);
    assert.deepEqual(strList(null), []);
    assert.equal(noteDate('2026-11-20')!.toISOString(), '2026-11-20T00:00:00.000Z');
    assert.equal(noteDate('not a date'), null);
    assert.equal(noteDate(undefined), null);
  });
});

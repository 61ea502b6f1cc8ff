// INGEST helpers (session mining, findings, severities, secret redaction) and MEASURE (the fitness
// vector: exactly the 10 metrics, each in 0..1, deterministic).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NoteCache } from '../../src/engine/corpus/corpus';
import { SignatureCache } from '../../src/engine/stages/dedupe';
import { ingest, mineSessionLearnings, normaliseSeverity, parseFinding } from '../../src/engine/stages/ingest';
import { measure } from '../../src/engine/stages/measure';
import { parseNote } from '../../src/engine/corpus/note';
import { buildIndex } from '../../src/engine/stages/reduce';
import { Retriever, parseIndex, tokenize } from '../../src/engine/stages/retrieval';
import { METRIC_NAMES } from '../../src/engine/core/schemas';
import { redactSecrets } from '../../src/engine/core/secrets';

const NOW = new Date('2026-11-23T03:00:00Z');

const session = (body: string, fm = 'date: 2026-11-21\n') => parseNote('sessions/2026-11-21-s.md', Buffer.from(`---\n${fm}---\n${body}`));
const finding = (rel: string, text: string) => parseNote(rel, Buffer.from(text));

function put(root: string, relPath: string, data: string | Buffer): void {
  const p = path.join(root, relPath);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

function learning(
  title: string,
  o: { maturity?: string; date?: string; citations?: string[]; extra?: string; body?: string } = {},
): string {
  return [
    '---',
    `title: ${JSON.stringify(title)}`,
    `maturity: ${o.maturity ?? 'provisional'}`,
    `date: ${o.date ?? '2026-11-20'}`,
    ...(o.citations ? [`citations: [${o.citations.map((c) => JSON.stringify(c)).join(', ')}]`] : []),
    ...(o.extra ? [o.extra] : []),
    '---',
    `# ${title}`,
    '',
    o.body ?? `Notes about ${title.toLowerCase()}.`,
    '',
  ].join('\n');
}

describe('INGEST: mineSessionLearnings', () => {
  it('picks bullets under "## Learnings" only, stopping at the next heading of the same level', () => {
    const n = session(
      [
        '# Session 12',
        '',
        '- a bullet before the section',
        '',
        '## Learnings',
        '- Close the db pool before the process exits.',
        '* Retry 429 responses with jitter.',
        '+ Plus bullets count too.',
        '1. Numbered items count too.',
        '',
        '## Notes',
        '- not a learning',
        '',
        '## Next steps',
        '- not a learning either',
        '',
      ].join('\n'),
    );
    assert.deepEqual(mineSessionLearnings(n), [
      'Close the db pool before the process exits.',
      'Retry 429 responses with jitter.',
      'Plus bullets count too.',
      'Numbered items count too.',
    ]);
  });

  it('joins continuation lines into their bullet', () => {
    const n = session(
      [
        '## Learnings',
        '- The cache key must include the tenant,',
        '  otherwise two tenants share',
        '    one entry.',
        '- Second item.',
        '',
      ].join('\n'),
    );
    assert.deepEqual(mineSessionLearnings(n), [
      'The cache key must include the tenant, otherwise two tenants share one entry.',
      'Second item.',
    ]);
  });

  it('a deeper sub-heading stays inside the section; a higher-level heading ends it', () => {
    const n = session(['# S', '## Learnings', '- one', '### Database', '- two', '# Appendix', '- three', ''].join('\n'));
    assert.deepEqual(mineSessionLearnings(n), ['one', 'two']);
  });

  it('plain paragraphs in the section are not learnings; a blank line ends a bullet', () => {
    const n = session(['## Learnings', 'Some prose that is not a bullet.', '- a bullet', '', 'trailing prose', ''].join('\n'));
    assert.deepEqual(mineSessionLearnings(n), ['a bullet']);
  });

  it('CRLF sessions are mined the same way', () => {
    const n = parseNote(
      'sessions/s.md',
      Buffer.from('---\r\ndate: 2026-11-21\r\n---\r\n## Learnings\r\n- one\r\n  more\r\n- two\r\n## Notes\r\n- no\r\n'),
    );
    assert.deepEqual(mineSessionLearnings(n), ['one more', 'two']);
  });

  it('no Learnings section: nothing', () => {
    assert.deepEqual(mineSessionLearnings(session('# S\n\n## Notes\n- a\n- b\n')), []);
    assert.deepEqual(mineSessionLearnings(session('')), []);
  });

  it('a second Learnings section is mined too', () => {
    const n = session('## Learnings\n- a\n## Other\n- x\n## Learnings\n- b\n');
    assert.deepEqual(mineSessionLearnings(n), ['a', 'b']);
  });
});

describe('INGEST: findings', () => {
  // §2.1 changes upstream's pin "significant -> medium": significant is high, moderate medium, informational low
  it('severities map minor|low|informational -> low, moderate -> medium, significant|major -> high, blocker -> critical', () => {
    const table: [string | undefined, string][] = [
      ['minor', 'low'],
      ['low', 'low'],
      ['Minor', 'low'],
      ['significant', 'high'],
      ['moderate', 'medium'],
      ['informational', 'low'],
      ['medium', 'medium'],
      ['major', 'high'],
      ['high', 'high'],
      ['MAJOR', 'high'],
      ['blocker', 'critical'],
      ['critical', 'critical'],
      [' blocker ', 'critical'],
      [undefined, 'medium'],
      ['whatever', 'medium'],
    ];
    for (const [raw, want] of table) assert.equal(normaliseSeverity(raw), want, String(raw));
  });

  it('parseFinding reads title, severity and resolved from frontmatter', () => {
    const f = parseFinding(
      finding(
        'findings/f-2026-11-20-001.md',
        '---\ntitle: "Token expires early"\nseverity: major\nresolved: true\n---\n## Summary\n\nTokens expire early.\n',
      ),
    );
    assert.ok(f);
    assert.equal(f.id, 'f-2026-11-20-001');
    assert.equal(f.rel, 'findings/f-2026-11-20-001.md');
    assert.equal(f.title, 'Token expires early');
    assert.equal(f.severity, 'high');
    assert.equal(f.resolved, true);
    assert.equal(f.description, 'Tokens expire early.');
  });

  it('resolved: false, missing, or the string "true"', () => {
    assert.equal(parseFinding(finding('findings/f-2026-11-20-002.md', '---\ntitle: A\nresolved: false\n---\nbody\n'))!.resolved, false);
    assert.equal(parseFinding(finding('findings/f-2026-11-20-003.md', '---\ntitle: A\n---\nbody\n'))!.resolved, false);
    assert.equal(parseFinding(finding('findings/f-2026-11-20-004.md', '---\ntitle: A\nresolved: "true"\n---\nbody\n'))!.resolved, true);
  });

  it('**Resolved:** in the body marks a finding resolved', () => {
    const f = parseFinding(
      finding(
        'findings/f-2026-11-20-005.md',
        '---\ntitle: Fixed\nseverity: blocker\n---\nSomething broke.\n\n**Resolved:** 2026-11-22 by commit abc\n',
      ),
    );
    assert.equal(f!.resolved, true);
    assert.equal(f!.severity, 'critical');
  });

  it('the title falls back to the first heading; severity defaults to medium', () => {
    const f = parseFinding(finding('findings/f-2026-11-20-006.md', '---\nseverity: minor\n---\n# Heading title\n\nText.\n'));
    assert.equal(f!.title, 'Heading title');
    assert.equal(f!.severity, 'low');
    const g = parseFinding(finding('findings/f-2026-11-20-007.md', '---\ntitle: T\n---\nText.\n'));
    assert.equal(g!.severity, 'medium');
  });

  it('files not named f-YYYY-MM-DD-NNN.md are not findings', () => {
    for (const rel of [
      'findings/readme.md',
      'findings/f-2026-11-20.md',
      'findings/f-2026-11-20-1.md',
      'findings/f-2026-11-20-postcommit-iter-2.md',
    ]) {
      assert.equal(parseFinding(finding(rel, '---\ntitle: x\n---\nbody\n')), null, rel);
    }
  });
});

describe('INGEST: secret redaction', () => {
  const cases: [string, string][] = [
    ['openai', 'key sk-abcdefghijklmnopqrstuvwx1234 in the log'],
    ['anthropic', 'use sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123'],
    ['github', 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked'],
    ['github pat', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
    ['aws', 'aws AKIAIOSFODNN7EXAMPLE here'],
    ['slack', 'xoxb-1234567890-abcdefghij'],
  ];
  for (const [name, text] of cases) {
    it(`removes a ${name} key`, () => {
      const r = redactSecrets(text);
      assert.ok(r.redactions >= 1, `${name}: ${r.text}`);
      assert.match(r.text, /\[REDACTED/);
      const secret = text.match(/(sk-\S+|ghp_\S+|github_pat_\S+|AKIA\S+|xoxb-\S+)/)![1]!;
      assert.equal(r.text.includes(secret), false, r.text);
    });
  }

  it('removes AWS keys: access key ids (AKIA/ASIA) and the secret access key', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    for (const text of [
      'aws AKIAIOSFODNN7EXAMPLE here',
      'temporary ASIAIOSFODNN7EXAMPLE creds',
      `aws_secret_access_key = ${secret}`,
      `export AWS_SECRET_ACCESS_KEY=${secret}`,
    ]) {
      const r = redactSecrets(text);
      assert.ok(r.redactions >= 1, `not redacted: ${text}`);
      assert.doesNotMatch(r.text, /IOSFODNN7EXAMPLE|wJalrXUtnFEMI/, r.text);
    }
  });

  it('removes a private key block entirely', () => {
    const text = 'before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAabc\ndef123==\n-----END RSA PRIVATE KEY-----\nafter';
    const r = redactSecrets(text);
    assert.equal(r.text, 'before\n[REDACTED PRIVATE KEY]\nafter');
    assert.equal(r.redactions, 1);
    const open = redactSecrets('x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk truncated');
    assert.doesNotMatch(open.text, /b3BlbnNzaC1rZXk/);
  });

  it('removes api_key=... style assignments but keeps the key name', () => {
    for (const text of [
      'api_key=abcd1234efgh5678',
      'API-KEY: "abcd1234efgh5678"',
      'password=hunter2hunter2',
      'secret: s3cr3tvalue99',
      'Authorization: Bearer abc.def.ghi-jklmnop',
    ]) {
      const r = redactSecrets(text);
      assert.ok(r.redactions >= 1, text);
      assert.match(r.text, /\[REDACTED\]/, text);
      assert.doesNotMatch(r.text, /abcd1234efgh5678|hunter2hunter2|s3cr3tvalue99|jklmnop/, r.text);
    }
    assert.match(redactSecrets('api_key=abcd1234efgh5678').text, /^api_key=/);
  });

  it('leaves ordinary text alone', () => {
    const text = 'Close the pool before exit; the token cache expires after 5 minutes (sk is short for skip).';
    assert.deepEqual(redactSecrets(text), { text, redactions: 0 });
  });

  it('secrets in a session are redacted before they become candidates', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-ingest-secret-'));
    try {
      put(ws, '.agents/learnings/a.md', learning('A'));
      put(
        ws,
        '.agents/sessions/2026-11-21-s.md',
        '---\ndate: 2026-11-21\n---\n## Learnings\n- Set api_key=abcd1234efgh5678 in the env, never in code.\n',
      );
      const ing = ingest(ws, new NoteCache(), '.agents/dream/tonight.md', NOW);
      assert.equal(ing.candidates.length, 1);
      assert.doesNotMatch(ing.candidates[0]!.text, /abcd1234efgh5678/);
      assert.ok(ing.candidates[0]!.redactions >= 1);
      assert.ok(ing.counters.secrets_redacted! >= 1);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('MEASURE', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-measure-'));
    put(ws, 'src/auth/token.ts', 'export const t = 1;\n');
    put(
      ws,
      '.agents/learnings/close-pool.md',
      learning('Close the database pool before exit', {
        citations: ['src/auth/token.ts:1'],
        body: 'Tests hang when the pool stays open after the suite finishes running.',
      }),
    );
    put(
      ws,
      '.agents/learnings/jitter.md',
      learning('Retry rate limited calls with jitter', {
        maturity: 'draft',
        citations: ['src/gone.ts:3'],
        body: 'Backoff without jitter makes every worker retry at the same instant.',
      }),
    );
    put(
      ws,
      '.agents/learnings/old.md',
      learning('An old note about deploy windows', {
        date: '2025-01-01',
        body: 'Deploys used to happen on Tuesdays only, for reasons nobody remembers.',
      }),
    );
    put(
      ws,
      '.agents/learnings/archived.md',
      learning('Archived thing about sockets', {
        maturity: 'archived',
        body: 'Sockets are closed by the gateway after sixty seconds of silence.',
      }),
    );
    put(ws, '.agents/learnings/no-fm.md', '# No frontmatter\n\njust text\n');
    put(ws, '.agents/findings/f-2026-11-20-001.md', '---\ntitle: A\nseverity: high\nresolved: false\n---\nbody\n');
    put(ws, '.agents/findings/f-2026-11-20-002.md', '---\ntitle: B\nseverity: low\nresolved: true\n---\nbody\n');
    put(ws, '.agents/findings/f-2026-11-20-003.md', '---\ntitle: C\n---\nbody\n\n**Resolved:** yes\n');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  function run(wsDir = ws) {
    const ing = ingest(wsDir, new NoteCache(), '.agents/dream/tonight.md', NOW);
    return measure({
      view: ing.view,
      citations: ing.citations,
      references: ing.references,
      sigCache: new SignatureCache(),
      now: NOW,
      staleDays: 30,
      dedupeThreshold: 0.8,
    });
  }

  it('returns exactly the 10 metric keys, each within 0..1', () => {
    assert.equal(METRIC_NAMES.length, 10);
    const m = run();
    assert.deepEqual(Object.keys(m.fitness).sort(), [...METRIC_NAMES].sort());
    for (const k of METRIC_NAMES) {
      const v = m.fitness[k]!;
      assert.equal(typeof v, 'number', k);
      assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `${k} = ${v}`);
    }
  });

  it('computes the metrics the contract describes on a known corpus', () => {
    const f = run().fitness;
    // 5 learnings: close-pool, jitter, old, archived, no-fm
    // §2.1/§4: a title comes from the heading too; a date from date|created_at|created|file name
    assert.equal(f.frontmatter_validity, 0.8, 'no-fm has a heading but no date');
    // §2.1: a missing maturity is provisional (upstream counted it below provisional)
    assert.equal(f.maturity_provisional_or_higher, 0.6, 'close-pool, old and no-fm');
    assert.equal(f.citation_coverage, 0.4, 'close-pool and jitter cite something');
    assert.equal(f.citation_validity, 0.5, 'src/gone.ts is missing');
    assert.equal(f.inject_visibility, 0.8, 'archived.md is not visible');
    // §4 freshness is evidence of life among live learnings: old.md and the undated no-fm show none
    assert.equal(f.freshness, 0.5, 'close-pool and jitter are recent');
    assert.ok(Math.abs(f.findings_resolution! - 2 / 3) < 1e-6, String(f.findings_resolution));
    assert.equal(f.uniqueness, 1, 'no near-duplicates');
    // §4: without index.jsonl the baseline measures an index built in memory, as REDUCE would build it
    assert.equal(f.retrieval_self_test, 1, 'in-memory index');
    assert.equal(f.index_consistency, 1, 'in-memory index');
  });

  it('is deterministic on the same corpus', () => {
    const a = run();
    const b = run();
    assert.deepEqual(a.fitness, b.fitness);
    assert.deepEqual(a.counters, b.counters);
    assert.deepEqual(Object.keys(a.fitness), Object.keys(b.fitness));
  });

  // §4 changes upstream's pin (1 when there are no findings): nothing to measure is null (n/a)
  it('findings_resolution is null (n/a) when no finding uses a resolution field', () => {
    fs.rmSync(path.join(ws, '.agents', 'findings'), { recursive: true });
    assert.equal(run().fitness.findings_resolution, null);
    put(ws, '.agents/findings/f-2026-11-20-009.md', '---\ntitle: untracked\nseverity: low\n---\nbody\n');
    assert.equal(run().fitness.findings_resolution, null);
  });

  it('near-duplicates lower uniqueness', () => {
    const body = 'Tests hang when the pool stays open after the suite finishes running, so always close it in the global teardown hook.';
    put(ws, '.agents/learnings/close-pool.md', learning('Close the database pool before exit', { body }));
    put(
      ws,
      '.agents/learnings/close-pool-2.md',
      learning('Close the database pool before exit', { body: body.replace('always', 'you should always') }),
    );
    const f = run().fitness;
    assert.ok(f.uniqueness! < 1, String(f.uniqueness));
  });

  it('with a fresh index.jsonl, retrieval_self_test and index_consistency reach 1', () => {
    const ing = ingest(ws, new NoteCache(), '.agents/dream/tonight.md', NOW);
    const visible = ing.view.notesOf('learning').filter((n) => n.rel !== 'learnings/archived.md');
    put(ws, '.agents/index.jsonl', buildIndex(visible, {}).bytes);
    const f = run().fitness;
    assert.equal(f.index_consistency, 1);
    assert.equal(f.retrieval_self_test, 1);
    // a stale entry (hash no longer matches) lowers index_consistency
    put(
      ws,
      '.agents/learnings/jitter.md',
      learning('Retry rate limited calls with jitter', { maturity: 'draft', body: 'edited since the index was built' }),
    );
    assert.ok(run().fitness.index_consistency! < 1);
  });

  // §4: an empty set is n/a (null), never 1
  it('an empty corpus measures without throwing: every metric null (n/a)', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-measure-empty-'));
    try {
      fs.mkdirSync(path.join(empty, '.agents', 'learnings'), { recursive: true });
      const m = run(empty);
      assert.deepEqual(Object.keys(m.fitness).sort(), [...METRIC_NAMES].sort());
      for (const k of METRIC_NAMES) assert.equal(m.fitness[k], null, k);
      assert.ok(m.degraded.some((d) => /no learnings; metrics over learnings are n\/a/.test(d)));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('measuring does not write anything', () => {
    const list = () => fs.readdirSync(ws, { recursive: true, withFileTypes: false }).map(String).sort();
    const before = list();
    run();
    assert.deepEqual(list(), before);
  });
});

describe('retrieval', () => {
  const entry = (p: string, title: string, summary = '', tags: string[] = []) => ({
    id: p,
    path: p,
    title,
    tags,
    maturity: 'provisional',
    hash: 'h',
    summary,
  });

  it('tokenize drops stop words and one-letter tokens', () => {
    assert.deepEqual(tokenize('How to close the DB pool, a Guide!'), ['close', 'db', 'pool', 'guide']);
  });

  it('a title query returns its own entry first; ties broken by path; deterministic', () => {
    const entries = [
      entry('learnings/b.md', 'Retry rate limited calls with jitter'),
      entry('learnings/a.md', 'Close the database pool before exit'),
      entry('learnings/c.md', 'Sockets close after sixty seconds', 'gateway idle timeout'),
      entry('learnings/d.md', 'Database migrations run in a transaction'),
    ];
    const r = new Retriever(entries);
    for (const [i, e] of entries.entries()) assert.equal(r.search(e.title, 3)[0], i, e.title);
    assert.deepEqual(r.search('nothing matches zzz', 3), []);
    assert.deepEqual(r.search('database', 3), r.search('database', 3));
    const twins = new Retriever([entry('learnings/z.md', 'same words'), entry('learnings/y.md', 'same words')]);
    assert.deepEqual(twins.search('same words', 2), [1, 0]);
  });

  it('parseIndex counts unreadable lines and skips blank ones', () => {
    const raw = Buffer.from(
      '{"path":"learnings/a.md","title":"A"}\n\nnot json\n{"title":"no path"}\n{"path":"learnings/b.md","title":"B","tags":["x"]}\n',
    );
    const { entries, bad } = parseIndex(raw);
    assert.equal(bad, 2);
    assert.deepEqual(
      entries.map((e) => e.path),
      ['learnings/a.md', 'learnings/b.md'],
    );
    assert.deepEqual(entries[1]!.tags, ['x']);
    assert.deepEqual(parseIndex(null), { entries: [], bad: 0 });
  });
});

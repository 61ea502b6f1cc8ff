// The secret catalogue: one test per form, plus redaction where text leaves the corpus.
import assert from 'node:assert/strict';
import { SECRET_CATALOGUE, SECRET_TRIGGERS, redact, redactDeep, redactSecrets } from '../../src/engine/core/secrets';

const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const samples: [string, string][] = [
  ['AWS AKIA', `key AKIA${A.slice(0, 16)} in a title`],
  ['AWS ASIA', `ASIA${A.slice(0, 16)}`],
  ['AWS ABIA', `ABIA${A.slice(2, 18)}`],
  ['AWS ACCA', `ACCA${A.slice(4, 20)}`],
  ['AWS A3T', `A3TX${A.slice(0, 16)}`],
  ['AWS AROA', `AROA${A.slice(0, 16)}`],
  ['AWS secret', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['GitHub ghp_', `ghp_${'a1B2'.repeat(9)}`],
  ['GitHub gho_', `gho_${'a1B2'.repeat(9)}`],
  ['GitHub ghu_', `ghu_${'a1B2'.repeat(9)}`],
  ['GitHub ghs_', `ghs_${'a1B2'.repeat(9)}`],
  ['GitHub ghr_', `ghr_${'a1B2'.repeat(9)}`],
  ['GitHub github_pat_', `github_pat_11ABCDEFG0${'x'.repeat(60)}`],
  ['OpenAI sk-', `sk-${'Ab1'.repeat(16)}`],
  ['OpenAI sk-proj-', `sk-proj-${'Ab1_'.repeat(20)}`],
  ['Anthropic sk-ant-', `sk-ant-api03-${'Ab1-'.repeat(20)}`],
  ['Stripe sk_live_', `sk_live_${'51Hx'.repeat(6)}`],
  ['Stripe rk_live_', `rk_live_${'51Hx'.repeat(6)}`],
  ['Stripe sk_test_', `sk_test_${'51Hx'.repeat(6)}`],
  ['Slack xoxb-', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
  ['Slack xoxp-', 'xoxp-123456789012-1234567890123-AbCdEf'],
  ['Slack xapp-', 'xapp-1-A0123456789-1234567890123-abcdef'],
  ['Google AIza', `AIza${'SyA1b2C3d4E5f6G7h8I9j0K_L-m'.padEnd(35, 'x')}`],
  ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----'],
  ['OpenSSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'],
  ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['password=', 'password=hunter22'],
  ['password: "…"', 'password: "correct horse"'],
  ['token=', 'token=abcdef123456'],
  ['api_key:', 'api_key: 0123456789abcdef'],
  ['client_secret=', 'client_secret=Zx9-Qw8-Er7'],
  ['Bearer header', 'Authorization: Bearer abc.def.ghi'],
  ['URL credentials', 'postgres://admin:s3cr3tpass@db.example.com:5432/app'],
  ['Stripe whsec_', `whsec_${'AbCd1234'.repeat(4)}`],
];

describe('secret redaction catalogue', () => {
  for (const [name, text] of samples)
    it(`redacts ${name}`, () => {
      const r = redactSecrets(`before ${text} after`);
      assert.ok(r.redactions >= 1, `${name}: ${r.text}`);
      assert.match(r.text, /\[REDACTED/);
      const secretCore = name === 'URL credentials' ? 's3cr3tpass' : text.replace(/^.*?[:=]\s*"?/, '').slice(-12);
      assert.ok(!r.text.includes(secretCore), `${name}: "${secretCore}" left in ${r.text}`);
      assert.match(r.text, /^before /);
      assert.match(r.text, / after$/);
    });

  it('every catalogue form is exercised by a sample', () => {
    for (const form of SECRET_CATALOGUE) {
      const hit = samples.some(([, t]) => {
        form.re.lastIndex = 0;
        return form.re.test(t);
      });
      form.re.lastIndex = 0;
      assert.ok(hit, `no sample for ${form.name}`);
    }
  });

  it("the one-scan pre-check passes every secret: each form's match itself holds a trigger", () => {
    let matches = 0;
    for (const form of SECRET_CATALOGUE)
      for (const [name, text] of samples) {
        const re = new RegExp(form.re.source, form.re.flags);
        for (const m of text.matchAll(re)) {
          matches++;
          assert.ok(SECRET_TRIGGERS.test(m[0]), `${form.name} matched "${m[0]}" in the ${name} sample, with no trigger in it`);
        }
      }
    assert.ok(matches >= samples.length, `only ${matches} matches`);
    // and a text without any trigger is returned as it is
    const prose = 'Retry the flaky gate twice, then open an issue with the log path and the commit.';
    assert.equal(SECRET_TRIGGERS.test(prose), false);
    assert.deepEqual(redactSecrets(prose), { text: prose, redactions: 0 });
  });

  it('ordinary prose, ids and paths are left alone', () => {
    for (const t of [
      'the token bucket refills every second',
      'task-abcdefghijklmnopqrstuvwxyz is done',
      'see learnings/2026-11-21-retry-429.md',
      'maturity: provisional',
      'tokens: 500',
      'AKIA is a prefix',
    ])
      assert.equal(redact(t), t);
  });

  it('redactDeep redacts every string of a record and keeps its shape', () => {
    const rec = { title: `key AKIA${A.slice(0, 16)}`, n: 3, list: [`sk-proj-${'x'.repeat(30)}`, null], nested: { ok: 'fine' } };
    const out = redactDeep(rec);
    assert.deepEqual(out, { title: 'key [REDACTED]', n: 3, list: ['[REDACTED]', null], nested: { ok: 'fine' } });
    assert.equal(rec.title.startsWith('key AKIA'), true, 'the input is not mutated');
  });
});

// Secret redaction for anything that enters the corpus or Dream's outputs, or leaves the machine
// (findings routed to the queue, packets, summaries, iteration records, council packets, curator
// prompts: one function, one catalogue). Each entry is tested (test/unit/secrets.test.ts).

export interface SecretForm {
  /** what it is, for tests and RELIABILITY.md */
  name: string;
  re: RegExp;
  /** replacement; `$1` keeps a captured prefix (the key name of an assignment) */
  rep: string;
}

const R = '[REDACTED]';

/** Order matters: specific forms first, so a generic assignment never half-redacts a known key. */
export const SECRET_CATALOGUE: SecretForm[] = [
  {
    name: 'private key block (PEM/OpenSSH)',
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    rep: '[REDACTED PRIVATE KEY]',
  },
  {
    name: 'AWS access key id (AKIA, ASIA, ABIA, ACCA, AGPA, AIDA, AROA, AIPA, ANPA, ANVA, APKA, A3T…)',
    re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g,
    rep: R,
  },
  {
    name: 'AWS secret access key assignment',
    re: /(aws_?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    rep: `$1${R}`,
  },
  { name: 'GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)', re: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, rep: R },
  { name: 'GitHub fine-grained token (github_pat_)', re: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, rep: R },
  { name: 'Anthropic key (sk-ant-)', re: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, rep: R },
  { name: 'OpenAI key (sk-, sk-proj-, sk-svcacct-, sk-admin-)', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g, rep: R },
  {
    name: 'Stripe secret or restricted key (sk_live_, rk_live_, sk_test_, rk_test_)',
    re: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}/g,
    rep: R,
  },
  { name: 'Stripe webhook secret (whsec_)', re: /\bwhsec_[A-Za-z0-9]{16,}/g, rep: R },
  { name: 'Slack token (xoxb-, xoxp-, xoxa-, xoxo-, xoxr-, xoxs-, xapp-)', re: /\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,}/g, rep: R },
  { name: 'Google API key (AIza)', re: /\bAIza[0-9A-Za-z_-]{35}/g, rep: R },
  { name: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, rep: R },
  {
    name: 'credentials in a URL (scheme://user:password@host)',
    re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:)[^\s@/"'`]{3,}(@)/gi,
    rep: `$1${R}$2`,
  },
  { name: 'Authorization: Bearer header', re: /(Authorization:\s*Bearer\s+)[^\s"']+/gi, rep: `$1${R}` },
  {
    name: 'generic assignment (password=, passwd=, secret=, token=, api_key=, access_key=, client_secret=, bearer=)',
    re: /((?:api[_-]?key|access[_-]?key|client[_-]?secret|secret|token|passw(?:or)?d|pwd|bearer)["']?\s*[:=]\s*["']?)(?!\[REDACTED)([^\s"'`,;]{6,})/gi,
    rep: `$1${R}`,
  },
];

/**
 * Text every form above needs somewhere in a match (a prefix, a key name, `://`): a text with none
 * of them holds no secret, and one scan says so instead of one per form. Case-insensitive, so it
 * also passes some texts the forms then leave alone; it must never miss one (secrets.test.ts runs
 * every form's samples through redactSecrets, and through this alone).
 */
export const SECRET_TRIGGERS =
  /-----BEGIN|\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T)|aws|\bgh[pousr]_|github_pat_|\bsk-|\b[sr]k_(?:live|test)_|whsec_|\bxox|\bxapp-|AIza|\beyJ|:\/\/|authorization|api[_-]?key|access[_-]?key|secret|token|passw|pwd|bearer/i;

export function redactSecrets(text: string): { text: string; redactions: number } {
  if (!SECRET_TRIGGERS.test(text)) return { text, redactions: 0 };
  let count = 0;
  let out = text;
  for (const { re, rep } of SECRET_CATALOGUE) {
    out = out.replace(re, (...args) => {
      count++;
      return rep.replace(/\$(\d)/g, (_, d: string) => String(args[Number(d)] ?? ''));
    });
  }
  return { text: out, redactions: count };
}

/**
 * redactSecrets for callers that only want the text. Remembered per string: a summary is written
 * after every iteration with every change so far, and its texts are redacted each time.
 */
const redacted = new Map<string, string>();
export function redact(text: string): string {
  let out = redacted.get(text);
  if (out === undefined) {
    out = redactSecrets(text).text;
    if (redacted.size >= 50_000) redacted.clear();
    redacted.set(text, out);
  }
  return out;
}

/** a copy of a JSON-like value with every string redacted (keys are left as they are) */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

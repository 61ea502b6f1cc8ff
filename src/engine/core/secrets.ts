// Secret redaction for anything that enters the corpus or leaves the machine.
const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '[REDACTED PRIVATE KEY]'],
  [/\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,})/g, '[REDACTED]'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,})/g, '[REDACTED]'],
  [/\b(github_pat_[A-Za-z0-9_]{20,})/g, '[REDACTED]'],
  [/\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g, '[REDACTED]'],
  [/(aws_secret_access_key\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})/gi, '$1[REDACTED]'],
  [/\b(xox[abprs]-[A-Za-z0-9-]{10,})/g, '[REDACTED]'],
  [/\b(AIza[0-9A-Za-z_-]{35})\b/g, '[REDACTED]'],
  [/\b(eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g, '[REDACTED]'],
  [/((?:api[_-]?key|secret|token|passw(?:or)?d|bearer)["']?\s*[:=]\s*["']?)(?!\[REDACTED)([^\s"'`,;]{8,})/gi, '$1[REDACTED]'],
  [/(Authorization:\s*Bearer\s+)([^\s"']+)/gi, '$1[REDACTED]'],
];

export function redactSecrets(text: string): { text: string; redactions: number } {
  let count = 0;
  let out = text;
  for (const [re, rep] of PATTERNS) {
    out = out.replace(re, (...args) => {
      count++;
      return rep.replace(/\$(\d)/g, (_, d: string) => String(args[Number(d)] ?? ''));
    });
  }
  return { text: out, redactions: count };
}

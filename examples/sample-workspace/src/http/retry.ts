export interface RetryOptions {
  attempts: number;
  baseMs: number;
  capMs: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

export function backoff(attempt: number, o: RetryOptions): number {
  // full jitter: a random delay between 0 and the exponential cap
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

export async function withRetry(req: () => Promise<Response>, method: string, o: RetryOptions): Promise<Response> {
  const idempotent = ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method);
  for (let attempt = 0; ; attempt++) {
    const res = await req();
    if (!RETRYABLE.has(res.status) || !idempotent || attempt + 1 >= o.attempts) return res;
    const retryAfter = Number(res.headers.get('retry-after'));
    await new Promise((r) => setTimeout(r, retryAfter > 0 ? retryAfter * 1000 : backoff(attempt, o)));
  }
}

import { describe, expect, it, vi, afterEach } from 'vitest';
import { isExpired } from '../../src/auth/token';

afterEach(() => {
  vi.useRealTimers();
});

describe('isExpired', () => {
  it('tolerates a little clock skew', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-20T10:00:20Z'));
    const exp = Date.parse('2026-11-20T10:00:00Z') / 1000;
    expect(isExpired({ sub: 'u1', aud: 'api', exp, iat: exp - 900, kid: 'k1' })).toBe(false);
  });
});

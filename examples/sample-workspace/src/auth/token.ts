import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  sub: string;
  aud: string;
  exp: number; // seconds since epoch
  iat: number;
  kid: string;
}

const CLOCK_SKEW_SECONDS = 30;

export function isExpired(claims: TokenClaims, nowMs = Date.now()): boolean {
  const now = Math.floor(nowMs / 1000);
  return claims.exp + CLOCK_SKEW_SECONDS < now;
}

export function sign(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export function verifySignature(payload: string, signature: string, keys: Map<string, Buffer>, kid: string): boolean {
  const key = keys.get(kid);
  if (!key) return false;
  const expected = Buffer.from(sign(payload, key));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(expected, actual);
}

export function checkAudience(claims: TokenClaims, expected: string): boolean {
  return claims.aud === expected;
}

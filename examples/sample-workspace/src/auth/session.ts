import type { TokenClaims } from './token';

export interface Session {
  id: string;
  userId: string;
  refreshToken: string;
  expiresAt: number;
}

const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export const SESSION_COOKIE = {
  name: 'll_session',
  httpOnly: true,
  secure: true,
  sameSite: 'lax' as const,
  path: '/',
};

let inflight: Promise<TokenClaims> | null = null;

export function refreshOnce(doRefresh: () => Promise<TokenClaims>): Promise<TokenClaims> {
  // every caller waiting on an expired token shares one refresh request
  inflight ??= doRefresh().finally(() => {
    inflight = null;
  });
  return inflight;
}

export function newSession(id: string, userId: string, refreshToken: string, now = Date.now()): Session {
  return { id, userId, refreshToken, expiresAt: now + SESSION_TTL_MS };
}

export function isSessionLive(s: Session, now = Date.now()): boolean {
  return s.expiresAt > now;
}

export function touch(s: Session, now = Date.now()): Session {
  // sliding expiry: the store TTL must be refreshed together with expiresAt
  return { ...s, expiresAt: now + SESSION_TTL_MS };
}

import { randomBytes } from 'node:crypto';
import type { Faults, SessionStore } from '../context.ts';
import { ApiError, type Session } from '../http/router.ts';

/** 401 for an unknown, revoked or expired token; jsforce refreshes the session on it. */
export function invalidSession(): ApiError {
  return new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
// Used only when a caller creates a session without naming the org (the Session type has no org).
const FALLBACK_ORG_ID = '00D8c0000000001';

export interface EmulatorSessionStore extends SessionStore {
  create(input: { userId: string; username: string; clientId: string; orgId?: string }): Session;
  /** Revokes one token; returns whether it was live. */
  revoke(accessToken: string): boolean;
  /** Makes every issued token expired, as if the TTL had passed (tests of session refresh). */
  expireAll(): void;
}

/**
 * Access tokens shaped like Salesforce's (`<15-char org id>!AQ…`, random, opaque). Each lives for
 * `faults.spec().tokenTtl` seconds as read when it is issued, so changing the TTL mid-run affects only
 * tokens issued afterwards.
 */
export function createSessionStore(faults: Faults, now: () => Date): EmulatorSessionStore {
  const sessions = new Map<string, Session>();
  let issuedSinceSweep = 0;

  const sweep = () => {
    const t = now().getTime();
    for (const [token, session] of sessions) if (session.expiresAt <= t) sessions.delete(token);
    issuedSinceSweep = 0;
  };

  return {
    create({ userId, username, clientId, orgId }) {
      // Clients that log in per call would otherwise grow the map without bound.
      if (++issuedSinceSweep >= 1000) sweep();
      const accessToken = `${(orgId ?? FALLBACK_ORG_ID).slice(0, 15)}!AQ${randomToken(110)}`;
      const session: Session = {
        accessToken,
        userId,
        username,
        clientId,
        expiresAt: now().getTime() + faults.spec().tokenTtl * 1000,
      };
      sessions.set(accessToken, session);
      return { ...session };
    },
    get(accessToken) {
      const session = sessions.get(accessToken);
      if (!session) return undefined;
      if (session.expiresAt <= now().getTime()) {
        sessions.delete(accessToken);
        return undefined;
      }
      return { ...session };
    },
    revoke(accessToken) {
      const live = this.get(accessToken) !== undefined;
      sessions.delete(accessToken);
      return live;
    },
    expireAll() {
      sessions.clear();
    },
  };
}

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let token = '';
  // 256 is a multiple of the 64-character alphabet, so every character is equally likely.
  for (const byte of bytes) token += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  return token;
}

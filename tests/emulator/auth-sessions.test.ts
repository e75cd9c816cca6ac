import { describe, expect, it } from 'vitest';
import { createSessionStore, invalidSession } from '../../local/emulator/auth/sessions.ts';
import { createFaults } from '../../local/emulator/faults.ts';

function fakeClock(start = Date.parse('2026-03-01T09:00:00Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(seconds: number) {
      t += seconds * 1000;
    },
  };
}

const user = {
  userId: '005000000000001AAA',
  username: 'integration@polyload.local',
  clientId: 'polyload-local',
};

describe('sessions', () => {
  it('issues opaque tokens shaped like Salesforce access tokens', () => {
    const sessions = createSessionStore(createFaults(), fakeClock().now);
    const a = sessions.create({ ...user, orgId: '00D8c000000ABCDEAA' });
    const b = sessions.create({ ...user, orgId: '00D8c000000ABCDEAA' });
    expect(a.accessToken).toMatch(/^00D8c000000ABCD!AQ[A-Za-z0-9._]{100,}$/);
    expect(a.accessToken).not.toBe(b.accessToken);
    expect(sessions.get(a.accessToken)).toMatchObject(user);
  });

  it('answers undefined for a token it never issued', () => {
    const sessions = createSessionStore(createFaults(), fakeClock().now);
    expect(sessions.get('00D000000000001!AQnotatoken')).toBeUndefined();
  });

  it('expires a token tokenTtl seconds after it was issued', () => {
    const clock = fakeClock();
    const sessions = createSessionStore(createFaults('tokenTtl=60'), clock.now);
    const { accessToken, expiresAt } = sessions.create(user);
    expect(expiresAt).toBe(clock.now().getTime() + 60_000);
    clock.advance(59);
    expect(sessions.get(accessToken)).toBeDefined();
    clock.advance(1);
    expect(sessions.get(accessToken)).toBeUndefined();
  });

  it('reads the TTL when a token is issued, so a changed TTL applies to new tokens only', () => {
    const clock = fakeClock();
    const faults = createFaults('tokenTtl=100');
    const sessions = createSessionStore(faults, clock.now);
    const long = sessions.create(user).accessToken;
    faults.set('tokenTtl=10');
    const short = sessions.create(user).accessToken;
    clock.advance(50);
    expect(sessions.get(long)).toBeDefined();
    expect(sessions.get(short)).toBeUndefined();
  });

  it('expires every token at once and revokes single tokens', () => {
    const sessions = createSessionStore(createFaults(), fakeClock().now);
    const a = sessions.create(user).accessToken;
    const b = sessions.create(user).accessToken;
    expect(sessions.revoke(a)).toBe(true);
    expect(sessions.revoke(a)).toBe(false);
    expect(sessions.get(a)).toBeUndefined();
    expect(sessions.get(b)).toBeDefined();
    sessions.expireAll();
    expect(sessions.get(b)).toBeUndefined();
  });

  it('builds the 401 error for an invalid session', () => {
    const err = invalidSession();
    expect([err.status, err.errorCode, err.message]).toEqual([
      401,
      'INVALID_SESSION_ID',
      'Session expired or invalid',
    ]);
  });
});

import { generateKeyPairSync, sign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConnectedApps } from '../../local/emulator/auth/connected-apps.ts';
import type { EmulatorSessionStore } from '../../local/emulator/auth/sessions.ts';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';

const CLIENT_ID = 'polyload-local';
const CLIENT_SECRET = 'polyload-local-secret';
const USERNAME = 'integration@polyload.local';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const VERSION = '62.0';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    apps: defaultConnectedApps({
      jwtCertificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    }),
  });
});

afterAll(async () => {
  await emu?.stop();
});

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256' })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: CLIENT_ID,
    sub: USERNAME,
    aud: emu.url,
    exp: Math.floor(Date.now() / 1000) + 180,
    ...overrides,
  };
}

function oauth2(clientSecret = CLIENT_SECRET, clientId = CLIENT_ID) {
  return new jsforce.OAuth2({ loginUrl: emu.url, clientId, clientSecret });
}

async function clientCredentialsConnection(): Promise<jsforce.Connection> {
  const conn = new jsforce.Connection({ oauth2: oauth2(), version: VERSION });
  await conn.authorize({ grant_type: 'client_credentials' });
  return conn;
}

async function postToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, string>,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}

const limitsPath = `/services/data/v${VERSION}/limits`;

describe('client credentials flow', () => {
  it('logs jsforce in as the run-as user and the token works on the REST API', async () => {
    const conn = new jsforce.Connection({ oauth2: oauth2(), version: VERSION });
    const userInfo = await conn.authorize({ grant_type: 'client_credentials' });
    expect(userInfo.organizationId).toMatch(/^00D\w{15}$/);
    expect(userInfo.id).toMatch(/^005\w{15}$/);
    expect(conn.instanceUrl).toBe(emu.url);
    expect(conn.accessToken).toMatch(new RegExp(`^${userInfo.organizationId.slice(0, 15)}!AQ`));

    const limits = await conn.request<Record<string, { Max: number; Remaining: number }>>(limitsPath);
    expect(limits.DailyApiRequests?.Max).toBe(15_000);
    expect(conn.limitInfo.apiUsage?.limit).toBe(15_000);
    expect(conn.limitInfo.apiUsage?.used).toBe(15_000 - (limits.DailyApiRequests?.Remaining ?? 0));

    const identity = await conn.identity();
    expect(identity).toMatchObject({
      username: USERNAME,
      user_id: userInfo.id,
      organization_id: userInfo.organizationId,
    });
  });

  it('answers with the fields Salesforce sends, JSON with charset, and no refresh token', async () => {
    const before = Date.now();
    const { status, contentType, body } = await postToken({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(status).toBe(200);
    expect(contentType).toBe('application/json;charset=UTF-8');
    expect(Object.keys(body).sort()).toEqual(
      ['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type'].sort(),
    );
    expect(body).toMatchObject({ instance_url: emu.url, token_type: 'Bearer', scope: 'api' });
    expect(body.id).toMatch(new RegExp(`^${emu.url}/id/00D\\w{15}/005\\w{15}$`));
    expect(Number(body.issued_at)).toBeGreaterThanOrEqual(before);
    expect(Buffer.from(body.signature ?? '', 'base64')).toHaveLength(32);
  });

  it('accepts the client credentials in an HTTP Basic header', async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const { status, body } = await postToken(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${basic}` },
    );
    expect(status).toBe(200);
    expect(body.access_token).toBeTypeOf('string');
  });

  it('rejects an unknown client id and a wrong secret the way jsforce reports them', async () => {
    const badId = new jsforce.Connection({ oauth2: oauth2(CLIENT_SECRET, 'someone-else'), version: VERSION });
    expect(await rejectionOf(badId.authorize({ grant_type: 'client_credentials' }))).toEqual({
      name: 'invalid_client_id',
      message: 'client identifier invalid',
    });
    const badSecret = new jsforce.Connection({ oauth2: oauth2('wrong'), version: VERSION });
    expect(await rejectionOf(badSecret.authorize({ grant_type: 'client_credentials' }))).toEqual({
      name: 'invalid_client',
      message: 'invalid client credentials',
    });
  });

  it('refuses client credentials on login.salesforce.com and test.salesforce.com', async () => {
    for (const host of ['login.salesforce.com', 'test.salesforce.com']) {
      const { status, body } = await rawPost(
        '/services/oauth2/token',
        `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
        host,
      );
      expect(status).toBe(400);
      expect(JSON.parse(body)).toEqual({
        error: 'invalid_grant',
        error_description: 'request not supported on this domain',
      });
    }
  });

  it('refuses grant types it does not support', async () => {
    const { status, body } = await postToken({ grant_type: 'password', username: USERNAME, password: 'x' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  });
});

describe('JWT bearer flow', () => {
  it('logs jsforce in with a signed assertion for the subject user', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
    const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion: jwt(claims()) });
    const identity = await conn.identity();
    expect(identity.username).toBe(USERNAME);
    expect(identity.user_id).toBe(userInfo.id);
  });

  it('accepts the login.salesforce.com audience and rejects others', async () => {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
    await conn.authorize({
      grant_type: JWT_GRANT,
      assertion: jwt(claims({ aud: 'https://login.salesforce.com' })),
    });
    expect(
      await rejectionOf(
        conn.authorize({
          grant_type: JWT_GRANT,
          assertion: jwt(claims({ aud: 'https://elsewhere.example.com' })),
        }),
      ),
    ).toEqual({ name: 'invalid_grant', message: 'audience is invalid' });
  });

  it.each([
    ['a foreign signature', () => jwt(claims(), strangerKey), 'invalid_grant', 'invalid assertion'],
    [
      'an expired assertion',
      () => jwt(claims({ exp: Math.floor(Date.now() / 1000) - 5 })),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an unknown user',
      () => jwt(claims({ sub: 'ghost@polyload.local' })),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    [
      'an unknown consumer key',
      () => jwt(claims({ iss: 'unknown-app' })),
      'invalid_client_id',
      'client identifier invalid',
    ],
  ])('rejects %s', async (_, make, name, message) => {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
    expect(await rejectionOf(conn.authorize({ grant_type: JWT_GRANT, assertion: make() }))).toEqual({
      name,
      message,
    });
  });
});

describe('sessions over HTTP', () => {
  it('answers 401 INVALID_SESSION_ID once the token has expired', async () => {
    const conn = await clientCredentialsConnection();
    (emu.context.sessions as EmulatorSessionStore).expireAll();
    const res = await fetch(`${emu.url}${limitsPath}`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([
      { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
    ]);
  });

  it('expires tokens after tokenTtl seconds of real time', async () => {
    emu.context.faults.set('tokenTtl=1');
    try {
      const authorized = await clientCredentialsConnection();
      // Without refreshFn or OAuth2 client info, jsforce surfaces the 401 as it is.
      const conn = new jsforce.Connection({
        instanceUrl: authorized.instanceUrl,
        accessToken: authorized.accessToken ?? undefined,
        version: VERSION,
      });
      await conn.request(limitsPath);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await rejectionOf(conn.request(limitsPath))).toEqual({
        name: 'INVALID_SESSION_ID',
        message: 'Session expired or invalid',
      });
      // With OAuth2 client info but no refresh token, jsforce tries to refresh and cannot.
      expect(await rejectionOf(authorized.request(limitsPath))).toEqual({
        name: 'Error',
        message: 'Unable to refresh session due to: No refresh token found in the connection',
      });
    } finally {
      emu.context.faults.set('tokenTtl=7200');
    }
  });

  it('lets a jsforce refreshFn mint a new token so a call after expiry succeeds transparently', async () => {
    const first = await clientCredentialsConnection();
    let refreshes = 0;
    const conn = new jsforce.Connection({
      instanceUrl: first.instanceUrl,
      accessToken: first.accessToken ?? undefined,
      version: VERSION,
      refreshFn: (_conn, callback) => {
        refreshes++;
        oauth2()
          .requestToken({ grant_type: 'client_credentials' })
          .then(
            (res) => callback(null, res.access_token, res),
            (err: Error) => callback(err),
          );
      },
    });
    await conn.request(limitsPath);
    (emu.context.sessions as EmulatorSessionStore).expireAll();
    const limits = await conn.request<Record<string, unknown>>(limitsPath);
    expect(limits.DailyApiRequests).toBeDefined();
    expect(refreshes).toBe(1);
    expect(conn.accessToken).not.toBe(first.accessToken);
  });

  it('revokes a token on jsforce logout', async () => {
    const conn = await clientCredentialsConnection();
    const token = conn.accessToken;
    await conn.logout();
    const res = await fetch(`${emu.url}${limitsPath}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});

describe('metering and faults around OAuth', () => {
  it('does not count token requests against the daily allocation', async () => {
    const conn = await clientCredentialsConnection();
    const before = (await conn.request<Record<string, { Remaining: number }>>(limitsPath)).DailyApiRequests
      ?.Remaining;
    for (let i = 0; i < 3; i++) await clientCredentialsConnection();
    const after = (await conn.request<Record<string, { Remaining: number }>>(limitsPath)).DailyApiRequests
      ?.Remaining;
    expect(before).toBeDefined();
    expect(after).toBe((before ?? 0) - 1);
  });

  it('keeps issuing tokens while API calls are throttled', async () => {
    const conn = await clientCredentialsConnection();
    emu.context.faults.set('throttle=1');
    try {
      const again = await clientCredentialsConnection();
      expect(again.accessToken).toBeTruthy();
      expect(await rejectionOf(conn.request(limitsPath))).toEqual({
        name: 'REQUEST_LIMIT_EXCEEDED',
        message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
      });
    } finally {
      emu.context.faults.set('throttle=0');
    }
  });

  it('refuses API calls with TotalRequests Limit exceeded once the allocation is used up', async () => {
    const conn = await clientCredentialsConnection();
    const used =
      15_000 -
      ((await conn.request<Record<string, { Remaining: number }>>(limitsPath)).DailyApiRequests?.Remaining ??
        0);
    emu.context.faults.set({ apiLimit: used + 1 });
    try {
      await conn.request(limitsPath);
      const res = await fetch(`${emu.url}${limitsPath}`, {
        headers: { authorization: `Bearer ${conn.accessToken}` },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${used + 1}/${used + 1}`);
      expect(await res.json()).toEqual([
        { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
      ]);
    } finally {
      emu.context.faults.set({ apiLimit: 15_000 });
    }
  });
});

/** A POST with an explicit Host header (fetch does not let a caller set Host). */
function rawPost(path: string, body: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ConnectedApp,
  ConnectedAppRegistry,
  defaultConnectedApps,
  readJwtCertificate,
} from '../../local/emulator/auth/connected-apps.ts';
import { type JwtBearerInput, OAuthError, verifyJwtBearer } from '../../local/emulator/auth/jwt-bearer.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

// A throwaway self-signed certificate (CN=polyload-emulator-test) and its key, for the X.509 path only.
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDJTCCAg2gAwIBAgIUMO/ur1VlM95jIbdKD2Is0jNG61owDQYJKoZIhvcNAQEL
BQAwITEfMB0GA1UEAwwWcG9seWxvYWQtZW11bGF0b3ItdGVzdDAgFw0yNjEyMDQx
NjAzNTNaGA8yMTI2MTExMDE2MDM1M1owITEfMB0GA1UEAwwWcG9seWxvYWQtZW11
bGF0b3ItdGVzdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ7dNgXu
mtzw/tnj+nztJ4iVQPttSt/pjhxPvdbacHmm6OQ+aHmXvrve3gygf8XdOWmx+zaG
Fbw4hLWHhIPEJN/Fy/Z9JyeoguLQO9UWtbdIc+HBKX1YzbAdj87R8f+G9z6yMu1S
kPrNaWYTVvD9rY1UqKdUcignix0sSjpnGTyom0L0fCpbxCkMQrj/4JZf1oWsxY4N
J9Rbq9ctZkGRZt8kweIN+r57nxEFS70zmMxF5EQ62efv6wtWdq/0AajPp9xBH5wU
y3udI5/h3TalKVYqp+j4cJJkMUPaOCKyz2linj/R2BjgHsDJmmqKynXX0Bq+Iq/d
wGQMtEXG0pR4meUCAwEAAaNTMFEwHQYDVR0OBBYEFKstWMfrcnU2nUxwei2woAsW
HIZDMB8GA1UdIwQYMBaAFKstWMfrcnU2nUxwei2woAsWHIZDMA8GA1UdEwEB/wQF
MAMBAf8wDQYJKoZIhvcNAQELBQADggEBABERYfkwdfe7Bh38gJlN4cKhKl0OuRw7
DZrYquKaxjOqlp/iAR1EkC4NNDKrb0a8QtqdDzAxqtRUBoFzdpJRQZY+XzkNDZ3V
qcvK9knCNbq4WkCmG2GdnYQIrp4PzC/RbMYOOU+DM648mg4ZZ8kicZQmtpBXTbnz
U7PxpN9snSe21MUy+8HsNQkOFtA2uE6TXOAXWKh/A7j1eug1DRAWO2YAU0vvdDE2
2BAbEh3HSfNKLrnk4L/ppmYuvapPWfTQ188ABnVabYZS/5FOgKxGbxzSExBmCHi1
ClFgLgDThmz9SFcbnZDZs0IfrK7Mbj6eFhrGLT4BzkKJ1DIeiJkPNhQ=
-----END CERTIFICATE-----
`;
const CERTIFICATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCe3TYF7prc8P7Z
4/p87SeIlUD7bUrf6Y4cT73W2nB5pujkPmh5l7673t4MoH/F3Tlpsfs2hhW8OIS1
h4SDxCTfxcv2fScnqILi0DvVFrW3SHPhwSl9WM2wHY/O0fH/hvc+sjLtUpD6zWlm
E1bw/a2NVKinVHIoJ4sdLEo6Zxk8qJtC9HwqW8QpDEK4/+CWX9aFrMWODSfUW6vX
LWZBkWbfJMHiDfq+e58RBUu9M5jMReREOtnn7+sLVnav9AGoz6fcQR+cFMt7nSOf
4d02pSlWKqfo+HCSZDFD2jgiss9pYp4/0dgY4B7AyZpqisp119AaviKv3cBkDLRF
xtKUeJnlAgMBAAECggEAJhDcaoR3cByA/IXPlhKfZ+9XkEdqawfEKQ2EcBCMZeH0
KQi5MPWG2u52p3Dn3On64VQn3TM4zw594h90RbyAl2wGSOxJLwwGPMHnrFISPbYr
KjuGLQZT1vDmbgjJY1CcOtYpNMuVeLsyl6ZnrTwj01snRF0MM4nyIA3mRWNB3VIq
ilTMzll+M7W6oYW3lLYEwkxisAVyeFIa06n6uUYgjXndx4T9osWZW+ldkQdP1PF8
L9nMp33ktdcMIZvINB0lEHleprg8cHI5xvaa7kEir5ARLvohheaMxQlK/T9cnOHO
ouO8x5L0PchIw0KnX1q1Bbvud/X64FSgm9vO3Ayh2wKBgQDT6jA70qA8vmvp4xGR
a49iatRmC0ErVDNZwCTR01cGRFZLkmrpe9V0zF9fHKp7kg9A6ALu165JKQAiObz5
MvUFUwCFV7zpTHLcgJDMuWoDmO67mJ5Ti8xCsbcWB1uwGhpjA6MZALasxVjcYvYc
Xrwsx24rJesRZumwjn1h2l0i6wKBgQC/6bxRcPBY0Eum7UDm8vhFmyoxjHY2hgh/
HsF2t0OM1KO2wVC06a9ItDlkufPavDFrWVEfBY2jOanSU+aFIeJoeWp7DAePfSbV
nasBO5LBgKSo+jLNBc9Or8X/uZqAS4iynsvKO1aIHdh2svU8Njo02NoM8f0ixw30
BGvumQnibwKBgQC8VF1HXRmAwm5fLqiXRzLncS+P/KKPIkZ8ldFjFGI7tJHImbgg
Biieo16CxZQRO64IreilYNKIPELdJ9j00r+EWs6UsnO2FnXh1vRYrNM1nT1VRP44
G36NKykeD64BZEFdC4dwGf0+sCgXvG8iqWKsnRQgjpNJJN+8Q/XT999bvwKBgQCF
NMaavMqGyuWH0uwWoZUEM2RBCh7PT488NOvR6/h+GuYbpujO+djJnRatPIjvTWr7
+P3ei2s5XX/rVoMN62wMWiI3kCz7QsIeyZZ1f5UorJMeGrQCLMMs+cJz8q8z17nl
SWVoVHGGfzjNgv/HMFiMb+xBygGLDyE3O45zCVScDwKBgEN3V3saJHcHGqhDnmr+
+XAEQJ79cEfwWujRVDYzSadD7acOS2nLVOk2ENWnfmSdZP3/9zybeKd7qhCEV5gk
JrWYs+zf/exWDcJXY9k2XmYqqqk6QKX54vlnIKsPHb/ExSRemC+yYzkXkzvZJYCA
Hjsa2MdDKaicUSZCO6qqt2a9
-----END PRIVATE KEY-----
`;

const NOW_MS = Date.parse('2026-03-01T09:00:00Z');
const NOW = NOW_MS / 1000;
const USERS = new Map([
  ['integration@polyload.local', '005000000000001AAA'],
  ['analyst@polyload.local', '005000000000002AAA'],
]);

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function assertion(
  claims: Record<string, unknown>,
  options: { key?: KeyObject | string; header?: unknown } = {},
) {
  const unsigned = `${b64url(options.header ?? { alg: 'RS256' })}.${b64url(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(unsigned), options.key ?? privateKey).toString(
    'base64url',
  );
  return `${unsigned}.${signature}`;
}

const goodClaims = {
  iss: 'polyload-local',
  sub: 'integration@polyload.local',
  aud: 'https://login.salesforce.com',
  exp: NOW + 180,
};

function check(
  jwt: string | null,
  apps: ConnectedApp[] = defaultConnectedApps({ jwtCertificate: publicPem }),
) {
  const input: JwtBearerInput = {
    assertion: jwt,
    apps: new ConnectedAppRegistry(apps),
    nowMs: NOW_MS,
    extraAudiences: ['http://127.0.0.1:4567'],
    findUser: (username) => {
      const id = USERS.get(username.toLowerCase());
      return id ? { id, username: username.toLowerCase() } : undefined;
    },
  };
  return verifyJwtBearer(input);
}

function rejection(run: () => unknown): { error: string; description: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof OAuthError) return { error: err.error, description: err.message };
    throw err;
  }
  throw new Error('expected the assertion to be rejected');
}

describe('JWT bearer assertions', () => {
  it('grants a token for a well-signed assertion to the subject user', () => {
    expect(check(assertion(goodClaims))).toMatchObject({
      app: { clientId: 'polyload-local' },
      userId: '005000000000001AAA',
      username: 'integration@polyload.local',
    });
  });

  it('verifies against an X.509 certificate as uploaded to a connected app', () => {
    const jwt = assertion(goodClaims, { key: CERTIFICATE_KEY });
    expect(check(jwt, defaultConnectedApps({ jwtCertificate: CERTIFICATE })).userId).toBe(
      '005000000000001AAA',
    );
  });

  it.each([
    ['test.salesforce.com', 'https://test.salesforce.com'],
    ['the emulator itself (My Domain)', 'http://127.0.0.1:4567/'],
    ['a list holding a valid audience', ['https://example.com', 'https://login.salesforce.com']],
  ])('accepts the audience %s', (_, aud) => {
    expect(check(assertion({ ...goodClaims, aud })).userId).toBe('005000000000001AAA');
  });

  it('accepts exp as a numeric string and far in the future (the Salesforce CLI sends milliseconds)', () => {
    expect(check(assertion({ ...goodClaims, exp: String(NOW + 60) })).userId).toBeDefined();
    expect(check(assertion({ ...goodClaims, exp: NOW_MS + 300 })).userId).toBeDefined();
  });

  it('takes the legacy prn claim over sub', () => {
    expect(check(assertion({ ...goodClaims, prn: 'analyst@polyload.local' })).userId).toBe(
      '005000000000002AAA',
    );
  });

  it.each<[string, () => string | null, string, string]>([
    ['a missing assertion', () => null, 'invalid_grant', 'invalid assertion'],
    ['an assertion that is not three parts', () => 'abc.def', 'invalid_grant', 'invalid assertion'],
    [
      'a header that is not JSON',
      () => `bm90IGpzb24.${b64url(goodClaims)}.c2ln`,
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an alg other than RS256',
      () => assertion(goodClaims, { header: { alg: 'HS256' } }),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'a signature by another key',
      () => assertion(goodClaims, { key: other.privateKey }),
      'invalid_grant',
      'invalid assertion',
    ],
    ['a tampered payload', () => tamper(assertion(goodClaims)), 'invalid_grant', 'invalid assertion'],
    [
      'an empty signature',
      () => assertion(goodClaims).replace(/\.[^.]+$/, '.'),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an unknown consumer key',
      () => assertion({ ...goodClaims, iss: 'nobody' }),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'another audience',
      () => assertion({ ...goodClaims, aud: 'https://example.my.salesforce.com' }),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'no audience',
      () => assertion({ ...goodClaims, aud: undefined }),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'an exp in the past',
      () => assertion({ ...goodClaims, exp: NOW - 1 }),
      'invalid_grant',
      'expired authorization code',
    ],
    ['no exp', () => assertion({ ...goodClaims, exp: undefined }), 'invalid_grant', 'invalid assertion'],
    [
      'an unknown user',
      () => assertion({ ...goodClaims, sub: 'ghost@polyload.local' }),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    [
      'no subject',
      () => assertion({ ...goodClaims, sub: undefined }),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
  ])('rejects %s', (_, make, error, description) => {
    expect(rejection(() => check(make()))).toEqual({ error, description });
  });

  it('rejects a valid assertion for an app that has no certificate', () => {
    expect(rejection(() => check(assertion(goodClaims), defaultConnectedApps()))).toEqual({
      error: 'invalid_grant',
      description: 'invalid assertion',
    });
  });

  it('rejects a user the app does not pre-authorize, and accepts any user when no list is set', () => {
    const restricted = [
      {
        ...defaultConnectedApps({ jwtCertificate: publicPem })[0],
        preAuthorizedUsers: ['Integration@polyload.local'],
      } as ConnectedApp,
    ];
    expect(check(assertion(goodClaims), restricted).username).toBe('integration@polyload.local');
    expect(
      rejection(() => check(assertion({ ...goodClaims, sub: 'analyst@polyload.local' }), restricted)),
    ).toEqual({
      error: 'invalid_grant',
      description: "user hasn't approved this consumer",
    });
    expect(check(assertion({ ...goodClaims, sub: 'analyst@polyload.local' })).userId).toBe(
      '005000000000002AAA',
    );
  });
});

function tamper(jwt: string): string {
  const [header, , signature] = jwt.split('.');
  return `${header}.${b64url({ ...goodClaims, sub: 'analyst@polyload.local' })}.${signature}`;
}

describe('connected app certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyload-jwt-cert-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a certificate file for --jwt-cert', () => {
    const path = join(dir, 'server.crt');
    writeFileSync(path, CERTIFICATE);
    expect(readJwtCertificate(path)).toBe(CERTIFICATE);
  });

  it('explains a missing file, a file that is not PEM and a key that is not RSA', () => {
    expect(() => readJwtCertificate(join(dir, 'missing.crt'))).toThrow(
      /Cannot read the JWT certificate .*missing\.crt/,
    );
    const junk = join(dir, 'junk.crt');
    writeFileSync(junk, 'hello');
    expect(() => readJwtCertificate(junk)).toThrow(
      /junk\.crt: expected a PEM X\.509 certificate or RSA public key/,
    );
    const ec = join(dir, 'ec.pem');
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    writeFileSync(ec, ecKey.export({ type: 'spki', format: 'pem' }));
    expect(() => readJwtCertificate(ec)).toThrow(/expected an RSA key for RS256, got ec/);
  });

  it('refuses two apps with the same consumer key', () => {
    expect(() => new ConnectedAppRegistry([...defaultConnectedApps(), ...defaultConnectedApps()])).toThrow(
      /Connected app polyload-local is defined twice/,
    );
  });
});

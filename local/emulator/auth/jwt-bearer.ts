import { verify } from 'node:crypto';
import type { ConnectedApp, ConnectedAppRegistry } from './connected-apps.ts';

/** An OAuth token-endpoint error: HTTP 400 with `{"error", "error_description"}`. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly status: number;
  readonly error: string;
  constructor(error: string, description: string, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

// The texts Salesforce answers with (observed): one generic text covers every malformed or badly
// signed assertion, so a client cannot probe which part failed.
export const invalidAssertion = () => new OAuthError('invalid_grant', 'invalid assertion');
export const invalidClientId = () => new OAuthError('invalid_client_id', 'client identifier invalid');
export const userNotApproved = () => new OAuthError('invalid_grant', "user hasn't approved this consumer");
export const audienceInvalid = () => new OAuthError('invalid_grant', 'audience is invalid');
export const assertionExpired = () => new OAuthError('invalid_grant', 'expired authorization code');

export const LOGIN_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

export interface JwtBearerInput {
  assertion: string | null | undefined;
  apps: ConnectedAppRegistry;
  /** Current time, ms since the epoch. */
  nowMs: number;
  /** Audiences besides login/test: the emulator's own base URL (it plays My Domain). */
  extraAudiences: string[];
  /** The active user with this username, or undefined. */
  findUser(username: string): { id: string; username: string } | undefined;
}

export interface JwtBearerGrant {
  app: ConnectedApp;
  userId: string;
  username: string;
}

/**
 * Checks a JWT bearer assertion the way Salesforce does: RS256 signature against the connected app's
 * certificate, `iss` = consumer key, `aud` = login/test/My Domain, `exp` not passed (a far-future `exp`
 * is accepted, as the Salesforce CLI relies on), `sub` (or legacy `prn`, which wins) an active,
 * pre-authorized user. Throws OAuthError.
 */
export function verifyJwtBearer(input: JwtBearerInput): JwtBearerGrant {
  const parts = (input.assertion ?? '').split('.');
  if (parts.length !== 3) throw invalidAssertion();
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (header.alg !== 'RS256') throw invalidAssertion();

  const clientId = typeof claims.iss === 'string' ? claims.iss : '';
  const app = input.apps.get(clientId);
  if (!app) throw invalidClientId();

  const key = input.apps.jwtKey(clientId);
  const signature = decodeBase64Url(signaturePart);
  if (!key || !signature || signature.length === 0) throw invalidAssertion();
  if (!verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, signature)) {
    throw invalidAssertion();
  }

  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = [...LOGIN_AUDIENCES, ...input.extraAudiences].map(normaliseUrl);
  if (!audiences.some((aud) => typeof aud === 'string' && accepted.includes(normaliseUrl(aud)))) {
    throw audienceInvalid();
  }

  const exp = numericDate(claims.exp);
  if (exp === undefined) throw invalidAssertion();
  if (exp * 1000 <= input.nowMs) throw assertionExpired();

  const subject =
    typeof claims.prn === 'string' ? claims.prn : typeof claims.sub === 'string' ? claims.sub : '';
  const user = subject ? input.findUser(subject) : undefined;
  // An unknown or inactive username gets the same answer as an unapproved one (the usual cause of
  // this error in practice is a sandbox username without its suffix).
  if (!user || !input.apps.isPreAuthorized(app, user.username)) throw userNotApproved();
  return { app, userId: user.id, username: user.username };
}

function decodeBase64Url(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  return Buffer.from(part, 'base64url');
}

function decodeJson(part: string): Record<string, unknown> {
  const bytes = decodeBase64Url(part);
  if (!bytes) throw invalidAssertion();
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the generic answer
  }
  throw invalidAssertion();
}

/** Seconds since the epoch, as a JSON number or a numeric string (Salesforce's own example uses a string). */
function numericDate(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

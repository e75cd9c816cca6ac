import { createSign } from 'node:crypto';
import { getParameters } from '@aws-lambda-powertools/parameters/ssm';
import {
  SalesforceAuthError,
  SalesforceRequestError,
  SalesforceThrottledError,
  SalesforceUnavailableError,
} from '../errors.ts';

export type SalesforceAuth =
  | { mode: 'client-credentials'; clientId: string; clientSecret: string }
  | { mode: 'jwt'; clientId: string; username: string; privateKey: string; audience?: string };

/** Everything needed to reach one org. Secrets live only here and in SSM, never in logs. */
export interface SalesforceSettings {
  /** My Domain URL (client credentials needs it), or login/test for JWT. */
  loginUrl: string;
  /** e.g. `62.0`; set explicitly because jsforce defaults to 50.0 (failedResults lack sf__Id < 53.0). */
  apiVersion: string;
  auth: SalesforceAuth;
}

export interface AccessToken {
  accessToken: string;
  instanceUrl: string;
}

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEFAULT_AUDIENCE = 'https://login.salesforce.com';
/** Parameters change rarely; five minutes keeps SSM calls off the hot path of warm invocations. */
const PARAMETERS_MAX_AGE_SECONDS = 300;

/**
 * Reads the settings under `path` (docs/architecture.md lists the names), decrypting SecureStrings.
 * Powertools caches them for a few minutes across warm invocations.
 */
export async function readSalesforceSettings(path: string, apiVersion: string): Promise<SalesforceSettings> {
  const parameters =
    (await getParameters(path, { decrypt: true, maxAge: PARAMETERS_MAX_AGE_SECONDS })) ??
    ({} as Record<string, string>);
  return salesforceSettingsFrom(parameters as Record<string, string>, apiVersion, path);
}

/** Validates raw parameters into settings; names the missing parameter, never echoes a value. */
export function salesforceSettingsFrom(
  parameters: Record<string, string | undefined>,
  apiVersion: string,
  path = '(parameters)',
): SalesforceSettings {
  const need = (name: string): string => {
    const value = parameters[name]?.trim();
    if (!value) throw new SalesforceAuthError(`SSM parameter ${path}/${name} is missing or empty`);
    return value;
  };
  const loginUrl = need('login-url').replace(/\/+$/, '');
  const mode = need('auth-mode');
  const clientId = need('client-id');
  if (mode === 'client-credentials') {
    return { loginUrl, apiVersion, auth: { mode, clientId, clientSecret: need('client-secret') } };
  }
  if (mode === 'jwt') {
    const auth: SalesforceAuth = {
      mode,
      clientId,
      username: need('username'),
      privateKey: need('private-key'),
    };
    const audience = parameters.audience?.trim();
    if (audience) auth.audience = audience;
    return { loginUrl, apiVersion, auth };
  }
  throw new SalesforceAuthError(
    `SSM parameter ${path}/auth-mode must be "jwt" or "client-credentials", got "${mode}"`,
  );
}

/**
 * An RS256 JWT bearer assertion: `iss` consumer key, `sub` username, `aud` login/test/My Domain,
 * `exp` three minutes from now (Salesforce's documented window).
 */
export function signJwtAssertion(input: {
  clientId: string;
  username: string;
  audience: string;
  privateKey: string;
  nowMs: number;
}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256' });
  const claims = encode({
    iss: input.clientId,
    sub: input.username,
    aud: input.audience,
    exp: Math.floor(input.nowMs / 1000) + 180,
  });
  const signature = createSign('RSA-SHA256')
    .update(`${header}.${claims}`)
    .sign(input.privateKey, 'base64url');
  return `${header}.${claims}.${signature}`;
}

/** Mints a new access token with the configured flow (neither flow issues a refresh token). */
export async function requestAccessToken(
  settings: SalesforceSettings,
  nowMs = Date.now(),
): Promise<AccessToken> {
  const { auth } = settings;
  const form = new URLSearchParams();
  if (auth.mode === 'jwt') {
    form.set('grant_type', JWT_BEARER_GRANT);
    let assertion: string;
    try {
      assertion = signJwtAssertion({
        clientId: auth.clientId,
        username: auth.username,
        audience: auth.audience ?? DEFAULT_AUDIENCE,
        privateKey: auth.privateKey,
        nowMs,
      });
    } catch (cause) {
      // The key's text is not in the message: Node's error names the format problem only.
      throw new SalesforceAuthError('The JWT private key cannot sign (expected an RSA key in PEM)', {
        cause,
      });
    }
    form.set('assertion', assertion);
  } else {
    form.set('grant_type', 'client_credentials');
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  }

  const url = `${settings.loginUrl}/services/oauth2/token`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form,
    });
  } catch (cause) {
    throw new SalesforceUnavailableError(`Cannot reach the Salesforce token endpoint ${url}`, { cause });
  }
  const text = await response.text();
  let body: { access_token?: string; instance_url?: string; error?: string; error_description?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page from a proxy); the status decides below.
  }
  if (response.ok && body.access_token && body.instance_url) {
    return { accessToken: body.access_token, instanceUrl: body.instance_url.replace(/\/+$/, '') };
  }
  const reason = body.error
    ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}`
    : `HTTP ${response.status}`;
  const cause = new Error(reason);
  const message = `Salesforce token request (${auth.mode}) refused: ${reason}`;
  if (response.status === 429 || response.status === 503)
    throw new SalesforceThrottledError(message, { cause });
  if (response.status >= 500) throw new SalesforceUnavailableError(message, { cause });
  if (
    /^(invalid_grant|invalid_client|unauthorized_client|inactive_user|inactive_org)/.test(body.error ?? '')
  ) {
    throw new SalesforceAuthError(message, { cause });
  }
  throw new SalesforceRequestError(message, { cause });
}

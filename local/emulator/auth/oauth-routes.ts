import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.ts';
import {
  ApiError,
  notFound,
  type RequestContext,
  type Router,
  readSmallBody,
  sendJson,
} from '../http/router.ts';
import { to18 } from '../ids.ts';
import { type ConnectedApp, ConnectedAppRegistry } from './connected-apps.ts';
import { invalidClientId, OAuthError, verifyJwtBearer } from './jwt-bearer.ts';
import { findActiveUser } from './users.ts';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Hosts where Salesforce refuses client credentials: that flow needs the org's My Domain. */
const LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com']);

const TOKEN_HEADERS = {
  'Content-Type': 'application/json;charset=UTF-8',
  // Token responses must never be cached (RFC 6749 §5.1); these are the values Salesforce sends.
  'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private',
  Pragma: 'no-cache',
};

/**
 * The OAuth 2.0 token endpoint (client credentials and JWT bearer; no refresh tokens, as neither flow
 * issues one), token revocation and the identity URL. OAuth calls are neither metered nor faulted:
 * Salesforce does not count them against the daily allocation.
 */
export function registerOAuthRoutes(router: Router, ctx: EmulatorContext, apps: ConnectedApp[]): void {
  const registry = new ConnectedAppRegistry(apps);
  // Signs the `signature` field when an app has no secret (JWT-only apps).
  const serverSecret = randomBytes(32);

  router.add('POST', '/services/oauth2/token', (rc) => issueToken(rc, ctx, registry, serverSecret), {
    auth: false,
    metered: false,
  });

  const revoke = (rc: RequestContext) => revokeToken(rc, ctx);
  router.add('POST', '/services/oauth2/revoke', revoke, { auth: false, metered: false });
  router.add('GET', '/services/oauth2/revoke', revoke, { auth: false, metered: false });

  router.add('GET', '/id/:orgId/:userId', (rc) => sendJson(rc, 200, identity(rc, ctx)), { metered: false });
}

async function issueToken(
  rc: RequestContext,
  ctx: EmulatorContext,
  registry: ConnectedAppRegistry,
  serverSecret: Buffer,
): Promise<void> {
  try {
    const form = new URLSearchParams(await readSmallBody(rc.req, 65_536));
    const grantType = form.get('grant_type');
    let grant: { app: ConnectedApp; userId: string; username: string };
    if (grantType === 'client_credentials') {
      grant = clientCredentials(rc, ctx, registry, form);
    } else if (grantType === JWT_BEARER_GRANT) {
      grant = verifyJwtBearer({
        assertion: form.get('assertion'),
        apps: registry,
        nowMs: ctx.now().getTime(),
        extraAudiences: [rc.baseUrl],
        findUser: (username) => {
          const user = findActiveUser(ctx, username);
          return user && { id: user.id, username: String(user.record.Username ?? username) };
        },
      });
    } else {
      throw new OAuthError('unsupported_grant_type', 'grant type not supported');
    }

    const orgId = to18(ctx.schema.org.organizationId);
    // The store takes the org id beyond the SessionStore contract so tokens carry it like real ones.
    const sessionInput = {
      userId: grant.userId,
      username: grant.username,
      clientId: grant.app.clientId,
      orgId,
    };
    const session = ctx.sessions.create(sessionInput);
    const id = `${rc.baseUrl}/id/${orgId}/${to18(grant.userId)}`;
    const issuedAt = String(ctx.now().getTime());
    // Salesforce signs id + issued_at with the consumer secret so a client can check the response.
    const signature = createHmac('sha256', grant.app.clientSecret ?? serverSecret)
      .update(id + issuedAt)
      .digest('base64');
    rc.res.writeHead(200, TOKEN_HEADERS);
    rc.res.end(
      JSON.stringify({
        access_token: session.accessToken,
        signature,
        scope: 'api',
        instance_url: rc.baseUrl,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      }),
    );
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    rc.res.writeHead(err.status, TOKEN_HEADERS);
    rc.res.end(JSON.stringify({ error: err.error, error_description: err.message }));
  }
}

function clientCredentials(
  rc: RequestContext,
  ctx: EmulatorContext,
  registry: ConnectedAppRegistry,
  form: URLSearchParams,
): { app: ConnectedApp; userId: string; username: string } {
  const host = String(rc.req.headers.host ?? '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  if (LOGIN_HOSTS.has(host)) throw new OAuthError('invalid_grant', 'request not supported on this domain');

  const basic = basicCredentials(rc.req.headers.authorization);
  const clientId = form.get('client_id') ?? basic?.clientId ?? '';
  const clientSecret = form.get('client_secret') ?? basic?.clientSecret ?? '';
  const app = registry.get(clientId);
  if (!app) throw invalidClientId();
  if (app.clientSecret === undefined || app.clientSecret !== clientSecret) {
    throw new OAuthError('invalid_client', 'invalid client credentials');
  }
  const runAs = app.runAs === undefined ? undefined : findActiveUser(ctx, app.runAs);
  if (!runAs) throw new OAuthError('invalid_grant', 'no client credentials user enabled');
  return { app, userId: runAs.id, username: String(runAs.record.Username ?? app.runAs) };
}

/** `Authorization: Basic base64(client_id:client_secret)`, each part form-encoded per RFC 6749 §2.3.1. */
function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return {
    clientId: formDecode(decoded.slice(0, colon)),
    clientSecret: formDecode(decoded.slice(colon + 1)),
  };
}

/** Revocation answers 200 with no body; an unknown token gets a form-encoded error (jsforce parses it so). */
async function revokeToken(rc: RequestContext, ctx: EmulatorContext): Promise<void> {
  const form = new URLSearchParams(rc.method === 'GET' ? rc.query : await readSmallBody(rc.req, 65_536));
  const token = form.get('token') ?? '';
  const sessions = ctx.sessions as { revoke?: (token: string) => boolean };
  if (token && sessions.revoke?.(token)) {
    rc.res.writeHead(200);
    rc.res.end();
    return;
  }
  rc.res.writeHead(400, { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' });
  rc.res.end(new URLSearchParams({ error: 'invalid_token', error_description: 'invalid token' }).toString());
}

/** The identity service body for the session's own user (the fields clients read). */
function identity(rc: RequestContext, ctx: EmulatorContext): Record<string, unknown> {
  const session = rc.session;
  if (!session) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  const orgId = to18(ctx.schema.org.organizationId);
  const userId = to18(session.userId);
  const sameId = (a: string | undefined, b: string) => a !== undefined && a.slice(0, 15) === b.slice(0, 15);
  if (!sameId(rc.params.orgId, orgId) || !sameId(rc.params.userId, userId)) throw notFound();
  const record = ctx.store.findById(userId)?.record ?? {};
  const text = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : null);
  const firstName = text('FirstName');
  const lastName = text('LastName');
  const base = rc.baseUrl;
  const urls: Record<string, string> = {
    enterprise: `${base}/services/Soap/c/{version}/${orgId}`,
    metadata: `${base}/services/Soap/m/{version}/${orgId}`,
    partner: `${base}/services/Soap/u/{version}/${orgId}`,
    rest: `${base}/services/data/v{version}/`,
    sobjects: `${base}/services/data/v{version}/sobjects/`,
    search: `${base}/services/data/v{version}/search/`,
    query: `${base}/services/data/v{version}/query/`,
    recent: `${base}/services/data/v{version}/recent/`,
    profile: `${base}/${userId}`,
    users: `${base}/services/data/v{version}/chatter/users`,
    custom_domain: base,
  };
  return {
    id: `${base}/id/${orgId}/${userId}`,
    asserted_user: true,
    user_id: userId,
    organization_id: orgId,
    username: session.username,
    nick_name: text('CommunityNickname'),
    display_name: [firstName, lastName].filter(Boolean).join(' ') || session.username,
    email: text('Email'),
    email_verified: true,
    first_name: firstName,
    last_name: lastName,
    timezone: text('TimeZoneSidKey'),
    active: record.IsActive !== false,
    user_type: 'STANDARD',
    language: text('LanguageLocaleKey'),
    locale: text('LocaleSidKey'),
    utcOffset: 0,
    urls,
    is_app_installed: true,
    is_lightning_login_user: false,
  };
}

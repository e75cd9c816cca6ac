import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import { ApiError, type RequestContext, type Router } from './http/router.ts';

/** API versions this emulator serves: Salesforce answers 410 below the oldest supported version. */
export const OLDEST_API_VERSION = 31;
export const LATEST_API_VERSION = '66.0';

const VERSIONED_PATH = /^\/services\/data\/v(\d+\.\d)(?:\/|$)/i;

/**
 * Applies what every Salesforce REST call goes through — version check, bearer session, the daily API
 * allocation, injected faults — then hands over to the route. Errors become Salesforce's JSON envelope.
 */
export function createEmulatorServer(router: Router, ctx: EmulatorContext): Server {
  return createServer((req, res) => {
    handle(router, ctx, req, res).catch((err: unknown) => {
      // Only reached if writing the error itself failed (client went away): nothing left to tell it.
      if (!res.headersSent) res.writeHead(500);
      res.end();
      if (process.env.POLYLOAD_EMULATOR_DEBUG) process.stderr.write(`emulator: ${String(err)}\n`);
    });
  });
}

async function handle(router: Router, ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const versionMatch = VERSIONED_PATH.exec(url.pathname);
  const request: RequestContext = {
    req,
    res,
    method,
    path: url.pathname,
    query: url.searchParams,
    params: {},
    apiVersion: versionMatch?.[1],
    session: undefined,
    baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
  };
  try {
    const matched = router.match(method, url.pathname);
    if (!matched.route) {
      if (matched.methodNotAllowed.length > 0) {
        throw new ApiError(
          405,
          'METHOD_NOT_ALLOWED',
          `HTTP Method '${method}' not allowed. Allowed are ${[...new Set(matched.methodNotAllowed)].join(',')}`,
        );
      }
      throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    request.params = matched.params;
    checkApiVersion(request.apiVersion);
    const { options } = matched.route;
    if (options.auth) {
      const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
      request.session = token ? ctx.sessions.get(token) : undefined;
      if (!request.session) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      // Records written by this request carry its user as CreatedById / default OwnerId.
      ctx.store.setActingUser(request.session.userId);
    }
    if (options.metered) {
      if (!ctx.limits.consume()) {
        res.setHeader('Sforce-Limit-Info', ctx.limits.usageHeader());
        throw new ApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      }
      res.setHeader('Sforce-Limit-Info', ctx.limits.usageHeader());
      const fault = ctx.faults.requestFault(method, url.pathname);
      if (fault) throw new ApiError(fault.status, fault.errorCode, fault.message);
    }
    await matched.route.handler(request);
  } catch (err) {
    sendError(request, err);
  }
}

function checkApiVersion(version: string | undefined): void {
  if (version === undefined) return;
  const n = Number(version);
  if (n < OLDEST_API_VERSION) {
    // Retired versions answer 410 GONE; the body text is not documented.
    throw new ApiError(410, 'API_VERSION_RETIRED', `API version ${version} has been retired`);
  }
  if (n > Number(LATEST_API_VERSION))
    throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

function sendError(ctx: RequestContext, err: unknown): void {
  const { req, res } = ctx;
  // A request body the handler never read (an injected fault on an upload) must be drained, or a
  // streaming client sees a reset instead of the error response.
  if (!req.readableEnded) req.resume();
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const apiError =
    err instanceof ApiError
      ? err
      : new ApiError(
          500,
          'UNKNOWN_EXCEPTION',
          'An unexpected error occurred. Please include this ErrorId if you contact support: 0-0 (emulator)',
        );
  if (!(err instanceof ApiError) && process.env.POLYLOAD_EMULATOR_DEBUG) {
    process.stderr.write(`emulator: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  res.writeHead(apiError.status, { 'Content-Type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify([{ errorCode: apiError.errorCode, message: apiError.message }]));
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Salesforce's REST error envelope: a JSON array of `{errorCode, message}`. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export const notFound = () => new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

export interface Session {
  accessToken: string;
  userId: string;
  username: string;
  clientId: string;
  expiresAt: number;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query string, as requested. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** API version from the path, e.g. "62.0"; undefined outside /services/data/vXX.X. */
  apiVersion: string | undefined;
  /** The authenticated session; routes registered with `auth: false` see undefined. */
  session: Session | undefined;
  /** Origin the client used, e.g. http://127.0.0.1:51234 (for instance_url and nextRecordsUrl). */
  baseUrl: string;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteOptions {
  /** Defaults to true: the request needs a valid `Authorization: Bearer` session. */
  auth?: boolean;
  /** Defaults to true: the request counts against the daily API allocation and sees fault injection. */
  metered?: boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
  options: Required<RouteOptions>;
}

/**
 * A small path router. Patterns use `:name` segments; matching ignores a trailing slash and the case
 * of literal segments (real clients send `unprocessedRecords` and `unprocessedrecords`).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler, options: RouteOptions = {}): void {
    const keys: string[] = [];
    const source = path
      .replace(/\/+$/, '')
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          keys.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({
      method,
      pattern: new RegExp(`^${source}/?$`, 'i'),
      keys,
      handler,
      options: { auth: options.auth ?? true, metered: options.metered ?? true },
    });
  }

  /** The route for this method and path; `methodNotAllowed` lists methods when only the path matched. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { route: undefined; methodNotAllowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return { route: undefined, methodNotAllowed: allowed };
  }
}

export type { Route };

/** Writes a JSON response. */
export function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  sendJsonText(ctx, status, JSON.stringify(body));
}

/** Writes pre-serialised JSON (for shapes that need exact number text such as `"apiVersion":62.0`). */
export function sendJsonText(ctx: RequestContext, status: number, text: string): void {
  ctx.res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
  ctx.res.end(text);
}

/** Writes a response with no body (201 upload, 204 delete). */
export function sendEmpty(ctx: RequestContext, status: number): void {
  ctx.res.writeHead(status);
  ctx.res.end();
}

/** Streams a CSV body, gzip-compressed when the client sent `Accept-Encoding: gzip`. */
export async function sendCsv(ctx: RequestContext, status: number, body: Readable): Promise<void> {
  const gzip = /\bgzip\b/i.test(String(ctx.req.headers['accept-encoding'] ?? ''));
  ctx.res.writeHead(status, {
    'Content-Type': 'text/csv; charset=UTF-8',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  if (gzip) await pipeline(body, createGzip(), ctx.res);
  else await pipeline(body, ctx.res);
}

/** Reads a whole small request body (JSON, form); request size is capped to keep memory bounded. */
export async function readSmallBody(req: IncomingMessage, limit = 1_048_576): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson<T>(ctx: RequestContext): Promise<T> {
  const text = await readSmallBody(ctx.req);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'Unexpected character in JSON request body');
  }
}

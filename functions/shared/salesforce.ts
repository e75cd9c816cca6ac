/**
 * The Salesforce port's jsforce adapter. One connection per container (module scope), reused across
 * warm invocations; tokens are cached the same way and re-minted when Salesforce says
 * INVALID_SESSION_ID. Every failure leaves here as one of the named errors of errors.ts.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { Connection } from 'jsforce';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import { config } from './config.ts';
import type { Operation } from './contracts.ts';
import {
  SalesforceAuthError,
  SalesforceRequestError,
  SalesforceThrottledError,
  SalesforceUnavailableError,
} from './errors.ts';
import {
  type AccessToken,
  readSalesforceSettings,
  requestAccessToken,
  type SalesforceSettings,
} from './salesforce/auth.ts';
import { isNamedSalesforceError, statusError, toSalesforceError } from './salesforce/error-mapping.ts';
import type {
  DescribeField,
  GlobalDescribeEntry,
  IngestJobInfo,
  ResultKind,
  SalesforcePort,
  SObjectDescribe,
} from './salesforce-port.ts';

export type { SalesforceSettings } from './salesforce/auth.ts';

/** `api-usage=N/M` as last reported by Salesforce. */
export interface ApiUsage {
  used: number;
  limit: number;
}

/** The port plus what handlers need for observability. */
export interface SalesforceAdapter extends SalesforcePort {
  describeGlobal(): Promise<GlobalDescribeEntry[]>;
  /** Usage from the last `Sforce-Limit-Info` header seen, if any response carried one. */
  apiUsage(): ApiUsage | undefined;
  /** Reads DailyApiRequests from `/limits` (one API call). */
  fetchApiUsage(): Promise<ApiUsage>;
  /** Called with every throttled answer, so handlers can count them as a metric. */
  onThrottled(listener: () => void): void;
}

type HttpRequest = { method: string; url: string; headers?: Record<string, string> };
type HttpResponse = { statusCode: number; headers: Record<string, string>; body: string };
type Transport = { httpRequest(req: HttpRequest, options?: object): StreamPromise<HttpResponse> };

/**
 * jsforce retries 420/429/5xx itself (5 times, 0.5 s doubling) — but on a PUT it would resend an
 * upload stream that is already consumed, so PUT is left to the state machine, which retries the
 * whole Upload step and recreates the job. Two quick retries absorb blips; longer waits belong to the
 * state machine's backoff with jitter, not to a billed Lambda sleeping.
 */
const TRANSPORT_RETRY = {
  maxRetries: 2,
  methods: ['GET', 'HEAD', 'OPTIONS', 'DELETE'],
};

/** Tokens by org and identity, shared by every port in this container. */
const tokenCache = new Map<string, AccessToken>();

/** Org, app, user and a digest of the credential: a rotated key or secret never reuses an old token. */
const tokenCacheKey = (s: SalesforceSettings) =>
  createHash('sha256')
    .update(
      [
        s.loginUrl,
        s.auth.clientId,
        s.auth.mode === 'jwt' ? `${s.auth.username}\n${s.auth.privateKey}` : s.auth.clientSecret,
      ].join('\n'),
    )
    .digest('base64');

/** A port for one org; tests use this to aim it at the emulator. */
export function createSalesforcePort(settings: SalesforceSettings): SalesforceAdapter {
  let calls = 0;
  let usage: ApiUsage | undefined;
  const throttledListeners: (() => void)[] = [];
  let lastRefreshError: Error | undefined;
  let connection: Promise<Connection> | undefined;

  const observe = (headers: Record<string, string | null | undefined>) => {
    const match = /api-usage=(\d+)\/(\d+)/.exec(headers['sforce-limit-info'] ?? '');
    if (match) usage = { used: Number(match[1]), limit: Number(match[2]) };
  };
  const reported = new WeakSet<Error>();
  const fail = (error: Error): Error => {
    // The same error passes here from the transport and again from the operation: count it once.
    if (error instanceof SalesforceThrottledError && !reported.has(error)) {
      reported.add(error);
      for (const listener of throttledListeners) listener();
    }
    return error;
  };

  const mint = async (): Promise<AccessToken> => {
    const token = await requestAccessToken(settings);
    tokenCache.set(tokenCacheKey(settings), token);
    return token;
  };

  const connect = async (): Promise<Connection> => {
    const token = tokenCache.get(tokenCacheKey(settings)) ?? (await mint());
    const conn = new Connection({
      loginUrl: settings.loginUrl,
      instanceUrl: token.instanceUrl,
      accessToken: token.accessToken,
      version: settings.apiVersion,
      // No refresh token exists for these flows: a new assertion/credential grant is the refresh.
      refreshFn: (c, callback) => {
        mint().then(
          (fresh) => {
            c.instanceUrl = fresh.instanceUrl;
            callback(null, fresh.accessToken);
          },
          (error: Error) => {
            lastRefreshError = error;
            callback(error);
          },
        );
      },
    });
    wrapTransport(conn);
    return conn;
  };

  /** Counts requests, reads usage headers and turns status-level failures into named errors. */
  const wrapTransport = (conn: Connection) => {
    const inner = conn._transport as unknown as Transport;
    const wrapped: Transport = {
      httpRequest(req, options = {}) {
        calls++;
        const sent = inner.httpRequest(req, { ...options, retry: TRANSPORT_RETRY });
        const stream = sent.stream();
        stream.on('retry', () => calls++);
        const promise = Promise.resolve(sent).then(
          (res) => {
            observe(res.headers);
            // A 401 on the streamed upload must not be replayed by jsforce's refresh: the body is gone.
            if (res.statusCode === 401 && req.method === 'PUT') {
              tokenCache.delete(tokenCacheKey(settings));
              throw new SalesforceUnavailableError(
                'The session expired during the upload; the job will be recreated',
              );
            }
            const error = statusError(res.statusCode, res.body, `${req.method} ${pathOf(req.url)}`);
            if (error) throw fail(error);
            return res;
          },
          (error: Error) => {
            throw fail(toSalesforceError(error, `${req.method} ${pathOf(req.url)}`));
          },
        );
        return StreamPromise.create(() => ({ stream, promise }));
      },
    };
    conn._transport = wrapped as unknown as Connection['_transport'];
  };

  const conn = () =>
    (connection ??= connect().catch((error: unknown) => {
      connection = undefined;
      throw error;
    }));

  /** Runs one port operation with errors mapped (jsforce's own errors carry the errorCode as name). */
  const call = async <T>(what: string, run: (c: Connection) => Promise<T>): Promise<T> => {
    const c = await conn();
    try {
      return await run(c);
    } catch (error) {
      if (error instanceof Error && /^Unable to refresh session/.test(error.message) && lastRefreshError) {
        throw fail(lastRefreshError);
      }
      throw fail(toSalesforceError(error, what));
    }
  };

  const ingest = (c: Connection, jobId: string) => c.bulk2.job('ingest', { id: jobId });

  const fetchResults = async (jobId: string, kind: ResultKind, retried = false): Promise<Readable> => {
    const c = await conn();
    const what = `GET ${kind} of job ${jobId}`;
    const url = `${c.instanceUrl}/services/data/v${settings.apiVersion}/jobs/ingest/${jobId}/${kind}`;
    const sentAt = Date.now();
    calls++;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${c.accessToken}`, Accept: 'text/csv' },
      });
    } catch (error) {
      throw fail(toSalesforceError(error, what));
    }
    observe({ 'sforce-limit-info': response.headers.get('sforce-limit-info') });
    if (response.status === 401 && !retried) {
      await response.body?.cancel();
      try {
        await c._refreshDelegate?.refresh(sentAt);
      } catch {
        throw fail(lastRefreshError ?? new SalesforceAuthError('Salesforce session refresh failed'));
      }
      return fetchResults(jobId, kind, true);
    }
    if (!response.ok || !response.body) {
      const body = await response.text();
      throw fail(
        statusError(response.status, body, what) ??
          toSalesforceError(apiErrorOf(body, response.status), what),
      );
    }
    // Mid-body failures (a reset socket) surface as the retryable kind, like the request itself.
    const out = new PassThrough();
    const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    source.on('error', (error) => out.destroy(toSalesforceError(error, what)));
    source.pipe(out);
    return out;
  };

  return {
    async describe(object) {
      return call(`describe ${object}`, async (c) => toDescribe(await c.describe(object)));
    },
    async describeGlobal() {
      return call('describe the org (global)', async (c) =>
        (await c.describeGlobal()).sobjects.map((o) => ({ name: o.name, keyPrefix: o.keyPrefix ?? null })),
      );
    },
    async createJob({ object, operation, externalIdFieldName }) {
      return call(`create ${operation} job on ${object}`, async (c) => {
        const job = c.bulk2.createJob({
          object,
          operation,
          ...(externalIdFieldName ? { externalIdFieldName } : {}),
          contentType: 'CSV',
          columnDelimiter: 'COMMA',
          lineEnding: 'LF',
        });
        return toJobInfo((await job.open()) as RawJobInfo);
      });
    },
    async uploadJobData(jobId, csv) {
      await call(`upload data of job ${jobId}`, async (c) => {
        // jsforce pipes the input but ignores its errors: race them, or a failed S3 read would hang.
        let onError: (error: Error) => void = () => {};
        const sourceFailed = new Promise<never>((_, reject) => {
          onError = (error) =>
            reject(
              new SalesforceUnavailableError(`Reading the part failed: ${error.message}`, { cause: error }),
            );
          csv.once('error', onError);
        });
        try {
          await Promise.race([ingest(c, jobId).uploadData(csv), sourceFailed]);
        } finally {
          csv.off('error', onError);
        }
      });
    },
    async closeJob(jobId) {
      return call(`close job ${jobId}`, async (c) => {
        const job = ingest(c, jobId);
        await job.close();
        return toJobInfo(job.getInfo() as RawJobInfo);
      });
    },
    async abortJob(jobId) {
      return call(`abort job ${jobId}`, async (c) => {
        const job = ingest(c, jobId);
        await job.abort();
        return toJobInfo(job.getInfo() as RawJobInfo);
      });
    },
    async jobInfo(jobId) {
      return call(`read job ${jobId}`, async (c) => toJobInfo(await ingest(c, jobId).check()));
    },
    results: (jobId, kind) => fetchResults(jobId, kind),
    apiCalls: () => calls,
    apiUsage: () => usage,
    async fetchApiUsage() {
      return call('read limits', async (c) => {
        const limits = (await c.limits()) as { DailyApiRequests?: { Max: number; Remaining: number } };
        const daily = limits.DailyApiRequests;
        if (!daily) throw new SalesforceRequestError('The /limits response has no DailyApiRequests');
        usage = { used: daily.Max - daily.Remaining, limit: daily.Max };
        return usage;
      });
    },
    onThrottled(listener) {
      throttledListeners.push(listener);
    },
  };
}

let shared: Promise<SalesforceAdapter> | undefined;

/** The container's port, configured from the environment and SSM on first use. */
export function salesforce(): Promise<SalesforceAdapter> {
  shared ??= (async () => {
    const { salesforceParameterPath, salesforceApiVersion } = config(
      'salesforceParameterPath',
      'salesforceApiVersion',
    );
    return createSalesforcePort(await readSalesforceSettings(salesforceParameterPath, salesforceApiVersion));
  })().catch((error: unknown) => {
    shared = undefined;
    throw isNamedSalesforceError(error) ? error : toSalesforceError(error, 'read Salesforce settings');
  });
  return shared;
}

/** Forget cached tokens and the shared port (tests that restart the emulator). */
export function resetSalesforce(): void {
  tokenCache.clear();
  shared = undefined;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function apiErrorOf(body: string, status: number): Error {
  try {
    const parsed = JSON.parse(body) as { errorCode?: string; message?: string }[];
    const first = Array.isArray(parsed) ? parsed[0] : undefined;
    if (first?.errorCode)
      return Object.assign(new Error(first.message ?? first.errorCode), { name: first.errorCode });
  } catch {
    // fall through
  }
  return Object.assign(new Error(`HTTP ${status}`), { name: `ERROR_HTTP_${status}` });
}

type RawJobInfo = {
  id: string;
  object: string;
  operation: string;
  state: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
};

function toJobInfo(raw: RawJobInfo): IngestJobInfo {
  const info: IngestJobInfo = {
    id: raw.id,
    object: raw.object,
    operation: raw.operation as Operation,
    state: raw.state as IngestJobInfo['state'],
  };
  if (raw.numberRecordsProcessed !== undefined)
    info.numberRecordsProcessed = Number(raw.numberRecordsProcessed);
  if (raw.numberRecordsFailed !== undefined) info.numberRecordsFailed = Number(raw.numberRecordsFailed);
  if (raw.errorMessage) info.errorMessage = raw.errorMessage;
  return info;
}

type RawDescribe = {
  name: string;
  keyPrefix?: string | null;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: Record<string, unknown>[];
};

function toDescribe(raw: RawDescribe): SObjectDescribe {
  return {
    name: raw.name,
    keyPrefix: raw.keyPrefix ?? null,
    createable: raw.createable,
    updateable: raw.updateable,
    deletable: raw.deletable,
    fields: raw.fields.map(toDescribeField),
  };
}

function toDescribeField(f: Record<string, unknown>): DescribeField {
  const bool = (name: string) => f[name] === true;
  return {
    name: String(f.name),
    label: String(f.label ?? f.name),
    type: String(f.type),
    length: Number(f.length ?? 0),
    nillable: bool('nillable'),
    createable: bool('createable'),
    updateable: bool('updateable'),
    defaultedOnCreate: bool('defaultedOnCreate'),
    externalId: bool('externalId'),
    idLookup: bool('idLookup'),
    unique: bool('unique'),
    referenceTo: Array.isArray(f.referenceTo) ? (f.referenceTo as string[]) : [],
    relationshipName: typeof f.relationshipName === 'string' ? f.relationshipName : null,
    polymorphicForeignKey: bool('polymorphicForeignKey'),
    precision: Number(f.precision ?? 0),
    scale: Number(f.scale ?? 0),
    digits: Number(f.digits ?? 0),
    picklistValues: Array.isArray(f.picklistValues)
      ? (
          f.picklistValues as { value: string; label?: string; active: boolean; validFor?: string | null }[]
        ).map((p) => ({
          value: p.value,
          label: p.label ?? p.value,
          active: p.active,
          ...(p.validFor ? { validFor: p.validFor } : {}),
        }))
      : [],
    restrictedPicklist: bool('restrictedPicklist'),
    compoundFieldName: typeof f.compoundFieldName === 'string' ? f.compoundFieldName : null,
    controllerName: typeof f.controllerName === 'string' ? f.controllerName : null,
  };
}

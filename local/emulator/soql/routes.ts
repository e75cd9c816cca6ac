import type { EmulatorContext } from '../context.ts';
import { ApiError, type RequestContext, type Router, sendJson } from '../http/router.ts';
import { IdGenerator, isValidId, to18 } from '../ids.ts';
import { SqliteRecordStore } from '../store/sqlite-store.ts';
import type { CompiledQuery } from './compile.ts';
import { compileSoql } from './compile.ts';
import { type JsonRecord, prepareQuery, type QueryCursor, readPage, shapeRecord } from './execute.ts';
import { parseSoql } from './parser.ts';

const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;
/** Salesforce drops a query locator after 15 minutes without use. */
const CURSOR_IDLE_MS = 15 * 60_000;
/** Open cursors kept at most; the least recently used goes first (each holds a query, not rows). */
const MAX_CURSORS = 1000;

interface OpenCursor extends QueryCursor {
  batchSize: number;
  usedAt: number;
}

/** `Sforce-Query-Options: batchSize=N`, clamped to Salesforce's 200..2000. */
export function batchSizeFrom(header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const m = /batchSize\s*=\s*(\d+)/i.exec(text);
  if (!m) return DEFAULT_BATCH_SIZE;
  return Math.max(MIN_BATCH_SIZE, Math.min(DEFAULT_BATCH_SIZE, Number(m[1])));
}

function sqliteStore(ctx: EmulatorContext): SqliteRecordStore {
  if (!(ctx.store instanceof SqliteRecordStore)) throw new Error('SOQL needs the SQLite record store');
  return ctx.store;
}

/**
 * REST query resources: `query` and `queryAll` (which also returns soft-deleted records), their
 * `nextRecordsUrl` pages, and `GET /sobjects/{object}/{id}`. Register after the describe routes:
 * `/sobjects/:object/:id` would otherwise also match `/sobjects/Account/describe`.
 */
export function registerQueryRoutes(router: Router, ctx: EmulatorContext): void {
  const cursors = new Map<string, OpenCursor>();
  const locatorIds = new IdGenerator('8c0');

  const evictIdle = (now: number) => {
    for (const [id, cursor] of cursors) if (now - cursor.usedAt > CURSOR_IDLE_MS) cursors.delete(id);
    while (cursors.size > MAX_CURSORS) {
      const oldest = cursors.keys().next().value;
      if (oldest === undefined) break;
      cursors.delete(oldest);
    }
  };

  const respond = (rc: RequestContext, cursor: OpenCursor, locator: string | undefined) => {
    const store = sqliteStore(ctx);
    const version = rc.apiVersion ?? ctx.latestApiVersion;
    const records = readPage(store, cursor, cursor.batchSize, version);
    const done =
      cursor.compiled.countOnly ||
      cursor.compiled.aggregate !== undefined ||
      cursor.position >= cursor.totalSize;
    const body: Record<string, unknown> = {
      totalSize: cursor.compiled.aggregate ? records.length : cursor.totalSize,
      done,
    };
    if (!done) {
      const id = locator ?? locatorIds.next('01g');
      cursor.usedAt = Date.now();
      cursors.delete(id);
      cursors.set(id, cursor);
      evictIdle(cursor.usedAt);
      body.nextRecordsUrl = `/services/data/v${version}/query/${id}-${cursor.position}`;
    } else if (locator) cursors.delete(locator);
    body.records = records;
    sendJson(rc, 200, body);
  };

  const runQuery = (includeDeleted: boolean) => (rc: RequestContext) => {
    const soql = rc.query.get('q');
    if (soql === null || soql.trim() === '') {
      throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    const { compiled, totalSize } = prepareQuery(soql, ctx.schema, sqliteStore(ctx), {
      includeDeleted,
      now: ctx.now(),
    });
    const cursor: OpenCursor = {
      compiled,
      totalSize,
      position: 0,
      lastRowid: undefined,
      batchSize: batchSizeFrom(rc.req.headers['sforce-query-options']),
      usedAt: Date.now(),
    };
    respond(rc, cursor, undefined);
  };

  const nextPage = (rc: RequestContext) => {
    const raw = rc.params.locator ?? '';
    const dash = raw.lastIndexOf('-');
    const id = dash === -1 ? raw : raw.slice(0, dash);
    const position = dash === -1 ? Number.NaN : Number(raw.slice(dash + 1));
    const cursor = cursors.get(id);
    if (
      !cursor ||
      !Number.isInteger(position) ||
      position < 0 ||
      Date.now() - cursor.usedAt > CURSOR_IDLE_MS
    ) {
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    if (position !== cursor.position) {
      // A client re-reading or skipping: fall back from keyset to plain offset paging.
      cursor.position = Math.min(position, cursor.totalSize);
      cursor.lastRowid = undefined;
    }
    if (rc.req.headers['sforce-query-options'])
      cursor.batchSize = batchSizeFrom(rc.req.headers['sforce-query-options']);
    respond(rc, cursor, id);
  };

  router.add('GET', '/services/data/:version/query', runQuery(false));
  router.add('GET', '/services/data/:version/queryAll', runQuery(true));
  router.add('GET', '/services/data/:version/query/:locator', nextPage);
  router.add('GET', '/services/data/:version/queryAll/:locator', nextPage);
  router.add('GET', '/services/data/:version/sobjects/:object/:id', (rc) => getRecord(rc, ctx));
}

/** `GET /sobjects/{object}/{id}[?fields=a,b]`: one live record with all (or the listed) fields. */
function getRecord(rc: RequestContext, ctx: EmulatorContext): void {
  const objectName = rc.params.object ?? '';
  const id = rc.params.id ?? '';
  const object = ctx.schema.object(objectName);
  if (!object) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (!isValidId(id) || id.slice(0, 3) !== object.keyPrefix) {
    throw new ApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${id}`,
    );
  }
  const fieldsParam = rc.query.get('fields');
  const names = fieldsParam
    ? fieldsParam
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : object.fields.filter((f) => f.name !== 'Id').map((f) => f.name);
  const select = ['Id', ...names.filter((n) => n.toLowerCase() !== 'id')].join(', ');
  // The listed names come from the schema or the client; the SOQL compiler validates every one.
  const soql = `SELECT ${select} FROM ${object.name} WHERE Id = '${to18(id)}'`;
  const store = sqliteStore(ctx);
  let compiled: CompiledQuery;
  try {
    compiled = compileSoql(parseSoql(soql), ctx.schema, store, { includeDeleted: false, now: ctx.now() });
  } catch (error) {
    if (error instanceof ApiError && fieldsParam) {
      throw new ApiError(400, 'INVALID_FIELD', error.message.split('\n').pop() ?? error.message);
    }
    throw error;
  }
  const row = store
    .statement(`SELECT ${compiled.columnsSql} ${compiled.fromSql} WHERE ${compiled.whereSql}`)
    .get(...compiled.params);
  if (!row) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const record: JsonRecord = shapeRecord(compiled, row, rc.apiVersion ?? ctx.latestApiVersion);
  sendJson(rc, 200, record);
}

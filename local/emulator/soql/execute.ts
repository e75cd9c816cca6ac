import type { SQLInputValue } from 'node:sqlite';
import type { SchemaIndex } from '../context.ts';
import type { SqliteRecordStore } from '../store/sqlite-store.ts';
import { type CompiledQuery, compileSoql, type Output } from './compile.ts';
import { parseSoql } from './parser.ts';

export type JsonRecord = Record<string, unknown>;

/** Where a paged query stands: the compiled query and a position, never the rows themselves. */
export interface QueryCursor {
  compiled: CompiledQuery;
  /** Records of the result already returned. */
  position: number;
  totalSize: number;
  /** rowid of the last returned record, for keyset paging of unsorted results. */
  lastRowid: number | undefined;
}

export interface PreparedQuery {
  compiled: CompiledQuery;
  totalSize: number;
}

/** Parses, compiles and counts a SOQL query. Errors are ApiErrors in Salesforce's shape. */
export function prepareQuery(
  soql: string,
  schema: SchemaIndex,
  store: SqliteRecordStore,
  options: { includeDeleted: boolean; now: Date },
): PreparedQuery {
  const compiled = compileSoql(parseSoql(soql), schema, store, options);
  return { compiled, totalSize: countResult(store, compiled) };
}

function whereClause(compiled: CompiledQuery, extra?: string): string {
  const parts = [compiled.whereSql, extra].filter(Boolean);
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/** Size of the result after OFFSET and LIMIT; 1 for an aggregate query. */
export function countResult(store: SqliteRecordStore, compiled: CompiledQuery): number {
  if (compiled.aggregate) return 1;
  const row = store
    .statement(`SELECT COUNT(*) AS n ${compiled.fromSql}${whereClause(compiled)}`)
    .get(...compiled.params);
  const matching = Math.max(0, Number(row?.n ?? 0) - compiled.offset);
  return compiled.limit === undefined ? matching : Math.min(matching, compiled.limit);
}

/**
 * Reads the next `size` records of a cursor and advances it. Unsorted results are read in creation
 * order by rowid (keyset, so late pages of a big result cost no more than early ones); sorted ones by
 * OFFSET with rowid as the tie-breaker, so pages never overlap.
 */
export function readPage(
  store: SqliteRecordStore,
  cursor: QueryCursor,
  size: number,
  apiVersion: string,
): JsonRecord[] {
  const { compiled } = cursor;
  if (compiled.countOnly) return [];
  if (compiled.aggregate) {
    cursor.position = 1;
    const row = store
      .statement(`SELECT COUNT(${compiled.aggregate.field}) AS n ${compiled.fromSql}${whereClause(compiled)}`)
      .get(...compiled.params);
    return [{ attributes: { type: 'AggregateResult' }, expr0: Number(row?.n ?? 0) }];
  }
  const wanted = Math.min(size, cursor.totalSize - cursor.position);
  if (wanted <= 0) return [];
  let sql: string;
  const params: SQLInputValue[] = [...compiled.params];
  if (compiled.orderSql === undefined && cursor.lastRowid !== undefined) {
    sql = `SELECT ${compiled.columnsSql} ${compiled.fromSql}${whereClause(compiled, 't.rowid > ?')} ORDER BY t.rowid LIMIT ?`;
    params.push(cursor.lastRowid, wanted);
  } else {
    const order = compiled.orderSql === undefined ? 't.rowid' : `${compiled.orderSql}, t.rowid`;
    sql = `SELECT ${compiled.columnsSql} ${compiled.fromSql}${whereClause(compiled)} ORDER BY ${order} LIMIT ? OFFSET ?`;
    params.push(wanted, compiled.offset + cursor.position);
  }
  const rows = store.statement(sql).all(...params);
  cursor.position += rows.length;
  // Fewer rows than counted means records went away meanwhile: the result ends here.
  if (rows.length < wanted) cursor.totalSize = cursor.position;
  const last = rows[rows.length - 1];
  if (last) cursor.lastRowid = Number(last._rowid);
  return rows.map((row) => shapeRecord(compiled, row, apiVersion));
}

function sobjectUrl(apiVersion: string, type: string, id: string): string {
  return `/services/data/v${apiVersion}/sobjects/${type}/${id}`;
}

function jsonValue(kind: Output['kind'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'bool') return value === 1 || value === 1n || value === true;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** One result row in the REST shape: attributes first, then fields in SELECT order, parents nested. */
export function shapeRecord(
  compiled: CompiledQuery,
  row: Record<string, unknown>,
  apiVersion: string,
): JsonRecord {
  const type = compiled.object.name;
  const record: JsonRecord = { attributes: { type, url: sobjectUrl(apiVersion, type, String(row._id)) } };
  for (const output of compiled.outputs) {
    let container: JsonRecord = record;
    let reachable = true;
    for (let depth = 1; depth < output.names.length; depth++) {
      const key = output.names[depth - 1] as string;
      const existing = container[key];
      if (existing === null) {
        reachable = false;
        break;
      }
      if (existing === undefined) {
        const path = output.names.slice(0, depth).join('.').toLowerCase();
        const relation = compiled.relationships.find((r) => r.names.join('.').toLowerCase() === path);
        const parentId = relation ? row[relation.idAlias] : null;
        if (!relation || parentId === null || parentId === undefined) {
          container[key] = null;
          reachable = false;
          break;
        }
        const actualType = relation.fixedType ?? String(row[relation.typeAlias ?? ''] ?? '');
        const parent: JsonRecord = {
          attributes: {
            type: relation.fixedType ?? 'Name',
            url: sobjectUrl(apiVersion, actualType, String(parentId)),
          },
        };
        container[key] = parent;
        container = parent;
      } else container = existing as JsonRecord;
    }
    if (!reachable) continue;
    const name = output.names[output.names.length - 1] as string;
    if (output.compound) {
      const value: JsonRecord = {};
      let any = false;
      for (const part of output.compound) {
        const v = jsonValue(part.kind, row[part.alias]);
        if (v !== null) any = true;
        value[part.key] = v;
      }
      container[name] = any ? value : null;
    } else container[name] = jsonValue(output.kind, row[output.alias]);
  }
  return record;
}

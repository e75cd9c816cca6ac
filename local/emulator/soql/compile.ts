import type { SQLInputValue } from 'node:sqlite';
import type { SchemaIndex } from '../context.ts';
import { ApiError } from '../http/router.ts';
import { isValidId, to18 } from '../ids.ts';
import type { FieldSchema, SObjectSchema } from '../schema/types.ts';
import {
  type ColumnInfo,
  type ColumnKind,
  formatDateTime,
  normaliseDateTime,
  type SqliteRecordStore,
} from '../store/sqlite-store.ts';
import { soqlError } from './lexer.ts';
import type { Condition, FieldPath, Literal, SoqlQuery, Span } from './parser.ts';

const WSDL_HINT = 'Please reference your WSDL or the describe call for the appropriate names.';

/** How one selected or filtered path reads from SQL. */
export interface ResolvedPath {
  /** SQL expression over the joined tables. */
  sql: string;
  kind: ColumnKind;
  /** Canonical names along the path: relationship names, then the field's API name. */
  names: string[];
  /** A compound address/location field: components to assemble into an object. */
  compound?: Array<{ key: string; sql: string; kind: ColumnKind }>;
}

/** A parent reached through a relationship, and how to tell its Id and type for `attributes`. */
interface Relationship {
  /** Lower-case path key: "account", "account.owner", "who". */
  key: string;
  names: string[];
  idSql: string;
  /** SQL giving the parent's sObject type (polymorphic), or the fixed type. */
  typeSql: string | undefined;
  fixedType: string | undefined;
  polymorphic: boolean;
}

export interface Output {
  /** Canonical names, e.g. ["Account", "Name"]. */
  names: string[];
  /** Column aliases in the SQL result holding the value (or compound parts). */
  alias: string;
  kind: ColumnKind;
  compound?: Array<{ key: string; alias: string; kind: ColumnKind }>;
}

export interface CompiledQuery {
  object: SObjectSchema;
  /** `SELECT COUNT()`: only the count is returned. */
  countOnly: boolean;
  /** `SELECT COUNT(field)` without other fields: one AggregateResult row. */
  aggregate: { field: string | undefined } | undefined;
  /** `SELECT <columns>` list (without the SELECT keyword), including hidden rowid/id/type columns. */
  columnsSql: string;
  /** `FROM … [JOIN …]`. */
  fromSql: string;
  /** The filter (the live-records test included unless queryAll), or undefined for none. */
  whereSql: string | undefined;
  params: SQLInputValue[];
  /** `ORDER BY` body, or undefined for creation order (paged by rowid). */
  orderSql: string | undefined;
  limit: number | undefined;
  offset: number;
  outputs: Output[];
  relationships: Array<{
    names: string[];
    idAlias: string;
    typeAlias: string | undefined;
    fixedType?: string;
  }>;
}

/** Fields of the `Name` entity that polymorphic relationships (Who, What, Owner of Case…) expose. */
const NAME_ENTITY_FIELDS: Record<string, { kind: ColumnKind; from: 'any' | 'person' | 'user' }> = {
  Id: { kind: 'id', from: 'any' },
  Type: { kind: 'text', from: 'any' },
  Name: { kind: 'text', from: 'any' },
  FirstName: { kind: 'text', from: 'person' },
  LastName: { kind: 'text', from: 'person' },
  Alias: { kind: 'text', from: 'user' },
  Email: { kind: 'text', from: 'user' },
  IsActive: { kind: 'bool', from: 'user' },
  Phone: { kind: 'text', from: 'user' },
  Title: { kind: 'text', from: 'user' },
  Username: { kind: 'text', from: 'user' },
  ProfileId: { kind: 'id', from: 'user' },
  UserRoleId: { kind: 'id', from: 'user' },
  RecordTypeId: { kind: 'id', from: 'any' },
  LastReferencedDate: { kind: 'datetime', from: 'any' },
  LastViewedDate: { kind: 'datetime', from: 'any' },
};
const PERSON_OBJECTS = new Set(['user', 'contact', 'lead']);

/** The Name-entity field that holds a record's name on objects without a `Name` field. */
const NAME_FIELD_FALLBACKS = ['Name', 'CaseNumber', 'Subject', 'Title', 'ContractNumber', 'OrderNumber'];

/**
 * Whether SOQL reads this relationship through the Name entity (`Who.Type`, `What.Name`): any reference
 * with more than one target does, whatever decides the Bulk `Type:` prefix (schema/index.ts).
 */
function readsThroughNameEntity(field: FieldSchema): boolean {
  return field.polymorphicForeignKey || field.referenceTo.length > 1;
}

const typeWord: Record<ColumnKind, string> = {
  text: 'string',
  id: 'id',
  int: 'integer',
  real: 'double',
  bool: 'boolean',
  date: 'date',
  datetime: 'dateTime',
};

interface CompileOptions {
  includeDeleted: boolean;
  now: Date;
}

class Compiler {
  private readonly query: SoqlQuery;
  private readonly schema: SchemaIndex;
  private readonly store: SqliteRecordStore;
  private readonly root: SObjectSchema;
  private readonly joins: string[] = [];
  private readonly relationships = new Map<string, Relationship>();
  private readonly params: SQLInputValue[] = [];
  private aliasCount = 0;

  constructor(query: SoqlQuery, schema: SchemaIndex, store: SqliteRecordStore) {
    this.query = query;
    this.schema = schema;
    this.store = store;
    const object = schema.object(query.from.name);
    if (!object || !store.tableInfo(object.name)) {
      throw this.error(
        'INVALID_TYPE',
        query.from,
        `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL_HINT}`,
      );
    }
    this.root = object;
  }

  compile(options: CompileOptions): CompiledQuery {
    const q = this.query;
    const outputs: Output[] = [];
    const columns: string[] = ['t.rowid AS "_rowid"', 't."Id" AS "_id"'];
    const counts = q.select.filter((s) => s.kind === 'count');
    const fields = q.select.filter((s) => s.kind === 'field');
    let countOnly = false;
    let aggregate: CompiledQuery['aggregate'];
    if (counts.length > 0) {
      const count = counts[0];
      if (count && !count.path && (q.select.length > 1 || counts.length > 1)) {
        throw this.error(
          'MALFORMED_QUERY',
          count.span,
          'COUNT() must be the only element in the SELECT list.',
        );
      }
      const plain = fields[0];
      if (plain) {
        throw this.error(
          'MALFORMED_QUERY',
          plain.path,
          `Field must be grouped or aggregated: ${this.resolve(plain.path).names.join('.')}`,
        );
      }
      if (count?.path) {
        const resolved = this.resolve(count.path);
        aggregate = { field: resolved.sql };
      } else countOnly = true;
    }
    const seen = new Set<string>();
    for (const item of fields) {
      const resolved = this.resolve(item.path);
      const key = resolved.names.join('.').toLowerCase();
      if (seen.has(key))
        throw new ApiError(400, 'INVALID_FIELD', `duplicate field selected: ${resolved.names.join('.')}`);
      seen.add(key);
      const alias = `c${outputs.length}`;
      if (resolved.compound) {
        const compound = resolved.compound.map((part, i) => {
          columns.push(`${part.sql} AS "${alias}_${i}"`);
          return { key: part.key, alias: `${alias}_${i}`, kind: part.kind };
        });
        outputs.push({ names: resolved.names, alias, kind: 'text', compound });
      } else {
        columns.push(`${resolved.sql} AS "${alias}"`);
        outputs.push({ names: resolved.names, alias, kind: resolved.kind });
      }
    }
    const where: string[] = [];
    if (!options.includeDeleted) where.push('t."IsDeleted" = 0');
    if (q.where) where.push(this.condition(q.where, options.now));
    const orderSql =
      q.orderBy.length === 0
        ? undefined
        : q.orderBy
            .map((o) => {
              const resolved = this.resolve(o.path);
              if (resolved.compound) throw this.notFilterable(o.path, resolved);
              const collate = resolved.kind === 'text' ? ' COLLATE NOCASE' : '';
              return `${resolved.sql}${collate} ${o.descending ? 'DESC' : 'ASC'} NULLS ${o.nullsFirst ? 'FIRST' : 'LAST'}`;
            })
            .join(', ');
    if (q.offset && q.offset.value > 2000) {
      throw new ApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
    }
    const relationships = [...this.relationships.values()].map((r, i) => {
      columns.push(`${r.idSql} AS "_r${i}"`);
      if (r.typeSql) columns.push(`${r.typeSql} AS "_t${i}"`);
      return {
        names: r.names,
        idAlias: `_r${i}`,
        typeAlias: r.typeSql ? `_t${i}` : undefined,
        ...(r.fixedType ? { fixedType: r.fixedType } : {}),
      };
    });
    const table = this.store.tableInfo(this.root.name);
    return {
      object: this.root,
      countOnly,
      aggregate,
      columnsSql: columns.join(', '),
      fromSql: `FROM ${table?.table} AS t${this.joins.map((j) => ` ${j}`).join('')}`,
      whereSql: where.length ? where.join(' AND ') : undefined,
      params: this.params,
      orderSql,
      limit: q.limit?.value,
      offset: q.offset?.value ?? 0,
      outputs,
      relationships,
    };
  }

  /** Resolves a field path against the schema, adding the joins it needs. */
  resolve(path: FieldPath): ResolvedPath {
    let object = this.root;
    let alias = 't';
    const names: string[] = [];
    const segments = path.segments;
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i] as string;
      const reference = this.schema.relationship(object.name, segment);
      const relationshipError = () =>
        this.error(
          'INVALID_FIELD',
          path,
          `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`,
        );
      if (!reference?.relationshipName || reference.type !== 'reference') throw relationshipError();
      names.push(reference.relationshipName);
      const key = names.join('.').toLowerCase();
      if (readsThroughNameEntity(reference)) {
        if (i !== segments.length - 2) {
          throw this.error(
            'INVALID_FIELD',
            path,
            `Didn't understand relationship '${segments[i + 1]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`,
          );
        }
        return this.nameEntityField(path, alias, reference, names, segments[i + 1] as string, key);
      }
      const target = this.schema.object(reference.referenceTo[0] ?? '');
      const targetTable = target && this.store.tableInfo(target.name);
      if (!target || !targetTable) throw relationshipError();
      let relation = this.relationships.get(key);
      if (!relation) {
        const joined = `j${++this.aliasCount}`;
        this.joins.push(
          `LEFT JOIN ${targetTable.table} AS ${joined} ON ${joined}."Id" = ${alias}."${reference.name}" AND ${joined}."IsDeleted" = 0`,
        );
        relation = {
          key,
          names: [...names],
          idSql: `${joined}."Id"`,
          typeSql: undefined,
          fixedType: target.name,
          polymorphic: false,
        };
        this.relationships.set(key, relation);
      }
      alias = relation.idSql.slice(0, relation.idSql.indexOf('.'));
      object = target;
    }
    const last = segments[segments.length - 1] as string;
    return this.plainField(path, object, alias, names, last);
  }

  private plainField(
    path: FieldPath,
    object: SObjectSchema,
    alias: string,
    names: string[],
    name: string,
  ): ResolvedPath {
    const field = this.schema.field(object.name, name);
    const column = field && this.store.tableInfo(object.name)?.byLowerName.get(field.name.toLowerCase());
    if (field && (field.type === 'address' || field.type === 'location')) {
      return this.compoundField(object, alias, [...names, field.name], field);
    }
    if (!field || !column) throw this.noSuchColumn(path, name, object.name);
    return { sql: `${alias}."${column.name}"`, kind: column.kind, names: [...names, field.name] };
  }

  private compoundField(
    object: SObjectSchema,
    alias: string,
    names: string[],
    field: FieldSchema,
  ): ResolvedPath {
    const table = this.store.tableInfo(object.name);
    const parts = object.fields
      .filter((f) => f.compoundFieldName === field.name)
      .map((f) => {
        const column = table?.byName.get(f.name) as ColumnInfo;
        return { key: compoundKey(field, f.name), sql: `${alias}."${column.name}"`, kind: column.kind };
      });
    return { sql: 'NULL', kind: 'text', names, compound: parts };
  }

  /** `Who.Name`, `What.Type`: the polymorphic parent seen as the `Name` entity. */
  private nameEntityField(
    path: FieldPath,
    alias: string,
    reference: FieldSchema,
    names: string[],
    name: string,
    key: string,
  ): ResolvedPath {
    const canonical = Object.keys(NAME_ENTITY_FIELDS).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!canonical) throw this.noSuchColumn(path, name, 'Name');
    const spec = NAME_ENTITY_FIELDS[canonical] as (typeof NAME_ENTITY_FIELDS)[string];
    let relation = this.relationships.get(key);
    const targets = reference.referenceTo
      .map((t) => this.schema.object(t))
      .filter((t): t is SObjectSchema => !!t && !!this.store.tableInfo(t.name));
    if (!relation) {
      const joinedAliases = targets.map((target) => {
        const joined = `j${++this.aliasCount}`;
        const table = this.store.tableInfo(target.name);
        this.joins.push(
          `LEFT JOIN ${table?.table} AS ${joined} ON ${joined}."Id" = ${alias}."${reference.name}" AND ${joined}."IsDeleted" = 0`,
        );
        return joined;
      });
      const idSql = joinedAliases.length
        ? `COALESCE(${joinedAliases.map((a) => `${a}."Id"`).join(', ')})`
        : 'NULL';
      const typeSql = joinedAliases.length
        ? `CASE ${joinedAliases.map((a, i) => `WHEN ${a}."Id" IS NOT NULL THEN '${targets[i]?.name}'`).join(' ')} END`
        : 'NULL';
      relation = { key, names: [...names], idSql, typeSql, fixedType: undefined, polymorphic: true };
      this.relationships.set(key, relation);
    }
    const joined = /j\d+/g;
    const aliases = relation.idSql.match(joined) ?? [];
    const resolvedNames = [...names, canonical];
    if (canonical === 'Id') return { sql: relation.idSql, kind: 'id', names: resolvedNames };
    if (canonical === 'Type') return { sql: relation.typeSql ?? 'NULL', kind: 'text', names: resolvedNames };
    const sources: string[] = [];
    targets.forEach((target, i) => {
      const table = this.store.tableInfo(target.name);
      const lower = target.name.toLowerCase();
      if (spec.from === 'person' && !PERSON_OBJECTS.has(lower)) return;
      if (spec.from === 'user' && lower !== 'user') return;
      const column =
        canonical === 'Name'
          ? NAME_FIELD_FALLBACKS.map((n) => table?.byName.get(n)).find(Boolean)
          : table?.byName.get(canonical);
      if (column) sources.push(`${aliases[i]}."${column.name}"`);
    });
    const sql =
      sources.length === 0
        ? 'NULL'
        : sources.length === 1
          ? (sources[0] as string)
          : `COALESCE(${sources.join(', ')})`;
    return { sql, kind: spec.kind, names: resolvedNames };
  }

  private condition(condition: Condition, now: Date): string {
    switch (condition.kind) {
      case 'and':
      case 'or':
        return `(${condition.items.map((c) => this.condition(c, now)).join(condition.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        // SQL's NULL would make NOT drop rows that SOQL keeps.
        return `NOT COALESCE(${this.condition(condition.item, now)}, 0)`;
      case 'like': {
        const resolved = this.filterable(condition.path);
        if (condition.value.kind !== 'string' || (resolved.kind !== 'text' && resolved.kind !== 'id')) {
          throw this.typeMismatch(condition.path, resolved, condition.value);
        }
        this.params.push(condition.value.likePattern);
        return `${resolved.sql} LIKE ? ESCAPE '\\'`;
      }
      case 'in': {
        const resolved = this.filterable(condition.path);
        const hasNull = condition.values.some((v) => v.kind === 'null');
        const values = condition.values
          .filter((v) => v.kind !== 'null')
          .map((v) => {
            if (v.kind === 'dateFunction') throw this.typeMismatch(condition.path, resolved, v);
            return this.bindValue(condition.path, resolved, v);
          });
        const collate = resolved.kind === 'text' ? ' COLLATE NOCASE' : '';
        const list = values.length
          ? `${resolved.sql}${collate} IN (${values.map(() => '?').join(', ')})`
          : '0';
        this.params.push(...values);
        if (condition.negated) {
          return hasNull
            ? `(${resolved.sql} IS NOT NULL AND NOT COALESCE(${list}, 0))`
            : `(${resolved.sql} IS NULL OR NOT (${list}))`;
        }
        return hasNull ? `(${resolved.sql} IS NULL OR ${list})` : list;
      }
      case 'compare':
        return this.compare(condition.path, condition.operator, condition.value, now);
    }
  }

  private compare(path: FieldPath, operator: string, value: Literal, now: Date): string {
    const resolved = this.filterable(path);
    const sql = resolved.sql;
    const isEmptyString = value.kind === 'string' && value.value === '' && resolved.kind !== 'bool';
    if (value.kind === 'null' || isEmptyString) {
      if (operator === '=') return `${sql} IS NULL`;
      if (operator === '!=') return `${sql} IS NOT NULL`;
      return '0';
    }
    if (value.kind === 'dateFunction') return this.dateRange(path, resolved, operator, value, now);
    const bound = this.bindValue(path, resolved, value);
    const collate = resolved.kind === 'text' ? ' COLLATE NOCASE' : '';
    this.params.push(bound);
    // SOQL's != keeps records whose field is null, unlike SQL.
    if (operator === '!=') return `(${sql} IS NULL OR ${sql} != ?${collate})`;
    return `${sql} ${operator} ?${collate}`;
  }

  /** TODAY, LAST_N_DAYS:n …, evaluated in UTC as whole days. */
  private dateRange(
    path: FieldPath,
    resolved: ResolvedPath,
    operator: string,
    value: Literal & { kind: 'dateFunction' },
    now: Date,
  ): string {
    if (resolved.kind !== 'date' && resolved.kind !== 'datetime')
      throw this.typeMismatch(path, resolved, value);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const day = 86_400_000;
    let first = today;
    let last = today;
    if (value.name === 'YESTERDAY') first = last = today - day;
    else if (value.name === 'TOMORROW') first = last = today + day;
    else if (value.name === 'LAST_N_DAYS') first = today - value.n * day;
    else if (value.name === 'NEXT_N_DAYS') {
      first = today + day;
      last = today + value.n * day;
    }
    const asDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const lower = resolved.kind === 'date' ? asDate(first) : formatDateTime(new Date(first));
    const upperExclusive =
      resolved.kind === 'date' ? asDate(last + day) : formatDateTime(new Date(last + day));
    const sql = resolved.sql;
    switch (operator) {
      case '=':
        this.params.push(lower, upperExclusive);
        return `(${sql} >= ? AND ${sql} < ?)`;
      case '!=':
        this.params.push(lower, upperExclusive);
        return `(${sql} IS NULL OR ${sql} < ? OR ${sql} >= ?)`;
      case '<':
        this.params.push(lower);
        return `${sql} < ?`;
      case '>=':
        this.params.push(lower);
        return `${sql} >= ?`;
      case '>':
        this.params.push(upperExclusive);
        return `${sql} >= ?`;
      default:
        this.params.push(upperExclusive);
        return `${sql} < ?`;
    }
  }

  /** Type-checks a literal against the field, as Salesforce does, and converts it to the stored form. */
  private bindValue(path: FieldPath, resolved: ResolvedPath, value: Literal): SQLInputValue {
    const mismatch = () => this.typeMismatch(path, resolved, value);
    switch (resolved.kind) {
      case 'text':
        if (value.kind !== 'string') throw mismatch();
        return value.value;
      case 'id':
        if (value.kind !== 'string') throw mismatch();
        if (!isValidId(value.value)) {
          throw this.error('INVALID_QUERY_FILTER_OPERATOR', value, `invalid ID field: ${value.value}`);
        }
        return to18(value.value);
      case 'bool':
        if (value.kind !== 'boolean') throw mismatch();
        return value.value ? 1 : 0;
      case 'int':
      case 'real':
        if (value.kind !== 'number') throw mismatch();
        return value.value;
      case 'date':
        if (value.kind !== 'date') throw mismatch();
        return value.text;
      case 'datetime': {
        if (value.kind !== 'datetime') throw mismatch();
        const normalised = normaliseDateTime(value.text);
        if (!normalised) throw mismatch();
        return normalised;
      }
    }
  }

  private filterable(path: FieldPath): ResolvedPath {
    const resolved = this.resolve(path);
    if (resolved.compound) throw this.notFilterable(path, resolved);
    return resolved;
  }

  private notFilterable(path: FieldPath, resolved: ResolvedPath): ApiError {
    return this.error(
      'INVALID_FIELD',
      path,
      `field '${resolved.names.join('.')}' can not be filtered in a query call`,
    );
  }

  private typeMismatch(path: FieldPath, resolved: ResolvedPath, value: Literal): ApiError {
    const quoted = resolved.kind === 'text' || resolved.kind === 'id';
    return this.error(
      'INVALID_FIELD',
      value,
      `value of filter criterion for field '${path.text}' must be of type ${typeWord[resolved.kind]} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  }

  private noSuchColumn(path: FieldPath, name: string, entity: string): ApiError {
    return this.error(
      'INVALID_FIELD',
      path,
      `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL_HINT}`,
    );
  }

  private error(code: string, at: Span, message: string): ApiError {
    return soqlError(code, this.query.source, this.query.tokens, at, message);
  }
}

/** `BillingStreet` of `BillingAddress` → `street`; `Loc__Latitude__s` of `Loc__c` → `latitude`. */
function compoundKey(compound: FieldSchema, component: string): string {
  let suffix = component;
  if (compound.type === 'location') {
    const m = /__(\w+?)__s$/.exec(component) ?? /(Latitude|Longitude)$/.exec(component);
    suffix = m?.[1] ?? component;
  } else {
    const prefix = compound.name.replace(/Address$/, '');
    if (suffix.startsWith(prefix)) suffix = suffix.slice(prefix.length);
  }
  return suffix.charAt(0).toLowerCase() + suffix.slice(1);
}

/** Compiles a parsed query against the org and store; field and type errors are ApiErrors. */
export function compileSoql(
  query: SoqlQuery,
  schema: SchemaIndex,
  store: SqliteRecordStore,
  options: CompileOptions,
): CompiledQuery {
  return new Compiler(query, schema, store).compile(options);
}

import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SchemaIndex } from '../context.ts';
import { IdGenerator, isValidId, to18 } from '../ids.ts';
import type { FieldSchema, SObjectSchema } from '../schema/types.ts';
import type { RecordStore, StoredRecord, StoredValue } from './types.ts';

/** How a column is stored and converted; derived from the field type. */
export type ColumnKind = 'text' | 'id' | 'int' | 'real' | 'bool' | 'date' | 'datetime';

export interface ColumnInfo {
  /** Canonical API name, also the SQL column name. */
  name: string;
  kind: ColumnKind;
  /** Undefined for columns the store adds itself (IsDeleted, a compound Name missing from the schema). */
  field: FieldSchema | undefined;
}

export interface TableInfo {
  object: SObjectSchema;
  /** Quoted SQL identifier of the table. */
  table: string;
  columns: ColumnInfo[];
  byName: Map<string, ColumnInfo>;
  byLowerName: Map<string, ColumnInfo>;
  /** Components of a person Name (FirstName, LastName, …) present on this object, in display order. */
  nameParts: string[];
  /** Columns filled on insert when absent or null: `defaultValue` of defaultedOnCreate fields. */
  defaults: Array<[ColumnInfo, StoredValue]>;
  system: {
    createdDate: boolean;
    createdById: boolean;
    lastModifiedDate: boolean;
    lastModifiedById: boolean;
    systemModstamp: boolean;
    ownerId: boolean;
  };
}

export interface RecordStoreOptions {
  /** Clock for system fields (the emulator passes ctx.now so tests can pin time). */
  now?: () => Date;
  /** The pod marker in generated Ids (4th–6th characters). */
  idInstance?: string;
}

const SAFE_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const PERSON_NAME_ORDER = ['FirstName', 'MiddleName', 'LastName', 'Suffix'];
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Quotes a schema-provided identifier; refuses anything that is not a plain API name. */
export function quoteIdent(name: string): string {
  if (!SAFE_IDENTIFIER.test(name)) throw new Error(`Refusing unsafe SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function columnKind(field: FieldSchema): ColumnKind {
  switch (field.type) {
    case 'int':
    case 'long':
      return 'int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'real';
    case 'boolean':
      return 'bool';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'id':
    case 'reference':
      return 'id';
    default:
      return 'text';
  }
}

function sqlType(kind: ColumnKind): string {
  if (kind === 'int' || kind === 'bool') return 'INTEGER';
  if (kind === 'real') return 'REAL';
  return 'TEXT';
}

/** Salesforce's datetime wire format, always UTC: `2024-01-31T10:00:00.000+0000`. */
export function formatDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}+0000`;
}

/**
 * Parses an ISO-8601 datetime (`Z`, `+hh:mm`, `+hhmm`, or none = UTC; a bare date = midnight UTC) into
 * the stored form; undefined when it is not one.
 */
export function normaliseDateTime(text: string): string | undefined {
  if (DATE_ONLY.test(text)) return `${text}T00:00:00.000+0000`;
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  let zone = m[6] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const fraction = (m[5] ?? '.000').padEnd(4, '0').slice(0, 4);
  const date = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${fraction}${zone.toUpperCase()}`);
  if (Number.isNaN(date.getTime())) return undefined;
  return formatDateTime(date);
}

/** A date value (`YYYY-MM-DD`; a datetime keeps its UTC date); undefined when it is not one. */
export function normaliseDate(text: string): string | undefined {
  if (DATE_ONLY.test(text)) {
    const date = new Date(`${text}T00:00:00Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? undefined : text;
  }
  return normaliseDateTime(text)?.slice(0, 10);
}

/** Contact/Lead/User `Name`: the person-name components joined by spaces (Salutation is not part of it). */
export function personName(parts: Array<StoredValue | undefined>): string | null {
  const text = parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .map(String)
    .join(' ');
  return text === '' ? null : text;
}

function toSql(column: ColumnInfo, value: StoredValue, object: string): SQLInputValue {
  if (value === null || value === undefined) return column.kind === 'bool' ? 0 : null;
  switch (column.kind) {
    case 'bool':
      if (value === true || value === 1 || value === 'true' || value === '1') return 1;
      if (value === false || value === 0 || value === 'false' || value === '0' || value === '') return 0;
      break;
    case 'int':
    case 'real': {
      if (value === '') return null;
      const n = typeof value === 'number' ? value : Number(value);
      if (typeof value !== 'boolean' && Number.isFinite(n)) return column.kind === 'int' ? Math.trunc(n) : n;
      break;
    }
    case 'date': {
      if (value === '') return null;
      const d = typeof value === 'string' ? normaliseDate(value) : undefined;
      if (d) return d;
      break;
    }
    case 'datetime': {
      if (value === '') return null;
      const d = typeof value === 'string' ? normaliseDateTime(value) : undefined;
      if (d) return d;
      break;
    }
    case 'id': {
      const text = String(value);
      if (text === '') return null;
      return text.length === 15 && isValidId(text) ? to18(text) : text;
    }
    default: {
      const text = String(value);
      return text === '' ? null : text;
    }
  }
  throw new TypeError(
    `Value ${JSON.stringify(value)} is not a valid ${column.kind} for ${object}.${column.name}`,
  );
}

function fromSql(column: ColumnInfo, value: unknown): StoredValue {
  if (column.kind === 'bool') return value === 1 || value === 1n;
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value as StoredValue;
}

/** Builds the table layout for an object from its schema. */
function describeTable(object: SObjectSchema): TableInfo {
  const columns: ColumnInfo[] = [
    { name: 'Id', kind: 'id', field: object.fields.find((f) => f.name === 'Id') },
    { name: 'IsDeleted', kind: 'bool', field: object.fields.find((f) => f.name === 'IsDeleted') },
  ];
  for (const field of object.fields) {
    if (field.name === 'Id' || field.name === 'IsDeleted') continue;
    // Compound address/location values are not stored; their components are separate fields.
    if (field.type === 'address' || field.type === 'location') continue;
    columns.push({ name: field.name, kind: columnKind(field), field });
  }
  const nameParts = PERSON_NAME_ORDER.filter((part) =>
    object.fields.some((f) => f.name === part && f.compoundFieldName === 'Name'),
  );
  if (nameParts.length > 0 && !columns.some((c) => c.name === 'Name')) {
    columns.push({ name: 'Name', kind: 'text', field: undefined });
  }
  for (const column of columns) quoteIdent(column.name);
  const has = (name: string) => columns.some((c) => c.name === name);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const defaults: Array<[ColumnInfo, StoredValue]> = [];
  for (const column of columns) {
    const f = column.field;
    if (f?.defaultedOnCreate && f.defaultValue !== undefined && f.defaultValue !== null) {
      defaults.push([column, f.defaultValue]);
    }
  }
  return {
    object,
    table: quoteIdent(object.name),
    columns,
    byName,
    byLowerName: new Map(columns.map((c) => [c.name.toLowerCase(), c])),
    nameParts,
    defaults,
    system: {
      createdDate: has('CreatedDate'),
      createdById: has('CreatedById'),
      lastModifiedDate: has('LastModifiedDate'),
      lastModifiedById: has('LastModifiedById'),
      systemModstamp: has('SystemModstamp'),
      ownerId: has('OwnerId'),
    },
  };
}

/** Fields that loads match on (upsert keys, Lead:Who.Email style lookups): indexed for fast look-ups. */
function isLookupField(field: FieldSchema | undefined): field is FieldSchema {
  return !!field && field.name !== 'Id' && (field.externalId || field.idLookup || field.unique);
}

function collation(column: ColumnInfo): string {
  return (column.kind === 'text' || column.kind === 'id') && !column.field?.caseSensitive
    ? ' COLLATE NOCASE'
    : '';
}

/**
 * The emulator's record store on node:sqlite: one table per sObject, one column per stored field.
 * Synchronous by design; the ingest engine wraps each internal batch in `transaction()`.
 */
export class SqliteRecordStore implements RecordStore {
  readonly db: DatabaseSync;
  readonly schema: SchemaIndex;
  private readonly tables = new Map<string, TableInfo>();
  private readonly statements = new Map<string, StatementSync>();
  private readonly ids: IdGenerator;
  private readonly instance: string;
  private readonly now: () => Date;
  private actingUser: string | undefined;
  private depth = 0;

  constructor(schema: SchemaIndex, file: string, options: RecordStoreOptions = {}) {
    this.schema = schema;
    this.now = options.now ?? (() => new Date());
    const instance = options.idInstance ?? '8c0';
    this.instance = instance;
    this.ids = new IdGenerator(instance);
    this.db = new DatabaseSync(file);
    if (file !== ':memory:' && file !== '') {
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = NORMAL');
    }
    this.db.exec('PRAGMA temp_store = MEMORY');
    this.db.exec('PRAGMA cache_size = -65536');
    for (const object of schema.org.objects) {
      const info = describeTable(object);
      this.tables.set(object.name.toLowerCase(), info);
      this.migrate(info);
      this.resumeIds(info, instance);
    }
  }

  /** Layout of an object's table (case-insensitive name), for the SOQL compiler. */
  tableInfo(object: string): TableInfo | undefined {
    return this.tables.get(object.toLowerCase());
  }

  /** A cached prepared statement. */
  statement(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  setActingUser(userId: string | undefined): void {
    this.actingUser = userId;
  }

  insert(object: string, values: StoredRecord): string {
    const info = this.requireTable(object);
    const names: string[] = [];
    const params: SQLInputValue[] = [];
    let id: string | undefined;
    let partsGiven = false;
    const parts = info.nameParts.length > 0 ? new Map<string, StoredValue>() : undefined;
    for (const key in values) {
      const column = this.column(info, key);
      const value = values[key] as StoredValue;
      if (column.name === 'Id') {
        if (value !== null && value !== '') id = this.explicitId(info, String(value));
        continue;
      }
      if (column.name === 'IsDeleted') continue;
      if (column.name === 'Name' && parts) continue;
      if (parts && info.nameParts.includes(column.name)) {
        parts.set(column.name, value);
        partsGiven = true;
      }
      names.push(column.name);
      params.push(toSql(column, value, info.object.name));
    }
    for (const [column, value] of info.defaults) {
      const at = names.indexOf(column.name);
      if (at === -1) {
        names.push(column.name);
        params.push(toSql(column, value, info.object.name));
      } else if (params[at] === null) {
        params[at] = toSql(column, value, info.object.name);
      }
    }
    if (parts && partsGiven) {
      names.push('Name');
      params.push(personName(info.nameParts.map((p) => parts.get(p))));
    }
    const stamp = formatDateTime(this.now());
    const sys = info.system;
    const addIfAbsent = (name: string, value: SQLInputValue) => {
      const at = names.indexOf(name);
      if (at === -1) {
        names.push(name);
        params.push(value);
      } else if (params[at] === null) params[at] = value;
    };
    if (sys.createdDate) addIfAbsent('CreatedDate', stamp);
    if (sys.lastModifiedDate) addIfAbsent('LastModifiedDate', stamp);
    if (sys.systemModstamp) addIfAbsent('SystemModstamp', stamp);
    if (this.actingUser) {
      if (sys.createdById) addIfAbsent('CreatedById', this.actingUser);
      if (sys.lastModifiedById) addIfAbsent('LastModifiedById', this.actingUser);
      if (sys.ownerId) addIfAbsent('OwnerId', this.actingUser);
    }
    const newId = id ?? this.ids.next(info.object.keyPrefix);
    const sql = `INSERT INTO ${info.table} ("Id"${names.map((n) => `, "${n}"`).join('')}) VALUES (?${', ?'.repeat(names.length)})`;
    this.statement(sql).run(newId, ...params);
    return newId;
  }

  update(object: string, id: string, values: StoredRecord): void {
    const info = this.requireTable(object);
    const names: string[] = [];
    const params: SQLInputValue[] = [];
    let partsTouched = false;
    for (const key in values) {
      const column = this.column(info, key);
      if (column.name === 'Id' || column.name === 'IsDeleted') continue;
      if (column.name === 'Name' && info.nameParts.length > 0) continue;
      if (info.nameParts.includes(column.name)) partsTouched = true;
      names.push(column.name);
      params.push(toSql(column, values[key] as StoredValue, info.object.name));
    }
    const key18 = to18(id);
    if (partsTouched) {
      const current = this.statement(
        `SELECT ${info.nameParts.map((p) => `"${p}"`).join(', ')} FROM ${info.table} WHERE "Id" = ?`,
      ).get(key18) as Record<string, StoredValue> | undefined;
      if (current) {
        const merged = info.nameParts.map((p) => {
          const at = names.indexOf(p);
          return at === -1 ? current[p] : (params[at] as StoredValue);
        });
        names.push('Name');
        params.push(personName(merged));
      }
    }
    this.stampModified(info, names, params);
    if (names.length === 0) return;
    const sql = `UPDATE ${info.table} SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE "Id" = ?`;
    const result = this.statement(sql).run(...params, key18);
    if (Number(result.changes) === 0) throw new Error(`No ${info.object.name} record with Id ${id}`);
  }

  delete(object: string, id: string): void {
    const info = this.requireTable(object);
    const names = ['IsDeleted'];
    const params: SQLInputValue[] = [1];
    this.stampModified(info, names, params);
    const sql = `UPDATE ${info.table} SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE "Id" = ?`;
    const result = this.statement(sql).run(...params, to18(id));
    if (Number(result.changes) === 0) throw new Error(`No ${info.object.name} record with Id ${id}`);
  }

  hardDelete(object: string, id: string): void {
    const info = this.requireTable(object);
    this.statement(`DELETE FROM ${info.table} WHERE "Id" = ?`).run(to18(id));
  }

  findById(id: string): { object: string; record: StoredRecord; isDeleted: boolean } | undefined {
    if (!isValidId(id)) return undefined;
    const object = this.schema.objectByKeyPrefix(id.slice(0, 3));
    const info = object && this.tableInfo(object.name);
    if (!info) return undefined;
    const row = this.statement(`SELECT * FROM ${info.table} WHERE "Id" = ?`).get(to18(id));
    if (!row) return undefined;
    const record = this.toRecord(info, row);
    const isDeleted = record.IsDeleted === true;
    if (!info.columns[1]?.field) delete record.IsDeleted;
    return { object: info.object.name, record, isDeleted };
  }

  findIdsByField(object: string, field: string, value: StoredValue): string[] {
    const info = this.requireTable(object);
    const column = this.column(info, field);
    if (value === null || value === '') return [];
    const sql = `SELECT "Id" FROM ${info.table} WHERE "${column.name}" = ?${collation(column)} AND "IsDeleted" = 0`;
    const rows = this.statement(sql).all(toSql(column, value, info.object.name));
    return rows.map((r) => String(r.Id));
  }

  countRecords(object: string, includeDeleted = false): number {
    const info = this.requireTable(object);
    const where = includeDeleted ? '' : ' WHERE "IsDeleted" = 0';
    const row = this.statement(`SELECT COUNT(*) AS n FROM ${info.table}${where}`).get();
    return Number(row?.n ?? 0);
  }

  transaction<T>(fn: () => T): T {
    const savepoint = `sp${this.depth}`;
    this.db.exec(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    this.depth++;
    try {
      const result = fn();
      this.depth--;
      this.db.exec(this.depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.depth--;
      if (this.depth === 0) this.db.exec('ROLLBACK');
      else this.db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }

  /** Converts a raw row of this table (SELECT *) to a record keyed by API name. */
  toRecord(info: TableInfo, row: Record<string, unknown>): StoredRecord {
    const record: StoredRecord = {};
    for (const column of info.columns) {
      if (column.name in row) record[column.name] = fromSql(column, row[column.name]);
    }
    return record;
  }

  private column(info: TableInfo, name: string): ColumnInfo {
    const column = info.byName.get(name) ?? info.byLowerName.get(name.toLowerCase());
    if (!column) throw new Error(`No such column '${name}' on entity '${info.object.name}'`);
    return column;
  }

  private requireTable(object: string): TableInfo {
    const info = this.tableInfo(object);
    if (!info) throw new Error(`sObject type '${object}' is not supported`);
    return info;
  }

  private explicitId(info: TableInfo, id: string): string {
    if (!isValidId(id) || id.slice(0, 3) !== info.object.keyPrefix) {
      throw new Error(`Id ${id} is not a valid ${info.object.name} Id`);
    }
    // A seeded Id in this generator's own range moves the sequence past it, so later Ids never collide.
    if (id.slice(3, 6) === this.instance) this.ids.resume(info.object.keyPrefix, IdGenerator.sequenceOf(id));
    return to18(id);
  }

  private stampModified(info: TableInfo, names: string[], params: SQLInputValue[]): void {
    const stamp = formatDateTime(this.now());
    if (info.system.lastModifiedDate && !names.includes('LastModifiedDate')) {
      names.push('LastModifiedDate');
      params.push(stamp);
    }
    if (info.system.systemModstamp && !names.includes('SystemModstamp')) {
      names.push('SystemModstamp');
      params.push(stamp);
    }
    if (this.actingUser && info.system.lastModifiedById && !names.includes('LastModifiedById')) {
      names.push('LastModifiedById');
      params.push(this.actingUser);
    }
  }

  /** Creates the table, adds columns for fields new to the schema, and creates look-up indexes. */
  private migrate(info: TableInfo): void {
    const defs = info.columns.map((c) => {
      if (c.name === 'Id') return '"Id" TEXT PRIMARY KEY NOT NULL';
      if (c.name === 'IsDeleted') return '"IsDeleted" INTEGER NOT NULL DEFAULT 0';
      return `"${c.name}" ${sqlType(c.kind)}${c.kind === 'bool' ? ' DEFAULT 0' : ''}`;
    });
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${info.table} (${defs.join(', ')})`);
    const existing = new Set(
      this.db
        .prepare(`PRAGMA table_info(${info.table})`)
        .all()
        .map((r) => String(r.name).toLowerCase()),
    );
    for (const column of info.columns) {
      if (existing.has(column.name.toLowerCase())) continue;
      const def = `"${column.name}" ${sqlType(column.kind)}${column.kind === 'bool' ? ' DEFAULT 0' : ''}`;
      this.db.exec(`ALTER TABLE ${info.table} ADD COLUMN ${def}`);
    }
    for (const column of info.columns) {
      if (!isLookupField(column.field)) continue;
      const index = quoteIdent(`ix_${info.object.name}_${column.name}`);
      this.db.exec(
        `CREATE INDEX IF NOT EXISTS ${index} ON ${info.table} ("${column.name}"${collation(column)})`,
      );
    }
  }

  /** Continues each key prefix's Id sequence after the highest Id already stored (restart with a data dir). */
  private resumeIds(info: TableInfo, instance: string): void {
    const prefix = `${info.object.keyPrefix}${instance}`;
    const row = this.db
      .prepare(`SELECT "Id" FROM ${info.table} WHERE "Id" >= ? AND "Id" < ? ORDER BY "Id" DESC LIMIT 1`)
      .get(prefix, `${prefix}{`);
    if (row?.Id) this.ids.resume(info.object.keyPrefix, IdGenerator.sequenceOf(String(row.Id)));
  }
}

/** Opens (creating or migrating) the record store in `file`, or in memory for ':memory:'. */
export function openRecordStore(
  schema: SchemaIndex,
  file: string,
  options: RecordStoreOptions = {},
): SqliteRecordStore {
  return new SqliteRecordStore(schema, file, options);
}

/** Number of records of an object (live only unless `includeDeleted`). */
export function countRecords(store: RecordStore, object: string, includeDeleted = false): number {
  return store.countRecords(object, includeDeleted);
}

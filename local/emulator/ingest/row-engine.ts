import type { SchemaIndex } from '../context.ts';
import { isValidId, to18 } from '../ids.ts';
import type { FieldSchema, SObjectSchema } from '../schema/types.ts';
import type { RecordStore, StoredRecord, StoredValue } from '../store/types.ts';
import { coerceValue } from './coerce-value.ts';
import type { ColumnPlan, RowPlan } from './column-plan.ts';
import { NULL_MARKER } from './csv-format.ts';
import { rowErrors } from './sf-error.ts';

export interface RowEngineDeps {
  schema: SchemaIndex;
  store: RecordStore;
  /** Injected lock contention (faults `lock=<ratio>`). */
  rowLocked: () => boolean;
  /** Owner of inserted records when the row names none (the job's creator). */
  userId: string;
  /**
   * Seed files only: an insert row may carry its own Id; an existing record with that Id is updated, so
   * re-seeding a persistent --data-dir is idempotent. The Bulk API itself refuses Ids on insert.
   */
  explicitIds?: boolean;
}

/** The result of one data row: what successfulResults or failedResults reports for it. */
export type RowOutcome =
  | { ok: true; id: string; created: boolean; echo: string[] }
  | { ok: false; id: string; error: string };

class RowError extends Error {
  readonly sfError: string;
  constructor(sfError: string) {
    super(sfError);
    this.sfError = sfError;
  }
}

const fail = (sfError: string): never => {
  throw new RowError(sfError);
};

/**
 * Applies one CSV row to the store with Bulk API semantics (reference §1.4, §2): a blank cell leaves a
 * field alone (unset on insert, so defaults apply), `#N/A` clears it, relationship cells resolve to Ids.
 * Must run inside the batch's store transaction.
 */
export function applyRow(deps: RowEngineDeps, plan: RowPlan, cells: readonly string[]): RowOutcome {
  let targetId = '';
  try {
    if (cells.length > plan.columns.length) fail(rowErrors.tooManyValues());
    const target = resolveTarget(deps, plan, cells);
    targetId = target.id ?? '';
    if (deps.rowLocked()) fail(rowErrors.unableToLockRow(target.id));
    const object = plan.object.name;
    if (plan.operation === 'delete' || plan.operation === 'hardDelete') {
      const id = target.id ?? fail(rowErrors.missingId(plan.operation));
      if (plan.operation === 'delete') deps.store.delete(object, id);
      else deps.store.hardDelete(object, id);
      return { ok: true, id, created: false, echo: [...cells] };
    }
    const creating = target.id === undefined;
    const { values, echo } = rowValues(deps, plan, cells, creating);
    checkRequired(plan.object, values, creating);
    if (creating) applyDefaults(plan.object, values, deps.userId);
    checkUnique(deps, plan.object, values, target.id);
    if (creating) {
      if (target.newId !== undefined) values.Id = target.newId;
      const id = deps.store.insert(object, values);
      return { ok: true, id, created: true, echo };
    }
    const id = target.id ?? '';
    deps.store.update(object, id, values);
    return { ok: true, id, created: false, echo };
  } catch (err) {
    if (err instanceof RowError) return { ok: false, id: targetId, error: err.sfError };
    throw err;
  }
}

/** The existing record the row addresses (id undefined: the row inserts, with `newId` if seeded). */
function resolveTarget(
  deps: RowEngineDeps,
  plan: RowPlan,
  cells: readonly string[],
): { id: string | undefined; newId?: string } {
  const idCell = plan.idColumn >= 0 ? (cells[plan.idColumn] ?? '') : '';
  switch (plan.operation) {
    case 'insert':
      if (idCell === '') return { id: undefined };
      if (!deps.explicitIds) return fail(rowErrors.idOnInsert());
      if (!isValidId(idCell) || idCell.slice(0, 3) !== plan.object.keyPrefix) {
        return fail(
          rowErrors.malformedId(plan.columns[plan.idColumn]?.field ?? { name: 'Id', label: 'Id' }, idCell),
        );
      }
      return deps.store.findById(idCell) ? { id: to18(idCell) } : { id: undefined, newId: to18(idCell) };
    case 'update':
    case 'delete':
    case 'hardDelete':
      if (idCell === '') fail(rowErrors.missingId(plan.operation));
      return { id: existingRecordId(deps, plan, idCell) };
    case 'upsert': {
      const key = plan.externalIdField;
      if (!key || key.type === 'id') {
        // Upsert on Id: no Id means insert (reference §1.4).
        return { id: idCell === '' ? undefined : existingRecordId(deps, plan, idCell) };
      }
      const keyCell = plan.externalIdColumn >= 0 ? (cells[plan.externalIdColumn] ?? '') : '';
      if (keyCell === '' || keyCell === NULL_MARKER) fail(rowErrors.missingExternalId(key.name));
      const coerced = coerceValue(key, keyCell);
      if (!coerced.ok) return fail(coerced.error);
      const matches = deps.store.findIdsByField(plan.object.name, key.name, coerced.value);
      if (matches.length > 1) fail(rowErrors.duplicateExternalId(key, matches));
      return { id: matches[0] };
    }
  }
}

function existingRecordId(deps: RowEngineDeps, plan: RowPlan, idCell: string): string {
  const idField = plan.columns[plan.idColumn]?.field ?? { name: 'Id', label: `${plan.object.label} ID` };
  if (!isValidId(idCell) || idCell.slice(0, 3) !== plan.object.keyPrefix)
    fail(rowErrors.malformedId(idField, idCell));
  const found = deps.store.findById(idCell);
  if (!found) fail(rowErrors.invalidCrossReference());
  if (found?.isDeleted && plan.operation !== 'hardDelete') fail(rowErrors.entityIsDeleted());
  return to18(idCell);
}

function rowValues(
  deps: RowEngineDeps,
  plan: RowPlan,
  cells: readonly string[],
  creating: boolean,
): { values: StoredRecord; echo: string[] } {
  const values: StoredRecord = {};
  const echo: string[] = [];
  const notWritable: string[] = [];
  plan.columns.forEach((column, i) => {
    const cell = cells[i] ?? '';
    echo.push(cell);
    if (column.kind === 'id' || cell === '') return;
    const field = column.field;
    if (!(creating ? field.createable : field.updateable)) {
      // The upsert key repeats the matched value on update; that is not a write.
      if (!(i === plan.externalIdColumn && !creating)) notWritable.push(field.name);
      return;
    }
    if (cell === NULL_MARKER) {
      // A checkbox cannot hold null: clearing it means false.
      values[field.name] = field.type === 'boolean' ? false : null;
      return;
    }
    if (column.kind === 'relationship') {
      values[field.name] = resolveRelationship(deps, column, cell);
      return;
    }
    if (field.type === 'reference') {
      values[field.name] = resolveReferenceId(deps, field, cell);
      return;
    }
    const coerced = coerceValue(field, cell);
    if (!coerced.ok) fail(coerced.error);
    else {
      values[field.name] = coerced.value;
      echo[i] = coerced.echo;
    }
  });
  if (notWritable.length > 0) fail(rowErrors.notWritable(notWritable));
  return { values, echo };
}

/** A raw Id in a lookup column (WhoId): 15 or 18 characters, of an object the field may point to. */
function resolveReferenceId(deps: RowEngineDeps, field: FieldSchema, cell: string): string {
  if (!isValidId(cell)) fail(rowErrors.malformedId(field, cell));
  const target = deps.schema.objectByKeyPrefix(cell.slice(0, 3));
  if (!target || !field.referenceTo.some((t) => t.toLowerCase() === target.name.toLowerCase())) {
    fail(rowErrors.wrongIdType(field, cell));
  }
  const found = deps.store.findById(cell);
  if (!found) fail(rowErrors.invalidCrossReference());
  if (found?.isDeleted) fail(rowErrors.entityIsDeleted());
  return to18(cell);
}

function resolveRelationship(
  deps: RowEngineDeps,
  column: Extract<ColumnPlan, { kind: 'relationship' }>,
  cell: string,
): string {
  if (column.lookup.type === 'id') {
    const id = resolveReferenceId(deps, column.field, cell);
    if (id.slice(0, 3) !== column.target.keyPrefix) fail(rowErrors.wrongIdType(column.field, cell));
    return id;
  }
  const coerced = coerceValue(column.lookup, cell);
  const key: StoredValue = coerced.ok ? coerced.value : cell;
  const ids = deps.store.findIdsByField(column.target.name, column.lookup.name, key);
  if (ids.length === 0) fail(rowErrors.foreignKeyNotFound(cell, column.lookup.name, column.target.name));
  if (ids.length > 1) fail(rowErrors.foreignKeyDuplicate(cell, column.lookup.name, column.target.name));
  return ids[0] ?? '';
}

/** Required = createable, not nillable and not defaulted on create (describe's own definition). */
function isRequired(field: FieldSchema): boolean {
  return field.createable && !field.nillable && !field.defaultedOnCreate && field.type !== 'id';
}

function checkRequired(object: SObjectSchema, values: StoredRecord, creating: boolean): void {
  const missing = object.fields
    .filter((f) => isRequired(f) && (creating ? values[f.name] == null : values[f.name] === null))
    .map((f) => f.name);
  if (missing.length > 0) fail(rowErrors.requiredFieldMissing(missing));
}

function applyDefaults(object: SObjectSchema, values: StoredRecord, userId: string): void {
  for (const field of object.fields) {
    if (values[field.name] !== undefined || !field.createable) continue;
    if (field.name === 'OwnerId' && field.type === 'reference') {
      if (userId !== '') values[field.name] = userId;
    } else if (field.defaultValue !== undefined && field.defaultValue !== null) {
      values[field.name] = field.defaultValue;
    } else if (field.type === 'picklist' || field.type === 'multipicklist') {
      const preset = field.picklistValues.find((p) => p.active && p.defaultValue);
      if (preset) values[field.name] = preset.value;
    } else if (field.type === 'boolean') {
      values[field.name] = false;
    }
  }
}

function checkUnique(
  deps: RowEngineDeps,
  object: SObjectSchema,
  values: StoredRecord,
  selfId: string | undefined,
): void {
  for (const field of object.fields) {
    const value = values[field.name];
    if (!field.unique || value === undefined || value === null || value === '') continue;
    const other = deps.store.findIdsByField(object.name, field.name, value).find((id) => id !== selfId);
    if (other !== undefined) fail(rowErrors.duplicateValue(field, other));
  }
}

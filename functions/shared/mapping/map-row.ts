/**
 * Applies a planned mapping to one source row. Validate and Transform both call `mapRow`, so the rows
 * Transform skips are exactly the rows Validate rejected. A row that loads belongs to a group — a job
 * signature: the target object chosen for each per-row lookup — and its values follow that group's
 * Bulk CSV columns.
 */
import { InvalidFileError } from '../errors.ts';
import type { MappingPlan, PlannedField } from './plan-mapping.ts';

/** Why a row is not loaded; one line of rejected.csv. */
export interface Reject {
  line: number;
  column: string;
  value: string;
  rule: RejectRule;
  message: string;
}

export type RejectRule = 'columnCount' | 'required' | 'lookupType' | 'lookupTarget';

export type MappedRow = { ok: true; group: string; values: string[] } | { ok: false; rejects: Reject[] };

/** A plan bound to a file's header: where each column the mapping reads sits. */
export interface BoundPlan {
  plan: MappingPlan;
  width: number;
  fields: BoundField[];
}

interface BoundField {
  planned: PlannedField;
  columnIndex: number;
  typeIndex: number;
}

/** Bulk API: `#N/A` sets a field to null; an empty cell leaves it unchanged (null on insert). */
export const BULK_NULL = '#N/A';

/**
 * Finds the mapping's columns in the header (exact name first, then ignoring case and surrounding
 * spaces). @throws InvalidFileError naming every missing column, the file and line 1.
 */
export function bindHeader(plan: MappingPlan, header: readonly string[], fileLabel: string): BoundPlan {
  const exact = new Map<string, number>();
  const loose = new Map<string, number>();
  header.forEach((name, index) => {
    if (!exact.has(name)) exact.set(name, index);
    const key = name.trim().toLowerCase();
    if (!loose.has(key)) loose.set(key, index);
  });
  const missing: string[] = [];
  const find = (column: string | undefined, role: string): number => {
    if (column === undefined) return -1;
    const index = exact.get(column) ?? loose.get(column.trim().toLowerCase());
    if (index === undefined) missing.push(`"${column}" (${role})`);
    return index ?? -1;
  };
  const fields = plan.fields.map((planned) => ({
    planned,
    columnIndex: find(planned.column, `${planned.field}`),
    typeIndex: find(planned.typeColumn, `${planned.field}'s type`),
  }));
  if (missing.length > 0) {
    throw new InvalidFileError(
      `${fileLabel}:1: the header has no column ${missing.join(', ')}, which mapping ${plan.file} reads`,
    );
  }
  return { plan, width: header.length, fields };
}

/**
 * One output cell, or the row's rejects, for each kind of field. A new kind of field mapping is a new
 * entry here (and in parse-mapping's shapes).
 */
const CELL_RULES: Record<
  PlannedField['kind'],
  (
    field: BoundField,
    record: readonly string[],
    line: number,
    rejects: Reject[],
  ) => { cell: string; choice?: number }
> = {
  constant: ({ planned }) => ({ cell: planned.value ?? '' }),
  column: ({ planned, columnIndex }, record, line, rejects) => {
    const value = record[columnIndex] ?? '';
    if (!isBlank(value)) return { cell: value };
    if (planned.required) rejects.push(requiredReject(planned, line));
    return { cell: blankCell(planned) };
  },
  lookup: ({ planned, columnIndex, typeIndex }, record, line, rejects) => {
    const value = record[columnIndex] ?? '';
    const targets = planned.targets ?? [];
    if (isBlank(value)) {
      if (planned.required) rejects.push(requiredReject(planned, line));
      // No parent: the cell is empty in whichever target's column, so keep the row with the first target.
      return { cell: blankCell(planned), choice: 0 };
    }
    if (!planned.typeColumn || !planned.typeValues) return { cell: value, choice: 0 };
    const type = (record[typeIndex] ?? '').trim();
    const object = planned.typeValues.get(type.toLowerCase());
    if (object === undefined) {
      const known = [...planned.typeValues.keys()].join(', ');
      rejects.push({
        line,
        column: planned.typeColumn,
        value: type,
        rule: 'lookupType',
        message: type
          ? `${planned.typeColumn} "${type}" is not a known type for ${planned.field} (expected one of: ${known})`
          : `${planned.typeColumn} is blank; ${planned.field} needs it to choose the parent type (${known})`,
      });
      return { cell: '' };
    }
    const choice = targets.findIndex((t) => t.object === object);
    if (choice === -1) {
      rejects.push({
        line,
        column: planned.typeColumn,
        value: type,
        rule: 'lookupTarget',
        message: `${planned.typeColumn} "${type}" means ${object}, which ${planned.field}'s lookup does not cover (${targets.map((t) => t.object).join(', ')})`,
      });
      return { cell: '' };
    }
    return { cell: value, choice };
  },
};

/** Maps one source record (its fields and the line it starts on) to Bulk values, or to its rejects. */
export function mapRow(bound: BoundPlan, record: readonly string[], line: number): MappedRow {
  if (record.length !== bound.width) {
    return {
      ok: false,
      rejects: [
        {
          line,
          column: '',
          value: '',
          rule: 'columnCount',
          message: `the row has ${record.length} value${record.length === 1 ? '' : 's'} but the header has ${bound.width} columns`,
        },
      ],
    };
  }
  const rejects: Reject[] = [];
  const values: string[] = [];
  const choices: number[] = [];
  for (const field of bound.fields) {
    const { cell, choice } = CELL_RULES[field.planned.kind](field, record, line, rejects);
    values.push(cell);
    if (field.planned.typeColumn !== undefined) choices.push(choice ?? 0);
  }
  if (rejects.length > 0) return { ok: false, rejects };
  return { ok: true, group: choices.join('.'), values };
}

/** The Bulk CSV header of a group: field names, and for lookups the header of the chosen target. */
export function groupColumns(plan: MappingPlan, signature: string): string[] {
  const choices = signatureChoices(signature);
  let next = 0;
  return plan.fields.map((field) => {
    if (field.kind !== 'lookup') return field.field;
    const choice = field.typeColumn !== undefined ? (choices[next++] ?? 0) : 0;
    const target = field.targets?.[choice];
    if (!target) throw new Error(`signature "${signature}" does not fit mapping ${plan.file}`);
    return target.header;
  });
}

/**
 * A stable, file-name-safe id for a group: `task-upsert`, plus the chosen target of each per-row
 * lookup (`task-upsert-whoid-contact`). Stable so that a retried Transform writes the same keys.
 */
export function groupId(plan: MappingPlan, signature: string): string {
  const choices = signatureChoices(signature);
  const parts = [plan.object, plan.operation];
  let next = 0;
  for (const field of plan.fields) {
    if (field.typeColumn === undefined) continue;
    parts.push(field.field, field.targets?.[choices[next++] ?? 0]?.object ?? 'none');
  }
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '_');
}

function signatureChoices(signature: string): number[] {
  return signature === '' ? [] : signature.split('.').map(Number);
}

function isBlank(value: string): boolean {
  return value.trim() === '';
}

function blankCell(planned: PlannedField): string {
  return planned.blank === 'clear' ? BULK_NULL : '';
}

function requiredReject(planned: PlannedField, line: number): Reject {
  return {
    line,
    column: planned.column ?? '',
    value: '',
    rule: 'required',
    message: `${planned.field} is required but column ${planned.column} is blank`,
  };
}

/** A data row after mapping, with the line it starts on. */
export interface MappedRecord {
  line: number;
  result: MappedRow;
}

/**
 * Binds the first row (the header) and maps every following row: the one walk over a file that
 * Validate and Transform share. @throws InvalidFileError for an empty file or missing columns.
 */
export async function* mapRecords(
  plan: MappingPlan,
  rows: AsyncIterable<{ line: number; fields: string[] }>,
  fileLabel: string,
): AsyncIterable<MappedRecord> {
  let bound: BoundPlan | undefined;
  for await (const row of rows) {
    if (!bound) {
      bound = bindHeader(plan, row.fields, fileLabel);
      continue;
    }
    yield { line: row.line, result: mapRow(bound, row.fields, row.line) };
  }
  if (!bound)
    throw new InvalidFileError(`${fileLabel}:1: the file is empty; it needs a header row naming its columns`);
}

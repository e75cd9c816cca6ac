/**
 * Applies a planned mapping to one source row. Validate and Transform both call `mapRow`, so the rows
 * Transform skips are exactly the rows Validate rejected. A row that loads belongs to a group — a job
 * signature: the choice made for each reference field with several ways to load (Contact or Lead by
 * external id, raw Ids) — and its values follow that group's Bulk CSV columns.
 */
import { hasBatches } from '../csv.ts';
import { InvalidFileError } from '../errors.ts';
import type { PlannedCompound } from './compound-plan.ts';
import { RAW_ID_TYPE } from './parse-mapping.ts';
import type { MappingPlan, PlannedChoice, PlannedField, PlannedReference } from './plan-mapping.ts';
import { BULK_NULL, compileJoin, compileTemplate, isValidSalesforceId } from './values/index.ts';

/** Why a row is not loaded; one line of rejected.csv. */
export interface Reject {
  line: number;
  column: string;
  value: string;
  /** `columnCount`, `lookupType`, `lookupTarget`, a value rule (`required`, `type.date`...) or a compound rule. */
  rule: string;
  message: string;
}

export type MappedRow = { ok: true; group: string; values: string[] } | { ok: false; rejects: Reject[] };

/** A plan bound to a file's header: where each column the mapping reads sits. */
export interface BoundPlan {
  plan: MappingPlan;
  width: number;
  fields: BoundField[];
  /** Per compound input, the indexes of the columns it reads. */
  compoundColumns: number[][];
  /** Per compound input, the name of its columns in rejects (`street+city`). */
  compoundLabels: string[];
  /**
   * Group signatures by their code (each multi-choice reference's choice in mixed radix), so a row
   * reuses the signature string instead of joining a new one.
   */
  signatures: Map<number, string>;
}

interface BoundField {
  planned: PlannedField;
  /** The raw value, for fields whose value is not chosen per reference target or compound. */
  read: (record: readonly string[]) => string;
  /** Name of the source column(s), for rejects. */
  label: string;
  /** Per reference choice, how to read its value and its column's name. */
  choices: { read: (record: readonly string[]) => string; label: string }[];
  typeIndex: number;
  /** What a reference field's rows need from its plan, worked out once per file. */
  ref?: BoundReference;
}

interface BoundReference {
  /** The choice that takes raw Ids, or -1. */
  idChoice: number;
  /** Every choice that takes raw Ids (one at most today). */
  idChoices: number[];
  /** Per object, its lookup choice (the first, as `findIndex` would find it). */
  choiceOfObject: Map<string, number>;
  /** Whether every `typeValues` key is lower-case, so a lower-case cell can skip `toLowerCase`. */
  lowerCaseKeys: boolean;
  /** Whether each choice reads its own column. */
  distinct: boolean;
}

/** Bulk API: `#N/A` sets a field to null; an empty cell leaves it unchanged (null on insert). */
export { BULK_NULL };

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

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
  const reported = new Set<string>();
  const find = (column: string, role: string): number => {
    const index = exact.get(column) ?? loose.get(column.trim().toLowerCase());
    if (index === undefined && !reported.has(column)) {
      reported.add(column);
      missing.push(`"${column}" (${role})`);
    }
    return index ?? -1;
  };
  const cell = (index: number) => (record: readonly string[]) => record[index] ?? '';
  const fields = plan.fields.map((planned): BoundField => {
    const source = planned.source;
    let read: BoundField['read'] = () => '';
    let label = '';
    if (source.kind === 'column') {
      read = cell(find(source.column, planned.field));
      label = source.column;
    } else if (source.kind === 'constant') {
      const value = source.value;
      read = () => value;
    } else if (source.kind === 'template' || source.kind === 'join') {
      // Checked here so that every missing column is named at once; then the library binds them.
      const found = source.columns.map((c) => find(c, planned.field));
      if (found.every((index) => index >= 0)) {
        read =
          source.kind === 'template'
            ? compileTemplate(source.template, header)
            : compileJoin(source.columns, source.separator, header);
      }
      label = source.columns.join('+');
    }
    const choices = (planned.reference?.choices ?? []).map((choice) =>
      choice.column !== undefined
        ? { read: cell(find(choice.column, `${planned.field} ${choiceName(choice)}`)), label: choice.column }
        : { read, label },
    );
    const typeColumn = planned.reference?.typeColumn;
    // With a default type, a file without the type column is a file of rows of that type.
    const optionalType = planned.reference?.defaultType !== undefined;
    const typeIndex =
      typeColumn === undefined
        ? -1
        : optionalType
          ? (exact.get(typeColumn) ?? loose.get(typeColumn.trim().toLowerCase()) ?? -1)
          : find(typeColumn, `${planned.field}'s type`);
    const field: BoundField = { planned, read, label, choices, typeIndex };
    if (planned.reference) field.ref = bindReference(planned.reference, choices);
    return field;
  });
  const compoundColumns = plan.compounds.map((compound) =>
    compound.columns.map((column) => find(column, compound.label)),
  );
  if (missing.length > 0) {
    throw new InvalidFileError(
      `${fileLabel}:1: the header has no column ${missing.join(', ')}, which mapping ${plan.file} reads`,
    );
  }
  return {
    plan,
    width: header.length,
    fields,
    compoundColumns,
    compoundLabels: plan.compounds.map((compound) => compound.columns.join('+')),
    signatures: new Map(),
  };
}

function bindReference(reference: PlannedReference, choices: BoundField['choices']): BoundReference {
  const idChoices = reference.choices.flatMap((choice, i) => (choice.kind === 'id' ? [i] : []));
  const choiceOfObject = new Map<string, number>();
  reference.choices.forEach((choice, i) => {
    if (choice.kind === 'lookup' && !choiceOfObject.has(choice.object)) choiceOfObject.set(choice.object, i);
  });
  return {
    idChoice: idChoices[0] ?? -1,
    idChoices,
    choiceOfObject,
    lowerCaseKeys: [...(reference.typeValues?.keys() ?? [])].every((key) => key === key.toLowerCase()),
    distinct: new Set(choices.map((c) => c.label)).size === choices.length,
  };
}

function choiceName(choice: PlannedChoice): string {
  return choice.kind === 'lookup' ? choice.object : 'Id';
}

/** The cell of a reference field, and which of its choices the row takes. */
function mapReference(
  field: BoundField,
  reference: PlannedReference,
  bound: BoundReference,
  record: readonly string[],
  line: number,
  rejects: Reject[],
): { cell: string; choice: number } {
  const { planned } = field;
  const idChoice = bound.idChoice;
  const cellType = field.typeIndex >= 0 ? (record[field.typeIndex] ?? '').trim() : '';
  const rawIdFirst =
    cellType === '' && reference.defaultType !== undefined && isRawIdRow(field, reference, bound, record);
  const type = cellType !== '' || rawIdFirst ? cellType : (reference.defaultType ?? '');
  let choice: number | undefined;
  if (type !== '') {
    const typeValues = reference.typeValues;
    // With lower-case keys, a hit on the cell as written is the hit its lower case would give.
    const object =
      (bound.lowerCaseKeys ? typeValues?.get(type) : undefined) ?? typeValues?.get(type.toLowerCase());
    const typeColumn = reference.typeColumn ?? '';
    if (object === undefined) {
      const reject = rejecter(rejects, line);
      const known = [...(typeValues?.keys() ?? [])].join(', ');
      const inOrg = reference.referenceTo.find((name) => name.toLowerCase() === type.toLowerCase());
      return inOrg
        ? reject(
            typeColumn,
            type,
            'lookupTarget',
            `${typeColumn} "${type}": ${planned.field} can point to ${inOrg} in this org, but the mapping has no lookup for it (${reference.choices.map(choiceName).join(', ')})`,
          )
        : reject(
            typeColumn,
            type,
            'lookupType',
            `${typeColumn} "${type}" is not a known type for ${planned.field} (expected one of: ${known})`,
          );
    }
    choice = object === RAW_ID_TYPE ? idChoice : (bound.choiceOfObject.get(object) ?? -1);
    if (choice === -1) {
      // The type names an object with no lookup; a raw Id of that object still loads.
      const value = idChoice >= 0 ? (field.choices[idChoice]?.read(record) ?? '').trim() : '';
      const prefixObject = idObject(reference.choices[idChoice], value);
      if (prefixObject === object) choice = idChoice;
      else {
        const column = field.choices[idChoice]?.label ?? '';
        const reject = rejecter(rejects, line);
        return reject(
          column,
          value,
          'lookupTarget',
          `${typeColumn} "${type}": ${planned.field} loads ${object} only by raw Id, and ${column} holds no ${object} Id`,
        );
      }
    }
  } else {
    // No type given: a raw Id says its type with its key prefix; otherwise the one filled target.
    const filled = reference.choices.flatMap((_choice, i) =>
      (field.choices[i]?.read(record) ?? '').trim() !== '' ? [i] : [],
    );
    if (filled.length === 0) return { cell: blankCell(field, line, rejects), choice: 0 };
    const rawId = filled.find((i) =>
      looksLikeId(reference.choices[i], (field.choices[i]?.read(record) ?? '').trim()),
    );
    const lookups = filled.filter((i) => reference.choices[i]?.kind === 'lookup');
    const reject = rejecter(rejects, line);
    if (rawId !== undefined) choice = rawId;
    else if (lookups.length === 1 && (reference.typeColumn === undefined || bound.distinct))
      choice = lookups[0];
    else if (lookups.length === 0 && idChoice >= 0) choice = idChoice;
    else if (reference.typeColumn !== undefined && !bound.distinct)
      return reject(
        reference.typeColumn,
        '',
        'lookupType',
        `${reference.typeColumn} is blank; ${planned.field} needs it to choose the parent type (${[...(reference.typeValues?.keys() ?? [])].join(', ')})`,
      );
    else
      return reject(
        lookups.map((i) => field.choices[i]?.label).join('+'),
        '',
        'lookupTarget',
        `${planned.field}: more than one of ${lookups.map((i) => field.choices[i]?.label).join(', ')} is filled; fill one`,
      );
  }
  const index = choice ?? 0;
  const chosen = reference.choices[index];
  const source = field.choices[index];
  const raw = source?.read(record) ?? '';
  const converted =
    chosen?.kind === 'id' && planned.convertId ? planned.convertId(raw) : planned.convert(raw);
  if (!converted.ok) {
    rejects.push({
      line,
      column: source?.label ?? '',
      value: raw,
      rule: converted.rule,
      message: rejectMessage(planned, source?.label ?? '', raw, converted),
    });
    return { cell: '', choice: index };
  }
  return { cell: converted.value, choice: index };
}

/** Records a reject of the row's reference cell; made only on a reject path, not for every row. */
function rejecter(rejects: Reject[], line: number) {
  return (column: string, value: string, rule: string, message: string) => {
    rejects.push({ line, column, value, rule, message });
    return { cell: '', choice: 0 };
  };
}

/** Whether a filled column of the row holds a raw Id of an accepted object. */
function isRawIdRow(
  field: BoundField,
  reference: PlannedReference,
  bound: BoundReference,
  record: readonly string[],
): boolean {
  // Only a choice that takes raw Ids can hold one (`looksLikeId` is false for the others).
  for (const i of bound.idChoices) {
    if (looksLikeId(reference.choices[i], (field.choices[i]?.read(record) ?? '').trim())) return true;
  }
  return false;
}

/**
 * Whether a value with no type is taken as a raw Id: an Id of an accepted object by its key prefix, or
 * any 18-character Id with a valid checksum (then refused for its prefix, with the reason), since an
 * external id that happens to look like one is far less likely.
 */
function looksLikeId(choice: PlannedChoice | undefined, value: string): boolean {
  if (choice?.kind !== 'id' || !ID_SHAPE.test(value)) return false;
  return choice.prefixes.has(value.slice(0, 3)) || (value.length === 18 && isValidSalesforceId(value));
}

/** The object a well-formed raw Id belongs to, by key prefix, among the choice's accepted objects. */
function idObject(choice: PlannedChoice | undefined, value: string): string | undefined {
  if (choice?.kind !== 'id' || !ID_SHAPE.test(value)) return undefined;
  return choice.prefixes.get(value.slice(0, 3));
}

/** A reference with nothing in any of its columns: blank rules apply (required, keep or clear). */
function blankCell(field: BoundField, line: number, rejects: Reject[]): string {
  const converted = field.planned.convert('');
  if (converted.ok) return converted.value;
  const label = field.choices
    .map((c) => c.label)
    .filter((l, i, all) => l && all.indexOf(l) === i)
    .join('+');
  rejects.push({
    line,
    column: label,
    value: '',
    rule: converted.rule,
    message: rejectMessage(field.planned, label, '', converted),
  });
  return '';
}

/**
 * A required value that is blank, or `#N/A` where the field must keep a value, names the column(s) it
 * came from; other messages (a value map's blank or `#N/A` among them) are the rule's own.
 */
function rejectMessage(
  planned: PlannedField,
  label: string,
  raw: string,
  result: { rule: string; message: string },
): string {
  if (result.rule !== 'required') return result.message;
  const value = raw.trim();
  const columns = label.split('+').join(' + ');
  if (value === BULK_NULL) {
    if (!label) return result.message;
    const must = planned.required ? 'is required' : 'cannot be empty in Salesforce';
    return `${planned.field} ${must}; ${BULK_NULL} in column ${columns} would clear it`;
  }
  if (value !== '') return result.message;
  return label
    ? `${planned.field} is required but column ${columns} is blank`
    : `${planned.field} is required but its value is blank`;
}

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
  const plannedCompounds = bound.plan.compounds;
  const compounds: (string[] | undefined)[] = [];
  for (let i = 0; i < plannedCompounds.length; i++) {
    const compound = plannedCompounds[i] as PlannedCompound;
    const columns = bound.compoundColumns[i] ?? [];
    const cells: string[] = [];
    for (const index of columns) cells.push(record[index] ?? '');
    const result = compound.parse(cells);
    if (!result.ok) for (const reject of result.rejects) rejects.push({ line, ...reject });
    compounds.push(result.ok ? result.values : undefined);
  }
  const values: string[] = [];
  // The group's signature as a number: each multi-choice reference's choice, in mixed radix.
  let code = 0;
  for (const field of bound.fields) {
    const { planned } = field;
    if (planned.reference) {
      const { cell, choice } = mapReference(
        field,
        planned.reference,
        field.ref as BoundReference,
        record,
        line,
        rejects,
      );
      values.push(cell);
      const count = planned.reference.choices.length;
      if (count > 1) code = code * count + choice;
      continue;
    }
    let raw: string;
    let label = field.label;
    if (planned.component) {
      const parsed = compounds[planned.component.index];
      if (!parsed) {
        values.push('');
        continue;
      }
      raw = parsed[planned.component.position] ?? '';
      label = bound.compoundLabels[planned.component.index] ?? '';
    } else raw = field.read(record);
    const converted = planned.convert(raw);
    if (converted.ok) values.push(converted.value);
    else {
      rejects.push({
        line,
        column: label,
        value: raw,
        rule: converted.rule,
        message: rejectMessage(planned, label, raw, converted),
      });
      values.push('');
    }
  }
  if (rejects.length > 0) return { ok: false, rejects };
  let group = bound.signatures.get(code);
  if (group === undefined) {
    group = signatureOf(bound.plan, code);
    bound.signatures.set(code, group);
  }
  return { ok: true, group, values };
}

/** The signature (`1.0`: each multi-choice reference's choice, joined by dots) of a signature code. */
function signatureOf(plan: MappingPlan, code: number): string {
  const choices: number[] = [];
  for (let i = plan.fields.length - 1; i >= 0; i--) {
    const count = plan.fields[i]?.reference?.choices.length ?? 0;
    if (count < 2) continue;
    choices.unshift(code % count);
    code = Math.floor(code / count);
  }
  return choices.join('.');
}

/** The Bulk CSV header of a group: field names, and for references the header of the chosen way. */
export function groupColumns(plan: MappingPlan, signature: string): string[] {
  const choices = signatureChoices(signature);
  let next = 0;
  return plan.fields.map((field) => {
    const reference = field.reference;
    if (!reference) return field.field;
    const choice = reference.choices.length > 1 ? (choices[next++] ?? 0) : 0;
    const chosen = reference.choices[choice];
    if (!chosen) throw new Error(`signature "${signature}" does not fit mapping ${plan.file}`);
    return chosen.header;
  });
}

/**
 * A stable, file-name-safe id for a group: `task-upsert`, plus the choice of each reference field with
 * several (`task-upsert-whoid-contact-whatid-account`, `...-whoid-id` for raw Ids). Stable so that a
 * retried Transform writes the same keys.
 */
export function groupId(plan: MappingPlan, signature: string): string {
  const choices = signatureChoices(signature);
  const parts = [plan.object, plan.operation];
  let next = 0;
  for (const field of plan.fields) {
    const reference = field.reference;
    if (!reference || reference.choices.length < 2) continue;
    const chosen = reference.choices[choices[next++] ?? 0];
    parts.push(field.field, chosen ? choiceName(chosen) : 'none');
  }
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '_');
}

/**
 * Every group signature the plan can produce: one per combination of the choices of its reference
 * fields with several, in the order of their choices. For `mapping check` and the dry run, which show
 * every header a file could need.
 */
export function allSignatures(plan: MappingPlan): string[] {
  let signatures = [''];
  for (const field of plan.fields) {
    const count = field.reference?.choices.length ?? 0;
    if (count < 2) continue;
    signatures = signatures.flatMap((prefix) =>
      Array.from({ length: count }, (_, choice) => (prefix === '' ? String(choice) : `${prefix}.${choice}`)),
    );
  }
  return signatures;
}

function signatureChoices(signature: string): number[] {
  return signature === '' ? [] : signature.split('.').map(Number);
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
  for await (const batch of mapRecordBatches(plan, rows, fileLabel)) yield* batch;
}

/**
 * `mapRecords`, a batch of records at a time (a chunk of the file when `rows` can be read in batches):
 * a row costs a few microseconds to map, so one `await` per row would be a large share of it.
 */
export async function* mapRecordBatches(
  plan: MappingPlan,
  rows: AsyncIterable<{ line: number; fields: string[] }>,
  fileLabel: string,
): AsyncIterable<MappedRecord[]> {
  let bound: BoundPlan | undefined;
  const batches = hasBatches(rows) ? rows.batches() : oneByOne(rows);
  for await (const batch of batches) {
    const mapped: MappedRecord[] = [];
    for (const row of batch) {
      if (!bound) {
        bound = bindHeader(plan, row.fields, fileLabel);
        continue;
      }
      mapped.push({ line: row.line, result: mapRow(bound, row.fields, row.line) });
    }
    if (mapped.length > 0) yield mapped;
  }
  if (!bound)
    throw new InvalidFileError(`${fileLabel}:1: the file is empty; it needs a header row naming its columns`);
}

async function* oneByOne<T>(rows: AsyncIterable<T>): AsyncIterable<T[]> {
  for await (const row of rows) yield [row];
}

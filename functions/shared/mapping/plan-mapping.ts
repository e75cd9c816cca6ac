/**
 * Preflight of a mapping against the org's describe: every field exists and can be written by the
 * operation, lookups match on external id fields of objects the field really points to, compound
 * fields are named by their components, an insert covers the required fields. The result, a
 * MappingPlan, knows the canonical spelling of every name and the Bulk CSV header of every column.
 */
import type { Operation } from '../contracts.ts';
import { MappingError } from '../errors.ts';
import type { DescribeField, SObjectDescribe } from '../salesforce-port.ts';
import type { BlankPolicy, FieldMapping, Mapping, Position, RejectThreshold, SourceFormat } from './types.ts';

export type DescribeFn = (object: string) => Promise<SObjectDescribe>;

/** One choice of parent object for a lookup, with the Bulk CSV header that loads it. */
export interface PlannedTarget {
  object: string;
  matchField: string;
  /** `Account.External_Id__c` or, for a polymorphic field, `Contact:Who.Patient_Id__c`. */
  header: string;
}

export interface PlannedField {
  /** Canonical API name from describe. */
  field: string;
  kind: FieldMapping['kind'];
  required: boolean;
  blank: BlankPolicy;
  /** Source column (column and lookup fields). */
  column?: string;
  /** The constant's value. */
  value?: string;
  /** Lookup targets; the header of a column or constant field is `field`. */
  targets?: PlannedTarget[];
  /** Lookups whose target is chosen per row. */
  typeColumn?: string;
  /** Lower-cased type value or object name → target object name (canonical), for lookups with typeColumn. */
  typeValues?: Map<string, string>;
}

export interface MappingPlan {
  file: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  source: SourceFormat;
  rejectThreshold?: RejectThreshold;
  fields: PlannedField[];
}

class Problems {
  readonly list: string[] = [];
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }
  add(at: Position, message: string): void {
    this.list.push(`${this.#file}:${at.line}:${at.col}: ${message}`);
  }
}

const RETRYABLE = new Set(['SalesforceThrottledError', 'SalesforceUnavailableError', 'SalesforceAuthError']);

/**
 * Checks `mapping` against describe results and resolves it into a plan.
 * @throws MappingError listing every problem with its place in the mapping file.
 */
export async function planMapping(mapping: Mapping, describe: DescribeFn): Promise<MappingPlan> {
  const problems = new Problems(mapping.file);
  const described = new Map<string, SObjectDescribe | null>();
  const describeOrProblem = async (object: string, at: Position, role: string) => {
    const key = object.toLowerCase();
    if (!described.has(key)) {
      try {
        described.set(key, await describe(object));
      } catch (error) {
        // Throttling, outages and bad credentials are not the mapping's fault: let the state machine retry.
        if (error instanceof Error && RETRYABLE.has(error.name)) throw error;
        described.set(key, null);
        problems.add(at, `${role} ${object} cannot be described in this org (${(error as Error).message})`);
      }
    }
    return described.get(key) ?? undefined;
  };

  const sobject = await describeOrProblem(mapping.object, mapping.at.object, 'object');
  if (!sobject) throw new MappingError(problems.list.join('\n'));
  checkObjectAccess(sobject, mapping, problems);

  const fieldsByName = new Map(sobject.fields.map((f) => [f.name.toLowerCase(), f]));
  let externalIdFieldName: string | undefined;
  if (mapping.operation === 'upsert' && mapping.externalId !== undefined) {
    const at = mapping.at.externalId ?? mapping.at.operation;
    const field = fieldsByName.get(mapping.externalId.toLowerCase());
    if (!field) problems.add(at, `externalId ${mapping.externalId} is not a field of ${sobject.name}`);
    else if (field.name !== 'Id' && !field.externalId) {
      problems.add(
        at,
        `externalId ${field.name} is not an External ID field of ${sobject.name} (upsert matches on one)`,
      );
    } else externalIdFieldName = field.name;
  }

  const planned: PlannedField[] = [];
  for (const fieldMapping of mapping.fields) {
    const field = fieldsByName.get(fieldMapping.field.toLowerCase());
    if (!field) {
      problems.add(
        fieldMapping.at,
        `${fieldMapping.field} is not a field of ${sobject.name}${suggest(fieldMapping.field, sobject)}`,
      );
      continue;
    }
    if (!checkCompound(field, sobject, fieldMapping.at, problems)) continue;
    const identifies = field.name === 'Id' || field.name === externalIdFieldName;
    checkFieldAccess(field, sobject, mapping.operation, identifies, fieldMapping.at, problems);
    const base = {
      field: field.name,
      kind: fieldMapping.kind,
      // An empty Id or external id would not identify a record: such rows are rejected.
      required: fieldMapping.required || identifies,
      blank: fieldMapping.blank,
    };
    if (fieldMapping.kind === 'column') planned.push({ ...base, column: fieldMapping.column });
    else if (fieldMapping.kind === 'constant') planned.push({ ...base, value: fieldMapping.value });
    else {
      const lookup = await planLookup(fieldMapping, field, sobject, describeOrProblem, problems);
      if (lookup) planned.push({ ...base, ...lookup });
    }
  }

  if (mapping.operation === 'insert') checkRequiredCovered(sobject, planned, mapping, problems);
  if (problems.list.length > 0) throw new MappingError(problems.list.join('\n'));
  return {
    file: mapping.file,
    object: sobject.name,
    operation: mapping.operation,
    ...(externalIdFieldName !== undefined ? { externalIdFieldName } : {}),
    source: mapping.source,
    ...(mapping.rejectThreshold !== undefined ? { rejectThreshold: mapping.rejectThreshold } : {}),
    fields: planned,
  };
}

/** Whether the reference field needs the `Type:` prefix in a relationship column. */
export function isPolymorphicField(field: DescribeField): boolean {
  return field.referenceTo.length > 1 || field.polymorphicForeignKey;
}

/** The Bulk API header for loading `field` by `target`'s `matchField`. */
export function relationshipHeader(field: DescribeField, target: string, matchField: string): string {
  const path = `${field.relationshipName}.${matchField}`;
  return isPolymorphicField(field) ? `${target}:${path}` : path;
}

function checkObjectAccess(sobject: SObjectDescribe, mapping: Mapping, problems: Problems): void {
  const needs: Record<Operation, [keyof SObjectDescribe, string][]> = {
    insert: [['createable', 'create']],
    update: [['updateable', 'update']],
    upsert: [
      ['createable', 'create'],
      ['updateable', 'update'],
    ],
    delete: [['deletable', 'delete']],
    hardDelete: [['deletable', 'delete']],
  };
  for (const [flag, verb] of needs[mapping.operation]) {
    if (!sobject[flag]) {
      problems.add(
        mapping.at.operation,
        `${mapping.operation}: the integration user cannot ${verb} ${sobject.name} records`,
      );
    }
  }
}

/** Compound fields (addresses, geolocations, person names) are read-only: their components load. */
function checkCompound(
  field: DescribeField,
  sobject: SObjectDescribe,
  at: Position,
  problems: Problems,
): boolean {
  const components = sobject.fields.filter(
    (f) => f.compoundFieldName?.toLowerCase() === field.name.toLowerCase(),
  );
  if (components.length === 0 && field.type !== 'address' && field.type !== 'location') return true;
  const names = components.map((f) => f.name).join(', ');
  problems.add(
    at,
    `${field.name} is a compound field and cannot be loaded directly; map its components instead${names ? `: ${names}` : ''}`,
  );
  return false;
}

function checkFieldAccess(
  field: DescribeField,
  sobject: SObjectDescribe,
  operation: Operation,
  identifies: boolean,
  at: Position,
  problems: Problems,
): void {
  if (operation === 'delete' || operation === 'hardDelete') {
    if (field.name !== 'Id') problems.add(at, `${operation} takes only Id, not ${field.name}`);
    return;
  }
  if (field.name === 'Id') {
    if (operation === 'insert') problems.add(at, 'Id cannot be set on insert (Salesforce assigns it)');
    return;
  }
  const needsCreate = operation === 'insert' || operation === 'upsert';
  const needsUpdate = (operation === 'update' || operation === 'upsert') && !identifies;
  const missing = [
    needsCreate && !field.createable ? 'created' : '',
    needsUpdate && !field.updateable ? 'updated' : '',
  ]
    .filter(Boolean)
    .join(' or ');
  if (missing)
    problems.add(at, `${sobject.name}.${field.name} cannot be ${missing} (read-only for ${operation})`);
}

async function planLookup(
  mapping: Extract<FieldMapping, { kind: 'lookup' }>,
  field: DescribeField,
  sobject: SObjectDescribe,
  describeOrProblem: (object: string, at: Position, role: string) => Promise<SObjectDescribe | undefined>,
  problems: Problems,
): Promise<Pick<PlannedField, 'column' | 'targets' | 'typeColumn' | 'typeValues'> | undefined> {
  if (field.type !== 'reference' || !field.relationshipName) {
    problems.add(
      mapping.at,
      `${sobject.name}.${field.name} is not a lookup field (type ${field.type}); map it from a column`,
    );
    return undefined;
  }
  const referenceTo = new Map(field.referenceTo.map((name) => [name.toLowerCase(), name]));
  const targets: PlannedTarget[] = [];
  for (const target of mapping.targets) {
    const object = referenceTo.get(target.object.toLowerCase());
    if (!object) {
      problems.add(
        target.at,
        `${field.name} cannot point to ${target.object}; it points to ${field.referenceTo.join(', ')}`,
      );
      continue;
    }
    const parent = await describeOrProblem(object, target.at, 'lookup target');
    if (!parent) continue;
    const match = parent.fields.find((f) => f.name.toLowerCase() === target.matchField.toLowerCase());
    if (!match) {
      problems.add(
        target.at,
        `${target.matchField} is not a field of ${object}${suggest(target.matchField, parent)}`,
      );
      continue;
    }
    if (!match.externalId && !match.idLookup) {
      problems.add(
        target.at,
        `${object}.${match.name} is neither an External ID nor an ID lookup field; a lookup must match on one`,
      );
      continue;
    }
    targets.push({ object, matchField: match.name, header: relationshipHeader(field, object, match.name) });
  }
  const planned: Pick<PlannedField, 'column' | 'targets' | 'typeColumn' | 'typeValues'> = {
    column: mapping.column,
    targets,
  };
  if (mapping.typeColumn !== undefined) {
    // Object names always work as type values; typeValues adds aliases (patient → Contact).
    const typeValues = new Map<string, string>();
    for (const target of targets) typeValues.set(target.object.toLowerCase(), target.object);
    for (const [alias, object] of mapping.typeValues ?? []) {
      const canonical = referenceTo.get(object.toLowerCase());
      if (!canonical) {
        problems.add(
          mapping.at,
          `${field.name}: typeValues maps "${alias}" to ${object}, which ${field.name} cannot point to (${field.referenceTo.join(', ')})`,
        );
        continue;
      }
      typeValues.set(alias, canonical);
    }
    planned.typeColumn = mapping.typeColumn;
    planned.typeValues = typeValues;
  }
  return planned;
}

function checkRequiredCovered(
  sobject: SObjectDescribe,
  planned: PlannedField[],
  mapping: Mapping,
  problems: Problems,
): void {
  const mapped = new Set(planned.map((f) => f.field));
  const missing = sobject.fields.filter(
    (f) => f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean' && !mapped.has(f.name),
  );
  if (missing.length > 0) {
    problems.add(
      mapping.at.fields,
      `insert into ${sobject.name} needs ${missing.map((f) => f.name).join(', ')} (required, no default); map ${missing.length > 1 ? 'them' : 'it'}`,
    );
  }
}

function suggest(name: string, sobject: SObjectDescribe): string {
  const wanted = name.toLowerCase().replace(/_/g, '');
  const close = sobject.fields.find((f) => {
    const candidate = f.name.toLowerCase().replace(/_/g, '');
    return candidate === wanted || candidate === `${wanted}c` || distance(candidate, wanted) <= 2;
  });
  return close ? ` (did you mean ${close.name}?)` : '';
}

/** Levenshtein distance, for "did you mean" on short API names. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

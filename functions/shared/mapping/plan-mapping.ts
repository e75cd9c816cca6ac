/**
 * Preflight of a mapping against the org's describe: every field exists and can be written by the
 * operation, declared source types fit the field, constants and value maps produce known picklist
 * values, lookups match on external id or idLookup fields of objects the field really points to,
 * compound fields are named by their components, an insert covers the required fields. The result, a
 * MappingPlan, knows the canonical spelling of every name, how each cell is converted, and the Bulk
 * CSV header of every column for every choice of polymorphic target.
 */
import type { Operation } from '../contracts.ts';
import { MappingError } from '../errors.ts';
import type { DescribeField, GlobalDescribeEntry, SObjectDescribe } from '../salesforce-port.ts';
import { compoundError } from './compound/index.ts';
import { type PlannedCompound, planCompound } from './compound-plan.ts';
import { RAW_ID_TYPE } from './parse-mapping.ts';
import { didYouMean } from './suggest.ts';
import type {
  BlankPolicy,
  FieldMapping,
  Mapping,
  Position,
  RejectThreshold,
  SourceFormat,
  ValueSource,
} from './types.ts';
import { compileValueRules, type ValueConverter } from './value-rules.ts';
import { readValueRules } from './values/index.ts';

export type DescribeFn = (object: string) => Promise<SObjectDescribe>;

/** The org's objects with their key prefixes (the global describe). */
export type DescribeGlobalFn = () => Promise<GlobalDescribeEntry[]>;

export interface PlanOptions {
  /** The org's API version (e.g. `62.0`): the polymorphic header spells custom types differently below 57.0. */
  apiVersion?: string;
  /**
   * Asked once when the mapping checks raw Ids, so that an Id of an object the plan does not describe
   * is refused naming its object. Without it, Ids are checked against the described objects alone.
   */
  describeGlobal?: DescribeGlobalFn;
}

export const DEFAULT_API_VERSION = '62.0';

/** One way a reference field's value is loaded, with the Bulk CSV header for it. */
export type PlannedChoice =
  | {
      kind: 'lookup';
      object: string;
      matchField: string;
      /** `Account.External_Id__c` or, for a polymorphic field, `Contact:Who.Patient_Id__c`. */
      header: string;
      /** This target's own column, when it has one. */
      column?: string;
    }
  | {
      kind: 'id';
      /** The field itself (`WhoId`): a raw Id column may mix the types its key prefix tells apart. */
      header: string;
      column?: string;
      /** Key prefix → object name, for the objects whose Ids are accepted. */
      prefixes: Map<string, string>;
    };

export interface PlannedReference {
  choices: PlannedChoice[];
  /** The objects the field can point to in this org (describe referenceTo). */
  referenceTo: string[];
  typeColumn?: string;
  /** Lower-cased type value or object name → object name, or RAW_ID_TYPE. */
  typeValues?: Map<string, string>;
  /** Lower-cased type value that rows with a blank type cell take (or whose file has no type column). */
  defaultType?: string;
}

export interface PlannedField {
  /** Canonical API name from describe. */
  field: string;
  source: ValueSource;
  required: boolean;
  /** Converts and checks one value (trim, value map, type, length, pattern, picklist...). */
  convert: ValueConverter;
  /** For references that accept raw Ids: checks an Id (length, checksum, key prefix). */
  convertId?: ValueConverter;
  reference?: PlannedReference;
  /** A component of a compound input: its value is `compounds[index]`'s value at `position`. */
  component?: { index: number; position: number };
  /** Where the field is in the mapping (for the dry run and messages). */
  at: Position;
}

export interface MappingPlan {
  file: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  apiVersion: string;
  source: SourceFormat;
  rejectThreshold?: RejectThreshold;
  fields: PlannedField[];
  compounds: PlannedCompound[];
}

export class Problems {
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

type DescribeOrProblem = (
  object: string,
  at: Position | undefined,
  role: string,
) => Promise<SObjectDescribe | undefined>;

/**
 * Checks `mapping` against describe results and resolves it into a plan.
 * @throws MappingError listing every problem with its place in the mapping file.
 */
export async function planMapping(
  mapping: Mapping,
  describe: DescribeFn,
  options: PlanOptions = {},
): Promise<MappingPlan> {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const problems = new Problems(mapping.file);
  const described = new Map<string, SObjectDescribe | null>();
  // Every key prefix seen, so that an Id of the wrong object is refused naming the object it is.
  const knownPrefixes = new Map<string, string>();
  // `at` undefined: an object we only probe (raw Id prefixes), whose absence is not a problem.
  const describeOrProblem: DescribeOrProblem = async (object, at, role) => {
    const key = object.toLowerCase();
    if (!described.has(key)) {
      try {
        const result = await describe(object);
        described.set(key, result);
        if (result.keyPrefix) knownPrefixes.set(result.keyPrefix, result.name);
      } catch (error) {
        // Throttling, outages and bad credentials are not the mapping's fault: let the state machine retry.
        if (error instanceof Error && RETRYABLE.has(error.name)) throw error;
        described.set(key, null);
        if (at)
          problems.add(at, `${role} ${object} cannot be described in this org (${(error as Error).message})`);
      }
    }
    return described.get(key) ?? undefined;
  };

  const sobject = await describeOrProblem(mapping.object, mapping.at.object, 'object');
  if (!sobject) throw new MappingError(problems.list.join('\n'));
  checkObjectAccess(sobject, mapping, problems);

  const fieldsByName = new Map(sobject.fields.map((f) => [f.name.toLowerCase(), f]));
  const everyKeyPrefix =
    options.describeGlobal !== undefined && checksRawIds(mapping, fieldsByName)
      ? await addGlobalKeyPrefixes(options.describeGlobal, knownPrefixes)
      : false;
  const idContext = { keyPrefixes: knownPrefixes, everyKeyPrefix };
  let externalIdFieldName: string | undefined;
  if (mapping.operation === 'upsert' && mapping.externalId !== undefined) {
    const at = mapping.at.externalId ?? mapping.at.operation;
    const field = fieldsByName.get(mapping.externalId.toLowerCase());
    if (!field)
      problems.add(
        at,
        `externalId ${mapping.externalId} is not a field of ${sobject.name}${didYouMean(
          mapping.externalId,
          sobject.fields.map((f) => f.name),
        )}`,
      );
    else if (field.name !== 'Id' && !field.externalId) {
      problems.add(
        at,
        `externalId ${field.name} is not an External ID field of ${sobject.name} (upsert matches on one)`,
      );
    } else externalIdFieldName = field.name;
  }

  const planned: PlannedField[] = [];
  const compounds: PlannedCompound[] = [];
  for (const fieldMapping of mapping.fields) {
    if (fieldMapping.compound) {
      const compound = planCompound(fieldMapping, sobject, mapping.operation, problems);
      if (!compound) continue;
      const index = compounds.push(compound.plan) - 1;
      for (const [position, component] of compound.fields.entries()) {
        checkFieldAccess(component, sobject, mapping.operation, false, fieldMapping.at, problems);
        planned.push({
          field: component.name,
          source: { kind: 'compound' },
          required: false,
          convert: compileValueRules(
            component,
            { rules: {}, required: false, ...blankOf(fieldMapping) },
            mapping.defaults,
            problems,
            fieldMapping.at,
          ),
          component: { index, position },
          at: fieldMapping.at,
        });
      }
      continue;
    }
    const field = fieldsByName.get(fieldMapping.field.toLowerCase());
    if (!field) {
      problems.add(
        fieldMapping.at,
        `${fieldMapping.field} is not a field of ${sobject.name}${didYouMean(
          fieldMapping.field,
          sobject.fields.map((f) => f.name),
        )}`,
      );
      continue;
    }
    if (!checkCompound(field, sobject, fieldMapping.at, problems)) continue;
    const identifies = field.name === 'Id' || field.name === externalIdFieldName;
    checkFieldAccess(field, sobject, mapping.operation, identifies, fieldMapping.at, problems);
    const base = {
      field: field.name,
      source: fieldMapping.source,
      // An empty Id or external id would not identify a record: such rows are rejected.
      required: fieldMapping.required || identifies,
      at: fieldMapping.at,
    };
    const valueInput = { rules: fieldMapping.rules, required: base.required, ...blankOf(fieldMapping) };
    // A plain column onto a lookup holds raw Ids: checked by length, checksum and key prefix.
    const referenceSpec =
      fieldMapping.reference ??
      (field.type === 'reference'
        ? { targets: [], ids: { objects: 'all' as const, at: fieldMapping.at } }
        : undefined);
    if (referenceSpec) {
      const reference = await planReference(
        { ...fieldMapping, reference: referenceSpec },
        field,
        sobject,
        apiVersion,
        describeOrProblem,
        problems,
      );
      // Lookup values are the parent's key, text up to an external id's 255 characters.
      const convert = compileValueRules(
        { ...field, length: 255 },
        valueInput,
        mapping.defaults,
        problems,
        fieldMapping.at,
        { asType: 'string' },
      );
      const ids = reference?.choices.find((c) => c.kind === 'id');
      const convertId = ids
        ? compileValueRules(field, valueInput, mapping.defaults, problems, fieldMapping.at, {
            referenceTo: [...ids.prefixes.values()],
            context: idContext,
          })
        : undefined;
      if (reference) planned.push({ ...base, convert, ...(convertId ? { convertId } : {}), reference });
      continue;
    }
    const convert = compileValueRules(
      field,
      valueInput,
      mapping.defaults,
      problems,
      fieldMapping.at,
      // The record's own Id: its key prefix must be the object's.
      field.type === 'id' && sobject.keyPrefix ? { context: { ...idContext, object: sobject.name } } : {},
    );
    if (fieldMapping.source.kind === 'constant')
      checkPicklistValue(
        field,
        convert,
        fieldMapping.source.value,
        fieldMapping.keys.constant ?? fieldMapping.at,
        problems,
      );
    const valueMap = fieldMapping.rules.valueMap;
    if (valueMap) {
      for (const output of valueMapOutputs(valueMap.value))
        checkPicklistValue(field, undefined, output, valueMap.at, problems, 'valueMap gives');
    }
    planned.push({ ...base, convert });
  }

  const duplicates = duplicateFields(planned);
  for (const [name, at] of duplicates)
    problems.add(at, `${name} is filled twice (by a compound input and a field rule)`);
  if (mapping.operation === 'insert') checkRequiredCovered(sobject, planned, mapping, problems);
  if (problems.list.length > 0) throw new MappingError(problems.list.join('\n'));
  return {
    file: mapping.file,
    object: sobject.name,
    operation: mapping.operation,
    ...(externalIdFieldName !== undefined ? { externalIdFieldName } : {}),
    apiVersion,
    source: mapping.source,
    ...(mapping.rejectThreshold !== undefined ? { rejectThreshold: mapping.rejectThreshold } : {}),
    fields: planned,
    compounds,
  };
}

/** Whether any field takes raw Ids: the record's own Id, a lookup from a plain column, or `id:`. */
function checksRawIds(mapping: Mapping, fieldsByName: Map<string, DescribeField>): boolean {
  return mapping.fields.some((fieldMapping) => {
    if (fieldMapping.compound) return false;
    if (fieldMapping.reference?.ids) return true;
    const field = fieldsByName.get(fieldMapping.field.toLowerCase());
    return field?.type === 'id' || (field?.type === 'reference' && !fieldMapping.reference);
  });
}

/**
 * Adds the key prefix of every object of the org to `prefixes` (the described objects' are there
 * already), so that a Contact Id in Task's own Id, or an Account Id in WhoId when the mapping never
 * touches Account, is refused naming its object. @returns true: `prefixes` now holds every object.
 */
async function addGlobalKeyPrefixes(
  describeGlobal: DescribeGlobalFn,
  prefixes: Map<string, string>,
): Promise<boolean> {
  for (const object of await describeGlobal())
    if (object.keyPrefix && !prefixes.has(object.keyPrefix)) prefixes.set(object.keyPrefix, object.name);
  return true;
}

/**
 * Whether the reference field needs the `Type:` prefix in a relationship column. Salesforce marks a
 * field that can point to several types in this org with polymorphicForeignKey (the emulator's default
 * org sets it exactly when referenceTo has 2+ targets); the flag, not our own count, decides.
 */
export function isPolymorphicField(field: DescribeField): boolean {
  return field.polymorphicForeignKey;
}

/**
 * The `ObjectType` of a polymorphic header. From API 57.0 it is the object's apiName, namespace and
 * `__c` included (`ns__Care_Plan__c`). Below 57.0 custom types went by their name without namespace
 * and suffix (`Care_Plan`) — UNCONFIRMED beyond the docs' "starting with version 57.0" note.
 */
export function polymorphicTypeName(object: string, apiVersion: string): string {
  if (Number.parseFloat(apiVersion) >= 57 || !/__c$/i.test(object)) return object;
  const bare = object.replace(/__c$/i, '');
  const namespaced = /^[A-Za-z0-9]+__(.+)$/.exec(bare);
  return namespaced?.[1] ?? bare;
}

/** The Bulk API header for loading `field` by `target`'s `matchField`. */
export function relationshipHeader(
  field: DescribeField,
  target: string,
  matchField: string,
  apiVersion: string = DEFAULT_API_VERSION,
): string {
  const path = `${field.relationshipName}.${matchField}`;
  return isPolymorphicField(field) ? `${polymorphicTypeName(target, apiVersion)}:${path}` : path;
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
  const message = compoundError(sobject, field.name);
  if (message === undefined) return true;
  problems.add(at, message);
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
  // A delete maps only Id (parseMapping makes sure), which it need not create or update.
  if (operation === 'delete' || operation === 'hardDelete') return;
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

/** A picklist value the mapping itself writes (a constant, a valueMap output) must be in the picklist. */
function checkPicklistValue(
  field: DescribeField,
  convert: ValueConverter | undefined,
  raw: string,
  at: Position,
  problems: Problems,
  what = 'constant',
): void {
  if (field.type !== 'picklist' && field.type !== 'multipicklist') return;
  const converted = convert ? convert(raw) : { ok: true as const, value: raw };
  if (!converted.ok) {
    problems.add(at, `${what} "${raw}" for ${field.name}: ${converted.message}`);
    return;
  }
  const active = field.picklistValues.filter((p) => p.active).map((p) => p.value);
  const values = field.type === 'multipicklist' ? converted.value.split(';') : [converted.value];
  for (const value of values) {
    if (active.some((known) => known === value)) continue;
    const sameButCase = active.find((known) => known.toLowerCase() === value.toLowerCase());
    problems.add(
      at,
      `${what} "${value}", which is not a value of the ${field.name} picklist${sameButCase ? ` (did you mean ${sameButCase}?)` : ` (${active.join(', ')})`}`,
    );
  }
}

async function planReference(
  mapping: FieldMapping,
  field: DescribeField,
  sobject: SObjectDescribe,
  apiVersion: string,
  describeOrProblem: DescribeOrProblem,
  problems: Problems,
): Promise<PlannedReference | undefined> {
  const spec = mapping.reference;
  if (!spec) return undefined;
  if (field.type !== 'reference' || !field.relationshipName) {
    problems.add(
      mapping.at,
      `${sobject.name}.${field.name} is not a lookup field (type ${field.type}); map it from a column`,
    );
    return undefined;
  }
  const before = problems.list.length;
  const referenceTo = new Map(field.referenceTo.map((name) => [name.toLowerCase(), name]));
  const pointsTo = `it points to ${field.referenceTo.join(', ')}`;
  const choices: PlannedChoice[] = [];
  for (const target of spec.targets) {
    const object = referenceTo.get(target.object.toLowerCase());
    if (!object) {
      problems.add(
        target.at,
        `${field.name} cannot point to ${target.object}; ${pointsTo}${didYouMean(target.object, field.referenceTo)}`,
      );
      continue;
    }
    const parent = await describeOrProblem(object, target.at, 'lookup target');
    if (!parent) continue;
    const match = parent.fields.find((f) => f.name.toLowerCase() === target.matchField.toLowerCase());
    if (!match) {
      problems.add(
        target.at,
        `${target.matchField} is not a field of ${object}${didYouMean(
          target.matchField,
          parent.fields.map((f) => f.name),
        )}`,
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
    choices.push({
      kind: 'lookup',
      object,
      matchField: match.name,
      header: relationshipHeader(field, object, match.name, apiVersion),
      ...(target.column !== undefined ? { column: target.column } : {}),
    });
  }

  if (spec.ids) {
    const prefixes = new Map<string, string>();
    const wanted = spec.ids.objects === 'all' ? field.referenceTo : spec.ids.objects;
    await Promise.all(
      wanted.map(async (name) => {
        const object = referenceTo.get(name.toLowerCase());
        if (!object) {
          problems.add(spec.ids?.at ?? mapping.at, `id: ${field.name} cannot point to ${name}; ${pointsTo}`);
          return;
        }
        // With `id: true` an object the user cannot see simply accepts no Ids.
        const parent = await describeOrProblem(
          object,
          spec.ids?.objects === 'all' ? undefined : spec.ids?.at,
          'id object',
        );
        if (parent?.keyPrefix) prefixes.set(parent.keyPrefix, parent.name);
      }),
    );
    choices.push({
      kind: 'id',
      header: field.name,
      prefixes,
      ...(spec.ids.column !== undefined ? { column: spec.ids.column } : {}),
    });
  }

  const planned: PlannedReference = { choices, referenceTo: field.referenceTo };
  if (spec.typeColumn !== undefined) {
    // Object names always work as type values; typeValues adds aliases (patient → Contact).
    const typeValues = new Map<string, string>();
    for (const choice of choices)
      if (choice.kind === 'lookup') typeValues.set(choice.object.toLowerCase(), choice.object);
    if (spec.ids) typeValues.set(RAW_ID_TYPE.toLowerCase(), RAW_ID_TYPE);
    // An object loaded only by raw Id is a type too: its rows must hold Ids of that object.
    for (const choice of choices) {
      if (choice.kind !== 'id') continue;
      for (const object of choice.prefixes.values())
        if (!typeValues.has(object.toLowerCase())) typeValues.set(object.toLowerCase(), object);
    }
    for (const [alias, object] of spec.typeValues ?? []) {
      if (object.toLowerCase() === RAW_ID_TYPE.toLowerCase()) {
        if (!spec.ids)
          problems.add(
            mapping.keys.typeValues ?? mapping.at,
            `${field.name}: typeValues maps "${alias}" to Id, but the field has no id: true`,
          );
        typeValues.set(alias, RAW_ID_TYPE);
        continue;
      }
      const canonical = referenceTo.get(object.toLowerCase());
      if (!canonical) {
        problems.add(
          mapping.keys.typeValues ?? mapping.at,
          `${field.name}: typeValues maps "${alias}" to ${object}, which ${field.name} cannot point to (${field.referenceTo.join(', ')})`,
        );
        continue;
      }
      typeValues.set(alias, canonical);
    }
    planned.typeColumn = spec.typeColumn;
    planned.typeValues = typeValues;
    if (spec.defaultType !== undefined) {
      const key = spec.defaultType.toLowerCase();
      if (typeValues.has(key)) planned.defaultType = key;
      else
        problems.add(
          mapping.keys.defaultType ?? mapping.at,
          `${field.name}: defaultType ${spec.defaultType} is not one of its targets (${[...typeValues.keys()].join(', ')})`,
        );
    }
  }
  return problems.list.length > before ? undefined : planned;
}

/**
 * The field's own `blank`, and only that: the mapping's default reaches the values library as a default,
 * which it skips on fields that cannot be null (checkboxes, required fields, Ids) instead of refusing them.
 */
function blankOf(fieldMapping: FieldMapping): { blank?: BlankPolicy } {
  return fieldMapping.blank !== undefined ? { blank: fieldMapping.blank } : {};
}

/** The values a value map can write (its targets and a fixed `otherwise`), blank and `#N/A` aside. */
function valueMapOutputs(raw: unknown): string[] {
  const spec = readValueRules({ valueMap: raw }).spec.valueMap;
  if (!spec) return [];
  const outputs = Object.values(spec.values);
  if (typeof spec.otherwise === 'object') outputs.push(spec.otherwise.value);
  return [...new Set(outputs)].filter((v) => v.trim() !== '' && v !== '#N/A');
}

/** Fields filled by two mapping entries (a compound's component also mapped on its own). */
function duplicateFields(planned: PlannedField[]): [string, Position][] {
  const seen = new Set<string>();
  const twice: [string, Position][] = [];
  for (const field of planned) {
    if (seen.has(field.field)) twice.push([field.field, field.at]);
    seen.add(field.field);
  }
  return twice;
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

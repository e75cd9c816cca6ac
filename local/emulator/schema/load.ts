import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { isValidId, to18 } from '../ids.ts';
import type {
  ChildRelationship,
  FieldSchema,
  FieldType,
  OrgSchema,
  PicklistValue,
  SObjectSchema,
} from './types.ts';

/** A schema that cannot be loaded; the message names the file, object and field at fault. */
export class SchemaError extends Error {
  override name = 'SchemaError';
}

/** The organization id reported when the schema carries none: stable so tokens and Ids look alike across runs. */
export const DEFAULT_ORGANIZATION_ID = to18('00D8c0000000001');

const DEFAULT_ORG_URL = new URL('./default-org.yaml', import.meta.url);

const FIELD_TYPE_LIST: readonly FieldType[] = [
  'id',
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'boolean',
  'int',
  'long',
  'double',
  'currency',
  'percent',
  'date',
  'datetime',
  'time',
  'reference',
  'address',
  'location',
  'encryptedstring',
];
const FIELD_TYPES = new Map<string, FieldType>(FIELD_TYPE_LIST.map((t) => [t, t]));
/**
 * Real describe types that no Bulk API 2.0 CSV can write (2.0 has no binary attachments; the others are
 * history values and structured metadata). Whole-org exports have them, so their fields are left out.
 */
const UNLOADABLE_TYPES = new Set(['base64', 'anytype', 'complexvalue', 'datacategorygroupreference', 'json']);

/** Attributes that FieldSchema models; anything else in an imported describe field is kept in `extra`. */
const MODELED_FIELD_KEYS = new Set([
  'name',
  'label',
  'type',
  'length',
  'precision',
  'scale',
  'nillable',
  'createable',
  'updateable',
  'defaultedOnCreate',
  'externalId',
  'idLookup',
  'unique',
  'caseSensitive',
  'calculated',
  'referenceTo',
  'relationshipName',
  'polymorphicForeignKey',
  'picklistValues',
  'restrictedPicklist',
  'compoundFieldName',
  'defaultValue',
  'nameField',
  'autoNumber',
  'extra',
]);
/** Compact-format shorthands (see default-org.yaml); never copied into `extra`. */
const SHORTHAND_FIELD_KEYS = new Set(['required', 'ref', 'values', 'default', 'childRelationshipName']);
const MODELED_OBJECT_KEYS = new Set([
  'name',
  'label',
  'labelPlural',
  'keyPrefix',
  'custom',
  'createable',
  'updateable',
  'deletable',
  'queryable',
  'fields',
  'childRelationships',
  'extra',
  // URLs name the exporting org's host and API version; describe renders this emulator's own.
  'urls',
]);

/** Child relationship names given in the compact format, read when the org's relationships are derived. */
const childRelationshipHints = new WeakMap<FieldSchema, string>();

type Raw = Record<string, unknown>;

/**
 * Loads the org schema: the bundled default org when `source` is undefined; a schema object as is
 * (normalised); or a path to a describe export — a JSON array of describe results, `{sobjects:[…]}`
 * or `{objects:[…]}`, one describe result, `sf sobject describe --json` output, a directory of such
 * `*.json` files, or YAML in the compact format of default-org.yaml.
 */
export async function loadSchema(source?: string | OrgSchema): Promise<OrgSchema> {
  if (source === undefined)
    return parseSchemaText(await readFile(DEFAULT_ORG_URL, 'utf8'), 'default-org.yaml');
  if (typeof source !== 'string') {
    return assembleOrg(
      source.objects.map((o) => normalizeObject(o, 'schema')),
      source.organizationId,
      'schema',
      false,
    );
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(source);
  } catch {
    throw new SchemaError(`schema file ${source}: not found`);
  }
  if (!info.isDirectory()) return parseSchemaText(await readFile(source, 'utf8'), source);

  const names = (await readdir(source)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  if (names.length === 0) throw new SchemaError(`schema directory ${source}: no *.json describe files`);
  const objects: SObjectSchema[] = [];
  let organizationId: string | undefined;
  for (const name of names) {
    const file = join(source, name);
    const doc = parseDocument(await readFile(file, 'utf8'), file);
    const found = collectObjects(doc, `schema file ${file}`);
    if (found.compact)
      throw new SchemaError(`schema file ${file}: the compact format belongs in a .yaml file`);
    objects.push(...found.objects);
    organizationId ??= found.organizationId;
  }
  return assembleOrg(objects, organizationId, `schema directory ${source}`, false);
}

/** Parses one schema document (JSON or YAML text); `file` names it in errors. */
export function parseSchemaText(text: string, file: string): OrgSchema {
  const where = `schema file ${file}`;
  const found = collectObjects(parseDocument(text, file), where);
  // Hand-written compact schemas are checked strictly; exports may name objects they don't include.
  return assembleOrg(found.objects, found.organizationId, where, found.compact);
}

function parseDocument(text: string, file: string): unknown {
  const isYaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  try {
    // JSON.parse is much faster on large org exports; YAML also reads JSON but is the slow path.
    return isYaml ? parseYaml(text, { uniqueKeys: true }) : JSON.parse(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      throw new SchemaError(
        `schema file ${file}: invalid YAML${at ? ` at line ${at.line}` : ''}: ${err.message.split('\n')[0]}`,
      );
    }
    throw new SchemaError(`schema file ${file}: invalid JSON: ${(err as Error).message}`);
  }
}

/** Recognises the accepted document shapes and normalises every object in it. */
function collectObjects(
  doc: unknown,
  where: string,
): { objects: SObjectSchema[]; organizationId: string | undefined; compact: boolean } {
  let root = doc;
  // `sf sobject describe --json` wraps the describe result in {status, result}.
  if (isRecord(root) && isRecord(root.result) && 'status' in root) root = root.result;
  if (Array.isArray(root))
    return { objects: describeList(root, where), organizationId: undefined, compact: false };
  if (!isRecord(root)) throw new SchemaError(`${where}: ${SHAPES}`);

  const organizationId = root.organizationId === undefined ? undefined : String(root.organizationId);
  if (isRecord(root.objects)) {
    const objects = Object.entries(root.objects).map(([name, def]) => {
      if (typeof def !== 'object' || def === null || Array.isArray(def)) {
        throw new SchemaError(`${where}: object ${name}: expected a map of object attributes`);
      }
      return normalizeObject({ name, ...def }, where);
    });
    return { objects, organizationId, compact: true };
  }
  const list = Array.isArray(root.objects)
    ? root.objects
    : Array.isArray(root.sobjects)
      ? root.sobjects
      : undefined;
  if (list) return { objects: describeList(list, where), organizationId, compact: false };
  if (typeof root.name === 'string' && 'fields' in root) {
    return { objects: [normalizeObject(root, where)], organizationId, compact: false };
  }
  throw new SchemaError(`${where}: ${SHAPES}`);
}

const SHAPES =
  'not a describe export: expected an array of describe results, {"sobjects": [...]}, {"objects": [...]}, ' +
  'one describe result with "name" and "fields", or the compact format (objects: {Name: {...}})';

function describeList(list: unknown[], where: string): SObjectSchema[] {
  return list.map((item, i) => {
    if (!isRecord(item)) throw new SchemaError(`${where}: entry ${i}: expected a describe result object`);
    if (!('fields' in item)) {
      const name = typeof item.name === 'string' ? `object ${item.name}` : `entry ${i}`;
      throw new SchemaError(
        `${where}: ${name}: has no "fields" (a global describe lists objects only; export each object's ` +
          '/sobjects/{name}/describe)',
      );
    }
    return normalizeObject(item, where);
  });
}

/**
 * Normalises one object — a describe result (fields as an array) or a compact-format entry (fields as a
 * map of name → attributes) — into an SObjectSchema with every attribute set.
 */
export function normalizeObject(raw: unknown, where = 'schema'): SObjectSchema {
  if (!isRecord(raw)) throw new SchemaError(`${where}: expected an object describe`);
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '')
    throw new SchemaError(`${where}: an object has no name`);
  const at = `${where}: object ${name}`;
  const compact = isRecord(raw.fields);
  if (!compact && !Array.isArray(raw.fields))
    throw new SchemaError(`${at}: "fields" must be a list or a map`);

  const label = optionalString(raw.label, `${at}: label`) ?? labelFromName(name);
  const custom = optionalBoolean(raw.custom, `${at}: custom`) ?? /__c$/i.test(name);
  // Describe gives a few objects no key prefix; a hand-written schema must give every object one.
  const rawPrefix = raw.keyPrefix ?? null;
  if (rawPrefix === null ? compact : typeof rawPrefix !== 'string' || !/^[a-zA-Z0-9]{3}$/.test(rawPrefix)) {
    throw new SchemaError(`${at}: keyPrefix must be 3 letters or digits, got ${JSON.stringify(rawPrefix)}`);
  }
  const keyPrefix = typeof rawPrefix === 'string' ? rawPrefix : '';

  const fields = compact
    ? compactFields(raw.fields as Raw, label, custom, at)
    : (raw.fields as unknown[])
        .filter(
          (f) => !(isRecord(f) && typeof f.type === 'string' && UNLOADABLE_TYPES.has(f.type.toLowerCase())),
        )
        .map((f, i) =>
          normalizeField(
            f,
            `${at} field ${isRecord(f) && typeof f.name === 'string' ? f.name : `#${i + 1}`}`,
          ),
        );
  checkFields(fields, at, compact);

  const object: SObjectSchema = {
    name,
    label,
    labelPlural: optionalString(raw.labelPlural, `${at}: labelPlural`) ?? pluralize(label),
    keyPrefix,
    custom,
    createable: optionalBoolean(raw.createable, `${at}: createable`) ?? true,
    updateable: optionalBoolean(raw.updateable, `${at}: updateable`) ?? true,
    deletable: optionalBoolean(raw.deletable, `${at}: deletable`) ?? true,
    queryable: optionalBoolean(raw.queryable, `${at}: queryable`) ?? true,
    fields,
  };
  if (Array.isArray(raw.childRelationships)) {
    object.childRelationships = raw.childRelationships.map((c, i) =>
      childRelationship(c, `${at}: childRelationships[${i}]`),
    );
  }
  const extra = { ...(isRecord(raw.extra) ? raw.extra : {}), ...unmodeled(raw, MODELED_OBJECT_KEYS) };
  if (compact)
    for (const key of Object.keys(extra)) throw new SchemaError(`${at}: unknown attribute "${key}"`);
  if (Object.keys(extra).length > 0) object.extra = extra;
  return object;
}

/** Expands a compact `fields` map: shorthands, compound components and the system fields every object has. */
function compactFields(map: Raw, label: string, custom: boolean, at: string): FieldSchema[] {
  const declared = new Map<string, Raw>();
  for (const [name, def] of Object.entries(map)) {
    if (typeof def === 'string') declared.set(name, { name, type: def });
    else if (isRecord(def)) declared.set(name, { name, ...def });
    else if (def === null) declared.set(name, { name });
    else throw new SchemaError(`${at} field ${name}: expected a type name or a map of attributes`);
  }
  const system = systemFields(label, custom);
  const build = (raw: Raw) => {
    const override = declared.get(String(raw.name));
    return normalizeField(override ? { ...raw, ...override } : raw, `${at} field ${String(raw.name)}`, true);
  };

  const head = system.slice(0, 2).map(build);
  const audit = system.slice(2).map(build);
  const systemNames = new Set(system.map((f) => String(f.name)));
  const body: FieldSchema[] = [];
  const named = new Set(
    [...declared.values()].map((d) => d.compoundFieldName).filter((n): n is string => typeof n === 'string'),
  );
  for (const raw of declared.values()) {
    if (systemNames.has(String(raw.name))) continue;
    const field = normalizeField(raw, `${at} field ${String(raw.name)}`, true);
    // Components are generated only when the schema does not list them itself.
    if (field.type === 'address' && !named.has(field.name)) body.push(...addressComponents(field, at));
    if (field.type === 'location' && !named.has(field.name)) body.push(...locationComponents(field, at));
    body.push(field);
  }
  return [...head, ...body, ...audit];
}

function systemFields(objectLabel: string, custom: boolean): Raw[] {
  const readOnly = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
  return [
    { name: 'Id', type: 'id', label: custom ? 'Record ID' : `${objectLabel} ID`, ...readOnly },
    { name: 'IsDeleted', type: 'boolean', label: 'Deleted', ...readOnly },
    { name: 'CreatedDate', type: 'datetime', label: 'Created Date', ...readOnly },
    { name: 'CreatedById', type: 'reference', label: 'Created By ID', referenceTo: ['User'], ...readOnly },
    { name: 'LastModifiedDate', type: 'datetime', label: 'Last Modified Date', ...readOnly },
    {
      name: 'LastModifiedById',
      type: 'reference',
      label: 'Last Modified By ID',
      referenceTo: ['User'],
      ...readOnly,
    },
    { name: 'SystemModstamp', type: 'datetime', label: 'System Modstamp', ...readOnly },
  ];
}

const GEOCODE_ACCURACY = [
  'Address',
  'NearAddress',
  'Block',
  'Street',
  'ExtendedZip',
  'Zip',
  'Neighborhood',
  'City',
  'County',
  'State',
  'Unknown',
];

function addressComponents(address: FieldSchema, at: string): FieldSchema[] {
  const prefix = address.name.replace(/Address$/, '');
  const labelPrefix = address.label.replace(/\s*Address$/, '');
  const label = (s: string) => (labelPrefix ? `${labelPrefix} ${s}` : s);
  const component = (suffix: string, attrs: Raw) =>
    normalizeField(
      { name: `${prefix}${suffix}`, compoundFieldName: address.name, ...attrs },
      `${at} field ${prefix}${suffix}`,
      true,
    );
  return [
    component('Street', { type: 'textarea', length: 255, label: label('Street') }),
    component('City', { length: 40, label: label('City') }),
    component('State', { length: 80, label: label('State/Province') }),
    component('PostalCode', { length: 20, label: label('Zip/Postal Code') }),
    component('Country', { length: 80, label: label('Country') }),
    component('Latitude', { type: 'double', precision: 18, scale: 15, label: label('Latitude') }),
    component('Longitude', { type: 'double', precision: 18, scale: 15, label: label('Longitude') }),
    component('GeocodeAccuracy', {
      type: 'picklist',
      length: 40,
      label: label('Geocode Accuracy'),
      restrictedPicklist: true,
      values: GEOCODE_ACCURACY,
    }),
  ];
}

function locationComponents(location: FieldSchema, at: string): FieldSchema[] {
  const base = location.name.replace(/__c$/i, '');
  // Latitude needs 2 integer digits and longitude 3, plus the location's decimal places.
  const scale = location.scale;
  return (['Latitude', 'Longitude'] as const).map((part) =>
    normalizeField(
      {
        name: `${base}__${part}__s`,
        type: 'double',
        label: `${location.label} (${part})`,
        precision: scale + 3,
        scale,
        compoundFieldName: location.name,
      },
      `${at} field ${base}__${part}__s`,
      true,
    ),
  );
}

/**
 * Normalises one field from describe JSON or the compact format. Anything missing takes the default for
 * its type; `compact` enables the shorthands (required, ref, values, default, childRelationshipName).
 */
export function normalizeField(rawInput: unknown, at: string, compact = false): FieldSchema {
  if (!isRecord(rawInput)) throw new SchemaError(`${at}: expected a field describe`);
  const raw: Raw = { ...rawInput };
  if (typeof raw.name !== 'string' || raw.name === '') throw new SchemaError(`${at}: a field has no name`);
  const name = raw.name;
  if (compact) {
    for (const key of Object.keys(raw)) {
      if (!MODELED_FIELD_KEYS.has(key) && !SHORTHAND_FIELD_KEYS.has(key)) {
        throw new SchemaError(`${at}: unknown attribute "${key}"`);
      }
    }
    if (raw.ref !== undefined) {
      raw.type ??= 'reference';
      raw.referenceTo = typeof raw.ref === 'string' ? [raw.ref] : raw.ref;
    }
    if (raw.required !== undefined) raw.nillable = !booleanAttr(raw.required, `${at}: required`);
    if (raw.values !== undefined) {
      if (!Array.isArray(raw.values)) throw new SchemaError(`${at}: values must be a list`);
      raw.picklistValues = raw.values.map((v) => ({ value: String(v), label: String(v) }));
    }
  }

  const rawType = raw.type ?? 'string';
  const type = typeof rawType === 'string' ? FIELD_TYPES.get(rawType.toLowerCase()) : undefined;
  if (!type) throw new SchemaError(`${at}: type ${JSON.stringify(rawType)} is not a Salesforce field type`);

  const picklistValues = picklist(raw.picklistValues, at);
  let defaultValue = unwrapDefault(raw.defaultValue);
  if (compact && raw.default !== undefined) {
    defaultValue = raw.default as FieldSchema['defaultValue'];
    if (type === 'picklist' || type === 'multipicklist') {
      const entry = picklistValues.find((p) => p.value === String(raw.default));
      if (!entry)
        throw new SchemaError(`${at}: default ${JSON.stringify(raw.default)} is not one of its values`);
      entry.defaultValue = true;
    }
  }
  // Describe reports a picklist's default on the entry, not the field; inserts need it on the field.
  if (
    (defaultValue === undefined || defaultValue === null) &&
    (type === 'picklist' || type === 'multipicklist')
  ) {
    defaultValue = picklistValues.find((p) => p.defaultValue && p.active)?.value ?? defaultValue;
  }
  if (defaultValue === undefined && type === 'boolean') defaultValue = false;

  const autoNumber = optionalBoolean(raw.autoNumber, `${at}: autoNumber`) ?? false;
  const calculated = optionalBoolean(raw.calculated, `${at}: calculated`) ?? false;
  const writable = !(type === 'id' || type === 'address' || type === 'location' || autoNumber || calculated);
  const externalId = optionalBoolean(raw.externalId, `${at}: externalId`) ?? false;
  const referenceTo = stringList(raw.referenceTo, `${at}: referenceTo`);
  const [defaultPrecision, defaultScale] = DEFAULT_PRECISION[type] ?? [0, 0];

  const field: FieldSchema = {
    name,
    label: optionalString(raw.label, `${at}: label`) ?? labelFromName(name),
    type,
    length: count(raw.length, `${at}: length`) ?? DEFAULT_LENGTH[type] ?? 0,
    precision: count(raw.precision, `${at}: precision`) ?? defaultPrecision,
    scale: count(raw.scale, `${at}: scale`) ?? defaultScale,
    nillable: optionalBoolean(raw.nillable, `${at}: nillable`) ?? !(type === 'boolean' || type === 'id'),
    createable: optionalBoolean(raw.createable, `${at}: createable`) ?? writable,
    updateable: optionalBoolean(raw.updateable, `${at}: updateable`) ?? writable,
    defaultedOnCreate:
      optionalBoolean(raw.defaultedOnCreate, `${at}: defaultedOnCreate`) ??
      (type === 'id' || autoNumber || (defaultValue !== undefined && defaultValue !== null)),
    externalId,
    idLookup: optionalBoolean(raw.idLookup, `${at}: idLookup`) ?? (type === 'id' || externalId),
    unique: optionalBoolean(raw.unique, `${at}: unique`) ?? false,
    caseSensitive: optionalBoolean(raw.caseSensitive, `${at}: caseSensitive`) ?? false,
    calculated,
    referenceTo,
    relationshipName:
      'relationshipName' in raw
        ? nullableString(raw.relationshipName, `${at}: relationshipName`)
        : type === 'reference'
          ? relationshipNameFor(name)
          : null,
    polymorphicForeignKey:
      optionalBoolean(raw.polymorphicForeignKey, `${at}: polymorphicForeignKey`) ?? referenceTo.length > 1,
    picklistValues,
    restrictedPicklist: optionalBoolean(raw.restrictedPicklist, `${at}: restrictedPicklist`) ?? false,
    compoundFieldName: nullableString(raw.compoundFieldName ?? null, `${at}: compoundFieldName`),
    nameField: optionalBoolean(raw.nameField, `${at}: nameField`) ?? false,
    autoNumber,
  };
  // Describe's null default means "none": leave it out so both input forms normalise alike.
  if (defaultValue !== undefined && defaultValue !== null) field.defaultValue = defaultValue;
  if (compact && raw.childRelationshipName !== undefined) {
    childRelationshipHints.set(field, String(raw.childRelationshipName));
  }
  const extra = { ...(isRecord(raw.extra) ? raw.extra : {}), ...unmodeled(raw, MODELED_FIELD_KEYS) };
  if (compact) for (const key of SHORTHAND_FIELD_KEYS) delete extra[key];
  if (Object.keys(extra).length > 0) field.extra = extra;
  return field;
}

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
  encryptedstring: 175,
};

const DEFAULT_PRECISION: Partial<Record<FieldType, [number, number]>> = {
  currency: [18, 2],
  double: [18, 0],
  percent: [3, 0],
};

/** Per-object checks: unique names, an Id field, compound components that point at a compound field. */
function checkFields(fields: FieldSchema[], at: string, compact: boolean): void {
  const byName = new Map<string, FieldSchema>();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    if (byName.has(key)) throw new SchemaError(`${at} field ${f.name}: defined twice`);
    byName.set(key, f);
  }
  const id = byName.get('id');
  if (id?.type !== 'id') throw new SchemaError(`${at}: has no Id field of type "id"`);
  for (const f of fields) {
    if (f.compoundFieldName !== null && !byName.has(f.compoundFieldName.toLowerCase())) {
      throw new SchemaError(
        `${at} field ${f.name}: compoundFieldName "${f.compoundFieldName}" is not a field of this object`,
      );
    }
    if (compact && f.type === 'reference' && f.referenceTo.length === 0) {
      throw new SchemaError(`${at} field ${f.name}: a reference field needs referenceTo (or ref)`);
    }
    if (compact && (f.type === 'picklist' || f.type === 'multipicklist') && f.picklistValues.length === 0) {
      throw new SchemaError(`${at} field ${f.name}: a picklist needs values`);
    }
  }
}

/** Org-level checks and derived data: unique names and key prefixes, reference targets, child relationships. */
function assembleOrg(
  objects: SObjectSchema[],
  organizationId: string | undefined,
  where: string,
  strictReferences: boolean,
): OrgSchema {
  const names = new Map<string, SObjectSchema>();
  const prefixes = new Map<string, string>();
  for (const o of objects) {
    const key = o.name.toLowerCase();
    if (names.has(key)) throw new SchemaError(`${where}: object ${o.name} is defined twice`);
    names.set(key, o);
    if (o.keyPrefix === '') continue;
    const other = prefixes.get(o.keyPrefix);
    if (other)
      throw new SchemaError(`${where}: objects ${other} and ${o.name} share keyPrefix ${o.keyPrefix}`);
    prefixes.set(o.keyPrefix, o.name);
  }
  if (strictReferences) {
    for (const o of objects) {
      for (const f of o.fields) {
        for (const target of f.referenceTo) {
          if (!names.has(target.toLowerCase())) {
            throw new SchemaError(
              `${where}: object ${o.name} field ${f.name}: referenceTo ${target} is not an object`,
            );
          }
        }
      }
    }
  }
  for (const o of objects) {
    o.childRelationships ??= [];
  }
  deriveChildRelationships(objects, names);

  let orgId = DEFAULT_ORGANIZATION_ID;
  if (organizationId !== undefined) {
    if (!organizationId.startsWith('00D') || !isValidId(organizationId)) {
      throw new SchemaError(
        `${where}: organizationId ${JSON.stringify(organizationId)} is not a 00D… org id`,
      );
    }
    orgId = to18(organizationId);
  }
  return { organizationId: orgId, objects };
}

/**
 * Fills in child relationships for objects that came without any (the compact format, hand-made
 * describes), from the other objects' reference fields. Exports keep the relationships they list.
 */
function deriveChildRelationships(objects: SObjectSchema[], names: Map<string, SObjectSchema>): void {
  const derived = new Set(objects.filter((o) => o.childRelationships?.length === 0));
  for (const child of objects) {
    for (const field of child.fields) {
      for (const target of field.referenceTo) {
        const parent = names.get(target.toLowerCase());
        if (!parent || !derived.has(parent)) continue;
        parent.childRelationships?.push({
          childSObject: child.name,
          field: field.name,
          relationshipName: childRelationshipHints.get(field) ?? null,
          cascadeDelete: false,
          restrictedDelete: false,
        });
      }
    }
  }
}

function childRelationship(raw: unknown, at: string): ChildRelationship {
  if (!isRecord(raw) || typeof raw.childSObject !== 'string' || typeof raw.field !== 'string') {
    throw new SchemaError(`${at}: expected {childSObject, field, relationshipName}`);
  }
  return {
    childSObject: raw.childSObject,
    field: raw.field,
    relationshipName: nullableString(raw.relationshipName ?? null, `${at}: relationshipName`),
    cascadeDelete: optionalBoolean(raw.cascadeDelete, `${at}: cascadeDelete`) ?? false,
    restrictedDelete: optionalBoolean(raw.restrictedDelete, `${at}: restrictedDelete`) ?? false,
  };
}

function picklist(raw: unknown, at: string): PicklistValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new SchemaError(`${at}: picklistValues must be a list`);
  return raw.map((entry, i) => {
    if (!isRecord(entry) || entry.value === undefined || entry.value === null) {
      throw new SchemaError(`${at}: picklistValues[${i}] has no value`);
    }
    const value = String(entry.value);
    return {
      value,
      label: entry.label === undefined || entry.label === null ? value : String(entry.label),
      active: optionalBoolean(entry.active, `${at}: picklistValues[${i}].active`) ?? true,
      defaultValue: optionalBoolean(entry.defaultValue, `${at}: picklistValues[${i}].defaultValue`) ?? false,
    };
  });
}

/** The describe docs show `"defaultValue": {"value": null}` (XML heritage); JSON exports give the bare value. */
function unwrapDefault(value: unknown): FieldSchema['defaultValue'] {
  if (isRecord(value) && 'value' in value) return unwrapDefault(value.value);
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** `AnnualRevenue` → `Annual Revenue`, `OwnerId` → `Owner ID`, `Care_Plan__c` → `Care Plan`. */
export function labelFromName(name: string): string {
  const base = name.replace(/__(c|s|r)$/i, '');
  const id = /[a-z]Id$/.test(base);
  const words = (id ? base.slice(0, -2) : base)
    .replace(/_+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim();
  return id ? `${words} ID` : words;
}

/** `OwnerId` → `Owner`, `Patient__c` → `Patient__r`. */
function relationshipNameFor(field: string): string | null {
  if (/__c$/i.test(field)) return `${field.slice(0, -3)}__r`;
  if (/.Id$/.test(field)) return field.slice(0, -2);
  return null;
}

function pluralize(label: string): string {
  if (/[^aeiou]y$/i.test(label)) return `${label.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(label)) return `${label}es`;
  return `${label}s`;
}

function unmodeled(raw: Raw, modeled: Set<string>): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) if (!modeled.has(k)) out[k] = v;
  return out;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function booleanAttr(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean')
    throw new SchemaError(`${at} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function optionalBoolean(value: unknown, at: string): boolean | undefined {
  return value === undefined || value === null ? undefined : booleanAttr(value, at);
}

function optionalString(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SchemaError(`${at} must be text, got ${JSON.stringify(value)}`);
  return value;
}

function nullableString(value: unknown, at: string): string | null {
  return optionalString(value, at) ?? null;
}

function count(value: unknown, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SchemaError(`${at} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(value: unknown, at: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new SchemaError(`${at} must be a list of object names`);
  }
  return [...value];
}

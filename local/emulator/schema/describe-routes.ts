import type { EmulatorContext } from '../context.ts';
import { notFound, type RequestContext, type Router, sendJson } from '../http/router.ts';
import type { ChildRelationship, FieldSchema, FieldType, OrgSchema, SObjectSchema } from './types.ts';

/**
 * The describe resources: `GET /sobjects` (global describe), `GET /sobjects/{name}` (basic information)
 * and `GET /sobjects/{name}/describe`, in the shapes real orgs return, so jsforce's `describe()` /
 * `describeGlobal()` and the pipeline's preflight read the emulator's schema unchanged.
 */
export function registerDescribeRoutes(router: Router, ctx: EmulatorContext): void {
  router.add('GET', '/services/data/:version/sobjects', (req) => {
    sendJson(req, 200, renderGlobalDescribe(ctx.schema.org, versionOf(req)));
  });
  router.add('GET', '/services/data/:version/sobjects/:object', (req) => {
    sendJson(req, 200, renderBasicInfo(objectOf(ctx, req), versionOf(req)));
  });
  router.add('GET', '/services/data/:version/sobjects/:object/describe', (req) => {
    sendJson(req, 200, renderDescribe(objectOf(ctx, req), versionOf(req), req.baseUrl));
  });
}

function objectOf(ctx: EmulatorContext, req: RequestContext): SObjectSchema {
  const object = ctx.schema.object(req.params.object ?? '');
  if (!object) throw notFound();
  return object;
}

function versionOf(req: RequestContext): string {
  return req.apiVersion ?? (req.params.version ?? '').replace(/^v/i, '');
}

/** Body of `GET /services/data/vXX.X/sobjects`. */
export function renderGlobalDescribe(org: OrgSchema, version: string) {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: org.objects.map((o) => renderGlobalEntry(o, version)),
  };
}

/** Body of `GET /services/data/vXX.X/sobjects/{name}`; the emulator keeps no recently viewed items. */
export function renderBasicInfo(object: SObjectSchema, version: string) {
  return { objectDescribe: renderGlobalEntry(object, version), recentItems: [] };
}

/** One object as global describe lists it. */
export function renderGlobalEntry(object: SObjectSchema, version: string): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return sortKeys({
    ...objectFlags(object),
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  });
}

/** Body of `GET /services/data/vXX.X/sobjects/{name}/describe`. */
export function renderDescribe(
  object: SObjectSchema,
  version: string,
  baseUrl: string,
): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return sortKeys({
    actionOverrides: [],
    compactLayoutable: true,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    searchLayoutable: true,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [
      { label: `All ${object.labelPlural.toLowerCase()}`, name: 'everything' },
      { label: `My ${object.labelPlural.toLowerCase()}`, name: 'mine' },
    ],
    recordTypeInfos: NO_RECORD_TYPES.has(object.name) ? [] : [masterRecordType(base)],
    ...objectFlags(object),
    childRelationships: (object.childRelationships ?? []).map(renderChildRelationship),
    fields: object.fields.map(renderField),
    urls: {
      compactLayouts: `${base}/describe/compactLayouts`,
      rowTemplate: `${base}/{ID}`,
      approvalLayouts: `${base}/describe/approvalLayouts`,
      uiDetailTemplate: `${baseUrl}/{ID}`,
      uiEditTemplate: `${baseUrl}/{ID}/e`,
      defaultValues: `${base}/defaultValues?recordTypeId&fields`,
      listviews: `${base}/listviews`,
      describe: `${base}/describe`,
      uiNewRecord: `${baseUrl}/${object.keyPrefix}/e`,
      quickActions: `${base}/quickActions`,
      layouts: `${base}/describe/layouts`,
      sobject: base,
    },
  });
}

/** Standard objects without record types describe an empty recordTypeInfos. */
const NO_RECORD_TYPES = new Set(['User', 'Group']);
const MERGEABLE = new Set(['Account', 'Contact', 'Lead', 'Case']);
/** The id every org gives the implicit Master record type. */
const MASTER_RECORD_TYPE_ID = '012000000000000AAA';

function masterRecordType(base: string) {
  return {
    active: true,
    available: true,
    defaultRecordTypeMapping: true,
    developerName: 'Master',
    master: true,
    name: 'Master',
    recordTypeId: MASTER_RECORD_TYPE_ID,
    urls: { layout: `${base}/describe/layouts/${MASTER_RECORD_TYPE_ID}` },
  };
}

/** The object-level attributes global describe and full describe share; an export's own values win. */
function objectFlags(object: SObjectSchema): Record<string, unknown> {
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    customSetting: false,
    deepCloneable: false,
    defaultImplementation: null,
    deprecatedAndHidden: false,
    extendedBy: null,
    extendsInterfaces: null,
    feedEnabled: !object.custom,
    hasSubtypes: false,
    implementedBy: null,
    implementsInterfaces: null,
    isInterface: false,
    isSubtype: false,
    layoutable: true,
    mergeable: MERGEABLE.has(object.name),
    mruEnabled: true,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    undeletable: object.deletable,
    ...object.extra,
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix || null,
    custom: object.custom,
    createable: object.createable,
    updateable: object.updateable,
    deletable: object.deletable,
    queryable: object.queryable,
  };
}

function renderChildRelationship(c: ChildRelationship) {
  return {
    cascadeDelete: c.cascadeDelete,
    childSObject: c.childSObject,
    deprecatedAndHidden: false,
    field: c.field,
    junctionIdListNames: [],
    junctionReferenceTo: [],
    relationshipName: c.relationshipName,
    restrictedDelete: c.restrictedDelete,
  };
}

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  encryptedstring: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  long: 'xsd:long',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  address: 'urn:address',
  location: 'urn:location',
};

const TEXT_TYPES = new Set<FieldType>([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'encryptedstring',
]);
const NOT_GROUPABLE = new Set<FieldType>([
  'double',
  'currency',
  'percent',
  'datetime',
  'time',
  'multipicklist',
  'address',
  'location',
  'encryptedstring',
]);

/** One field in describe's shape: every attribute a real describe field has, keys in describe's order. */
export function renderField(field: FieldSchema): Record<string, unknown> {
  const longText = field.type === 'textarea' && field.length > 255;
  const structured = field.type === 'address' || field.type === 'location';
  const picklist = field.type === 'picklist' || field.type === 'multipicklist';
  const custom = /__(c|s)$/i.test(field.name);
  return sortKeys({
    aggregatable: !longText && !structured && field.type !== 'multipicklist',
    aiPredictionField: false,
    byteLength:
      field.type === 'id' || field.type === 'reference'
        ? 18
        : TEXT_TYPES.has(field.type)
          ? field.length * 3
          : 0,
    calculatedFormula: null,
    cascadeDelete: false,
    controllerName: null,
    custom,
    defaultValueFormula: null,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? 9 : field.type === 'long' ? 18 : 0,
    displayLocationInDecimal: field.type === 'location',
    encrypted: field.type === 'encryptedstring',
    extraTypeInfo: field.type === 'textarea' ? 'plaintextarea' : null,
    filterable: !longText && !structured,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !longText && !NOT_GROUPABLE.has(field.type),
    highScaleNumber: false,
    htmlFormatted: false,
    inlineHelpText: null,
    mask: null,
    maskType: null,
    namePointing: field.type === 'reference' && field.referenceTo.length > 1,
    permissionable: custom && field.nillable && field.createable,
    queryByDistance: field.type === 'location',
    referenceTargetField: null,
    relationshipOrder: null,
    restrictedDelete: false,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[field.type],
    sortable: !longText && !structured && field.type !== 'multipicklist',
    writeRequiresMasterRead: false,
    ...field.extra,
    autoNumber: field.autoNumber ?? false,
    calculated: field.calculated,
    caseSensitive: field.caseSensitive,
    compoundFieldName: field.compoundFieldName,
    createable: field.createable,
    // Describe shows a picklist's default on its entry, not on the field.
    defaultValue: picklist ? null : (field.defaultValue ?? null),
    defaultedOnCreate: field.defaultedOnCreate,
    externalId: field.externalId,
    idLookup: field.idLookup,
    label: field.label,
    length: field.length,
    name: field.name,
    nameField: field.nameField ?? false,
    nillable: field.nillable,
    picklistValues: field.picklistValues.map((p) => ({
      active: p.active,
      defaultValue: p.defaultValue,
      label: p.label,
      validFor: null,
      value: p.value,
    })),
    polymorphicForeignKey: field.polymorphicForeignKey,
    precision: field.precision,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    restrictedPicklist: field.restrictedPicklist,
    scale: field.scale,
    type: field.type,
    unique: field.unique,
    updateable: field.updateable,
  });
}

/** Describe responses list attributes alphabetically (the order REST clients' fixtures show). */
function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

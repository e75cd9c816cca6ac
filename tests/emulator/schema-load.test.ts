import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDescribe } from '../../local/emulator/schema/describe-routes.ts';
import {
  DEFAULT_ORGANIZATION_ID,
  labelFromName,
  loadSchema,
  normalizeObject,
  SchemaError,
} from '../../local/emulator/schema/load.ts';
import type { FieldSchema, OrgSchema, SObjectSchema } from '../../local/emulator/schema/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'polyload-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A describe field as a real org's REST describe returns it: every attribute present. */
function realField(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    aggregatable: true,
    aiPredictionField: false,
    autoNumber: false,
    byteLength: 0,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: true,
    custom: false,
    defaultValue: null,
    defaultValueFormula: null,
    defaultedOnCreate: false,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: false,
    extraTypeInfo: null,
    filterable: true,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: true,
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: false,
    inlineHelpText: null,
    label: 'x',
    length: 0,
    mask: null,
    maskType: null,
    name: 'x',
    nameField: false,
    namePointing: false,
    nillable: true,
    permissionable: true,
    picklistValues: [],
    polymorphicForeignKey: false,
    precision: 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: [],
    relationshipName: null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: false,
    scale: 0,
    searchPrefilterable: false,
    soapType: 'xsd:string',
    sortable: true,
    type: 'string',
    unique: false,
    updateable: true,
    writeRequiresMasterRead: false,
    ...overrides,
  };
}

function realDescribe(name: string, keyPrefix: string | null, fields: Record<string, unknown>[]) {
  return {
    actionOverrides: [],
    activateable: false,
    childRelationships: [],
    createable: true,
    custom: name.endsWith('__c'),
    customSetting: false,
    deletable: true,
    feedEnabled: false,
    fields: [
      realField({ name: 'Id', type: 'id', label: 'Record ID', length: 18, byteLength: 18, idLookup: true }),
      ...fields,
    ],
    keyPrefix,
    label: name,
    labelPlural: `${name}s`,
    name,
    queryable: true,
    updateable: true,
    urls: { sobject: `/services/data/v61.0/sobjects/${name}` },
  };
}

const patient = realDescribe('Patient__c', 'a01', [
  realField({
    name: 'MRN__c',
    label: 'MRN',
    length: 40,
    externalId: true,
    unique: true,
    idLookup: true,
    custom: true,
    inlineHelpText: 'Medical record number',
  }),
  realField({
    name: 'Stage__c',
    type: 'picklist',
    label: 'Stage',
    length: 255,
    defaultedOnCreate: true,
    restrictedPicklist: true,
    picklistValues: [
      { active: true, defaultValue: false, label: 'New', validFor: null, value: 'New' },
      { active: true, defaultValue: true, label: 'Admitted', validFor: null, value: 'Admitted' },
    ],
  }),
  realField({
    name: 'Doctor__c',
    type: 'reference',
    label: 'Doctor',
    length: 18,
    referenceTo: ['Doctor__c'],
    relationshipName: 'Doctor__r',
  }),
]);
const doctor = realDescribe('Doctor__c', 'a02', [
  realField({ name: 'Name', label: 'Doctor Name', length: 80 }),
]);

describe('loadSchema', () => {
  it('loads the bundled default org when given no source', async () => {
    const org = await loadSchema();
    expect(org.organizationId).toBe(DEFAULT_ORGANIZATION_ID);
    expect(org.objects.map((o) => o.name)).toEqual(
      expect.arrayContaining(['Account', 'Contact', 'Lead', 'Task', 'Care_Plan__c']),
    );
  });

  it('reads a JSON array of describe results and keeps attributes it does not model', async () => {
    const org = await loadSchema(write('array.json', [patient, doctor]));
    const mrn = field(org, 'Patient__c', 'MRN__c');
    expect(mrn).toMatchObject({ externalId: true, unique: true, length: 40, idLookup: true });
    expect(mrn.extra?.inlineHelpText).toBe('Medical record number');
    expect(field(org, 'Patient__c', 'Doctor__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Doctor__c'],
      relationshipName: 'Doctor__r',
      polymorphicForeignKey: false,
    });
  });

  it('takes a picklist default from its default entry, as describe reports it', async () => {
    const org = await loadSchema(write('picklist.json', [patient, doctor]));
    expect(field(org, 'Patient__c', 'Stage__c')).toMatchObject({
      defaultValue: 'Admitted',
      defaultedOnCreate: true,
      restrictedPicklist: true,
    });
  });

  it.each([
    ['{"sobjects": [...]}', { sobjects: [patient, doctor] }],
    ['{"objects": [...]}', { objects: [patient, doctor] }],
  ])('reads a wrapper of the form %s', async (_, doc) => {
    const org = await loadSchema(write('wrapped.json', doc));
    expect(org.objects.map((o) => o.name)).toEqual(['Patient__c', 'Doctor__c']);
  });

  it('reads a single describe result and sf CLI --json output', async () => {
    expect((await loadSchema(write('single.json', doctor))).objects).toHaveLength(1);
    const cli = await loadSchema(write('cli.json', { status: 0, result: doctor, warnings: [] }));
    expect(cli.objects[0]?.name).toBe('Doctor__c');
  });

  it('reads a directory of describe files and ignores other files', async () => {
    const sub = mkdtempSync(join(dir, 'export-'));
    writeFileSync(join(sub, 'Patient__c.json'), JSON.stringify(patient));
    writeFileSync(join(sub, 'Doctor__c.json'), JSON.stringify({ sobjects: [doctor] }));
    writeFileSync(join(sub, 'README.txt'), 'not a describe');
    const org = await loadSchema(sub);
    expect(org.objects.map((o) => o.name).sort()).toEqual(['Doctor__c', 'Patient__c']);
  });

  it('keeps the export’s organizationId in its 18-character form', async () => {
    const org = await loadSchema(
      write('org.json', { organizationId: '00D5g000004abcd', sobjects: [doctor] }),
    );
    expect(org.organizationId).toBe('00D5g000004abcdEAA');
  });

  it('reads the compact YAML format and fills in system fields and defaults', async () => {
    const path = write(
      'compact.yaml',
      [
        'organizationId: 00D5g000004abcdEAA',
        'objects:',
        '  Clinic__c:',
        '    keyPrefix: a05',
        '    fields:',
        '      Name: { length: 80, nameField: true }',
        '      Beds__c: { type: double, precision: 4 }',
        '      Kind__c: { type: picklist, values: [Public, Private], default: Private, restrictedPicklist: true }',
        '      Open__c: boolean',
        '      Site__c: location',
        '      Owner__c: { ref: [User, Clinic__c] }',
        '  User:',
        "    keyPrefix: '005'",
        '    fields:',
        '      Username: { unique: true, idLookup: true, required: true }',
      ].join('\n'),
    );
    const org = await loadSchema(path);
    const clinic = org.objects.find((o) => o.name === 'Clinic__c') as SObjectSchema;
    expect(clinic.label).toBe('Clinic');
    expect(clinic.labelPlural).toBe('Clinics');
    expect(clinic.custom).toBe(true);
    expect(clinic.fields.map((f) => f.name)).toEqual([
      'Id',
      'IsDeleted',
      'Name',
      'Beds__c',
      'Kind__c',
      'Open__c',
      'Site__Latitude__s',
      'Site__Longitude__s',
      'Site__c',
      'Owner__c',
      'CreatedDate',
      'CreatedById',
      'LastModifiedDate',
      'LastModifiedById',
      'SystemModstamp',
    ]);
    expect(field(org, 'Clinic__c', 'Id')).toMatchObject({
      label: 'Record ID',
      idLookup: true,
      createable: false,
    });
    expect(field(org, 'Clinic__c', 'Beds__c')).toMatchObject({ precision: 4, scale: 0, nillable: true });
    expect(field(org, 'Clinic__c', 'Kind__c')).toMatchObject({
      defaultValue: 'Private',
      defaultedOnCreate: true,
    });
    expect(field(org, 'Clinic__c', 'Open__c')).toMatchObject({ nillable: false, defaultValue: false });
    expect(field(org, 'Clinic__c', 'Site__c')).toMatchObject({ createable: false, updateable: false });
    expect(field(org, 'Clinic__c', 'Owner__c')).toMatchObject({
      relationshipName: 'Owner__r',
      polymorphicForeignKey: true,
    });
    expect(field(org, 'User', 'Username')).toMatchObject({ nillable: false, length: 255 });
    expect(field(org, 'Clinic__c', 'CreatedById')).toMatchObject({
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
    });
  });

  it('normalises a schema object given directly, filling in missing attributes', async () => {
    const given = {
      organizationId: DEFAULT_ORGANIZATION_ID,
      objects: [
        {
          name: 'Note__c',
          keyPrefix: 'a09',
          fields: [
            { name: 'Id', type: 'id' },
            { name: 'Body__c', type: 'textarea', length: 1000 },
          ],
        },
      ],
    } as unknown as OrgSchema;
    const org = await loadSchema(given);
    expect(field(org, 'Note__c', 'Body__c')).toMatchObject({
      label: 'Body',
      nillable: true,
      createable: true,
    });
    expect(field(org, 'Note__c', 'Id')).toMatchObject({ nillable: false, createable: false, idLookup: true });
  });

  it('round-trips the default org through its own describe output', async () => {
    const original = await loadSchema();
    const exported = original.objects.map((o) => renderDescribe(o, '62.0', 'http://127.0.0.1'));
    const reloaded = await loadSchema(write('roundtrip.json', { sobjects: exported }));
    const strip = (f: FieldSchema) => {
      const { extra: _, ...rest } = f;
      return rest;
    };
    for (const object of original.objects) {
      const copy = reloaded.objects.find((o) => o.name === object.name) as SObjectSchema;
      expect(copy.fields.map(strip), object.name).toEqual(object.fields.map(strip));
      expect(copy.childRelationships).toEqual(object.childRelationships);
      expect(copy.keyPrefix).toBe(object.keyPrefix);
    }
  });
});

describe('loadSchema errors', () => {
  const badType = realDescribe('Thing__c', 'a03', [realField({ name: 'Weird__c', type: 'foo' })]);

  it.each<[string, string | (() => string), string | RegExp]>([
    [
      'a field type Salesforce does not have',
      () => write('badtype.json', [badType]),
      /^schema file .*badtype\.json: object Thing__c field Weird__c: type "foo" is not a Salesforce field type$/,
    ],
    ['a file that does not exist', join(dir, 'missing.json'), /missing\.json: not found/],
    ['malformed JSON', () => write('broken.json', '{"sobjects": ['), /broken\.json: invalid JSON/],
    [
      'malformed YAML, naming the line',
      () => write('broken.yaml', 'objects:\n  A: [\n'),
      /broken\.yaml: invalid YAML at line \d/,
    ],
    [
      'a global describe instead of object describes',
      () => write('global.json', { encoding: 'UTF-8', maxBatchSize: 200, sobjects: [{ name: 'Account' }] }),
      /object Account: has no "fields" \(a global describe lists objects only/,
    ],
    ['a document of another shape', () => write('other.json', { hello: 1 }), /not a describe export/],
    [
      'two objects sharing a key prefix',
      () => write('prefix.json', [doctor, { ...patient, keyPrefix: 'a02' }]),
      /objects Doctor__c and Patient__c share keyPrefix a02/,
    ],
    [
      'an object without an Id field',
      () => write('noid.json', [{ ...doctor, fields: [realField({ name: 'Name' })] }]),
      /object Doctor__c: has no Id field/,
    ],
    [
      'a field defined twice',
      () => write('twice.json', [{ ...doctor, fields: [...doctor.fields, realField({ name: 'NAME' })] }]),
      /object Doctor__c field NAME: defined twice/,
    ],
    [
      'a compound component whose compound field is missing',
      () =>
        write('compound.json', [
          realDescribe('X__c', 'a04', [realField({ name: 'C__c', compoundFieldName: 'Gone__c' })]),
        ]),
      /field C__c: compoundFieldName "Gone__c" is not a field of this object/,
    ],
    [
      'a bad organizationId',
      () => write('orgid.json', { organizationId: '001000000000001', sobjects: [doctor] }),
      /organizationId "001000000000001" is not a 00D… org id/,
    ],
    [
      'a non-numeric length',
      () =>
        write('length.json', [realDescribe('Y__c', 'a06', [realField({ name: 'L__c', length: 'long' })])]),
      /object Y__c field L__c: length must be a whole number/,
    ],
    [
      'a compact reference to an object the schema lacks',
      () =>
        write(
          'ref.yaml',
          'objects:\n  A__c:\n    keyPrefix: a07\n    fields:\n      B__c: { ref: Missing__c }\n',
        ),
      /object A__c field B__c: referenceTo Missing__c is not an object/,
    ],
    [
      'a compact picklist default that is not one of its values',
      () =>
        write(
          'default.yaml',
          'objects:\n  A__c:\n    keyPrefix: a07\n    fields:\n      P__c: { type: picklist, values: [X], default: Y }\n',
        ),
      /field P__c: default "Y" is not one of its values/,
    ],
    [
      'a misspelt attribute in the compact format',
      () =>
        write(
          'typo.yaml',
          'objects:\n  A__c:\n    keyPrefix: a07\n    fields:\n      P__c: { lenght: 10 }\n',
        ),
      /field P__c: unknown attribute "lenght"/,
    ],
    [
      'a compact object without a key prefix',
      () => write('noprefix.yaml', 'objects:\n  A__c:\n    fields:\n      P__c: string\n'),
      /object A__c: keyPrefix must be 3 letters or digits, got null/,
    ],
  ])('rejects %s with a precise message', async (_, source, message) => {
    const path = typeof source === 'function' ? source() : source;
    const error = await loadSchema(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a directory with no describe files', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    await expect(loadSchema(empty)).rejects.toThrow(/no \*\.json describe files/);
  });

  it('leaves out fields of types no Bulk API 2.0 CSV can write (base64, anyType)', () => {
    const attachment = normalizeObject(
      realDescribe('Attachment', '00P', [
        realField({ name: 'Body', type: 'base64' }),
        realField({ name: 'OldValue', type: 'anyType' }),
        realField({ name: 'Name', length: 255 }),
      ]),
      'test',
    );
    expect(attachment.fields.map((f) => f.name)).toEqual(['Id', 'Name']);
  });

  it('keeps an export object that has no key prefix, with an empty one', () => {
    expect(normalizeObject(realDescribe('Feed__x', null, []), 'test').keyPrefix).toBe('');
  });
});

describe('labelFromName', () => {
  it.each([
    ['AnnualRevenue', 'Annual Revenue'],
    ['OwnerId', 'Owner ID'],
    ['Care_Plan__c', 'Care Plan'],
    ['Patient_Id__c', 'Patient Id'],
    ['Location__Latitude__s', 'Location Latitude'],
    ['URLField', 'URL Field'],
  ])('labels %s as %s', (name, label) => {
    expect(labelFromName(name)).toBe(label);
  });
});

function field(org: OrgSchema, object: string, name: string): FieldSchema {
  const f = org.objects.find((o) => o.name === object)?.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no ${object}.${name}`);
  return f;
}

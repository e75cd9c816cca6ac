import { beforeAll, describe, expect, it } from 'vitest';
import {
  renderBasicInfo,
  renderDescribe,
  renderField,
  renderGlobalDescribe,
} from '../../local/emulator/schema/describe-routes.ts';
import { loadSchema, normalizeObject } from '../../local/emulator/schema/load.ts';
import type { FieldSchema, OrgSchema, SObjectSchema } from '../../local/emulator/schema/types.ts';

/** The attributes of a field in a real org's REST describe (API v60+), as `sf sobject describe` prints them. */
const REAL_FIELD_KEYS = [
  'aggregatable',
  'aiPredictionField',
  'autoNumber',
  'byteLength',
  'calculated',
  'calculatedFormula',
  'cascadeDelete',
  'caseSensitive',
  'compoundFieldName',
  'controllerName',
  'createable',
  'custom',
  'defaultValue',
  'defaultValueFormula',
  'defaultedOnCreate',
  'dependentPicklist',
  'deprecatedAndHidden',
  'digits',
  'displayLocationInDecimal',
  'encrypted',
  'externalId',
  'extraTypeInfo',
  'filterable',
  'filteredLookupInfo',
  'formulaTreatNullNumberAsZero',
  'groupable',
  'highScaleNumber',
  'htmlFormatted',
  'idLookup',
  'inlineHelpText',
  'label',
  'length',
  'mask',
  'maskType',
  'name',
  'nameField',
  'namePointing',
  'nillable',
  'permissionable',
  'picklistValues',
  'polymorphicForeignKey',
  'precision',
  'queryByDistance',
  'referenceTargetField',
  'referenceTo',
  'relationshipName',
  'relationshipOrder',
  'restrictedDelete',
  'restrictedPicklist',
  'scale',
  'searchPrefilterable',
  'soapType',
  'sortable',
  'type',
  'unique',
  'updateable',
  'writeRequiresMasterRead',
];

/** The top-level attributes of a real object describe (API v61). */
const REAL_OBJECT_KEYS = [
  'actionOverrides',
  'activateable',
  'associateEntityType',
  'associateParentEntity',
  'childRelationships',
  'compactLayoutable',
  'createable',
  'custom',
  'customSetting',
  'deepCloneable',
  'defaultImplementation',
  'deletable',
  'deprecatedAndHidden',
  'extendedBy',
  'extendsInterfaces',
  'feedEnabled',
  'fields',
  'hasSubtypes',
  'implementedBy',
  'implementsInterfaces',
  'isInterface',
  'isSubtype',
  'keyPrefix',
  'label',
  'labelPlural',
  'layoutable',
  'listviewable',
  'lookupLayoutable',
  'mergeable',
  'mruEnabled',
  'name',
  'namedLayoutInfos',
  'networkScopeFieldName',
  'queryable',
  'recordTypeInfos',
  'replicateable',
  'retrieveable',
  'searchLayoutable',
  'searchable',
  'sobjectDescribeOption',
  'supportedScopes',
  'triggerable',
  'undeletable',
  'updateable',
  'urls',
];

let org: OrgSchema;
const objectNamed = (name: string) => org.objects.find((o) => o.name === name) as SObjectSchema;
const fieldsOf = (d: Record<string, unknown>) => d.fields as Record<string, unknown>[];
const fieldNamed = (d: Record<string, unknown>, name: string) =>
  fieldsOf(d).find((f) => f.name === name) as Record<string, unknown>;

beforeAll(async () => {
  org = await loadSchema();
});

describe('global describe', () => {
  it('lists every object with its key prefix and versioned URLs', () => {
    const body = renderGlobalDescribe(org, '62.0');
    expect(body).toMatchObject({ encoding: 'UTF-8', maxBatchSize: 200 });
    expect(body.sobjects).toHaveLength(org.objects.length);
    expect(body.sobjects.find((o) => o.name === 'Lead')).toMatchObject({
      keyPrefix: '00Q',
      label: 'Lead',
      labelPlural: 'Leads',
      custom: false,
      createable: true,
      queryable: true,
      urls: {
        sobject: '/services/data/v62.0/sobjects/Lead',
        describe: '/services/data/v62.0/sobjects/Lead/describe',
        rowTemplate: '/services/data/v62.0/sobjects/Lead/{ID}',
      },
    });
    expect(body.sobjects.find((o) => o.name === 'Facility__c')).toMatchObject({
      custom: true,
      labelPlural: 'Facilities',
    });
  });

  it('gives basic information as objectDescribe plus recent items', () => {
    expect(renderBasicInfo(objectNamed('Case'), '62.0')).toEqual({
      objectDescribe: renderGlobalDescribe(org, '62.0').sobjects.find((o) => o.name === 'Case'),
      recentItems: [],
    });
  });
});

describe('object describe', () => {
  it('has the top-level attributes of a real describe, in alphabetical order', () => {
    const body = renderDescribe(objectNamed('Account'), '62.0', 'http://127.0.0.1:5000');
    expect(Object.keys(body)).toEqual(REAL_OBJECT_KEYS);
    expect(body).toMatchObject({
      name: 'Account',
      keyPrefix: '001',
      urls: {
        describe: '/services/data/v62.0/sobjects/Account/describe',
        uiDetailTemplate: 'http://127.0.0.1:5000/{ID}',
        uiNewRecord: 'http://127.0.0.1:5000/001/e',
      },
    });
    expect(body.recordTypeInfos).toEqual([
      expect.objectContaining({ master: true, recordTypeId: '012000000000000AAA' }),
    ]);
  });

  it('renders every field with exactly the attributes a real describe field has', () => {
    for (const object of org.objects) {
      for (const f of fieldsOf(renderDescribe(object, '62.0', 'http://x'))) {
        expect(Object.keys(f), `${object.name}.${String(f.name)}`).toEqual(REAL_FIELD_KEYS);
      }
    }
  });

  it('describes Task.WhoId as a polymorphic, name-pointing reference', () => {
    const who = fieldNamed(renderDescribe(objectNamed('Task'), '62.0', 'http://x'), 'WhoId');
    expect(who).toMatchObject({
      type: 'reference',
      soapType: 'tns:ID',
      referenceTo: ['Contact', 'Lead'],
      relationshipName: 'Who',
      polymorphicForeignKey: true,
      namePointing: true,
      length: 18,
      byteLength: 18,
      label: 'Name ID',
    });
  });

  it('puts a picklist default on its entry, as describe does', () => {
    const status = fieldNamed(renderDescribe(objectNamed('Task'), '62.0', 'http://x'), 'Status');
    expect(status).toMatchObject({ defaultValue: null, defaultedOnCreate: true, nillable: false });
    expect(status.picklistValues).toContainEqual({
      active: true,
      defaultValue: true,
      label: 'Not Started',
      validFor: null,
      value: 'Not Started',
    });
  });

  it('sizes text fields in bytes and types numbers and dates for SOAP', () => {
    const account = renderDescribe(objectNamed('Account'), '62.0', 'http://x');
    expect(fieldNamed(account, 'Name')).toMatchObject({
      byteLength: 765,
      soapType: 'xsd:string',
      nameField: true,
    });
    expect(fieldNamed(account, 'AnnualRevenue')).toMatchObject({ soapType: 'xsd:double', groupable: false });
    expect(fieldNamed(account, 'NumberOfEmployees')).toMatchObject({ soapType: 'xsd:int', digits: 9 });
    expect(fieldNamed(account, 'BillingAddress')).toMatchObject({
      soapType: 'urn:address',
      createable: false,
    });
    expect(fieldNamed(account, 'Description')).toMatchObject({ filterable: false, sortable: false });
    expect(fieldNamed(account, 'External_Id__c')).toMatchObject({ custom: true, externalId: true });
    expect(fieldNamed(account, 'CreatedDate')).toMatchObject({ soapType: 'xsd:dateTime' });
  });

  it('lists child relationships with the attributes describe gives them', () => {
    const body = renderDescribe(objectNamed('Account'), '62.0', 'http://x');
    expect(body.childRelationships).toContainEqual({
      cascadeDelete: false,
      childSObject: 'Contact',
      deprecatedAndHidden: false,
      field: 'AccountId',
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: 'Contacts',
      restrictedDelete: false,
    });
  });

  it('renders an imported export’s own attribute values back', () => {
    const imported = normalizeObject({
      name: 'Visit__c',
      keyPrefix: 'a0X',
      label: 'Visit',
      labelPlural: 'Visits',
      feedEnabled: true,
      fields: [
        { name: 'Id', type: 'id', label: 'Record ID' },
        {
          name: 'Reason__c',
          type: 'string',
          length: 100,
          label: 'Reason',
          inlineHelpText: 'Why',
          groupable: false,
        },
      ],
    });
    const body = renderDescribe(imported, '62.0', 'http://x');
    expect(body.feedEnabled).toBe(true);
    expect(fieldNamed(body, 'Reason__c')).toMatchObject({
      inlineHelpText: 'Why',
      groupable: false,
      length: 100,
    });
  });

  it('describes an object without a key prefix with a null keyPrefix', () => {
    const noPrefix = normalizeObject({ name: 'Feed', keyPrefix: null, fields: [{ name: 'Id', type: 'id' }] });
    expect(renderDescribe(noPrefix, '62.0', 'http://x').keyPrefix).toBeNull();
  });

  it('renders a location field’s components as doubles queryable by distance on the compound', () => {
    const facility = objectNamed('Facility__c');
    const location = facility.fields.find((f) => f.name === 'Location__c') as FieldSchema;
    expect(renderField(location)).toMatchObject({ type: 'location', queryByDistance: true });
  });
});

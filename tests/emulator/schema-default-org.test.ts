import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaIndex } from '../../local/emulator/context.ts';
import {
  childRelationship,
  compoundComponents,
  createSchemaIndex,
  externalIdFields,
  idLookupFields,
  isCompoundField,
  isPolymorphic,
} from '../../local/emulator/schema/index.ts';
import { loadSchema } from '../../local/emulator/schema/load.ts';
import type { FieldSchema, OrgSchema, SObjectSchema } from '../../local/emulator/schema/types.ts';

let org: OrgSchema;
let index: SchemaIndex;
beforeAll(async () => {
  org = await loadSchema();
  index = createSchemaIndex(org);
});

function field(object: string, name: string): FieldSchema {
  const f = index.field(object, name);
  if (!f) throw new Error(`no ${object}.${name}`);
  return f;
}
function object(name: string): SObjectSchema {
  const o = index.object(name);
  if (!o) throw new Error(`no ${name}`);
  return o;
}

describe('the default org', () => {
  it('uses the real key prefixes of the standard objects, each prefix once', () => {
    const prefixes = Object.fromEntries(org.objects.map((o) => [o.name, o.keyPrefix]));
    expect(prefixes).toMatchObject({
      Account: '001',
      Contact: '003',
      Lead: '00Q',
      User: '005',
      Group: '00G',
      Task: '00T',
      Event: '00U',
      Case: '500',
      Opportunity: '006',
    });
    expect(prefixes.Care_Plan__c).toMatch(/^a0[A-Za-z0-9]$/);
    const all = org.objects.map((o) => o.keyPrefix);
    expect(new Set(all).size).toBe(all.length);
  });

  it('points every reference at an object the org has', () => {
    for (const o of org.objects) {
      for (const f of o.fields.filter((x) => x.type === 'reference')) {
        expect(f.referenceTo.length, `${o.name}.${f.name}`).toBeGreaterThan(0);
        for (const target of f.referenceTo)
          expect(index.object(target), `${o.name}.${f.name} → ${target}`).toBeDefined();
      }
    }
  });

  it('gives every object the system fields, read-only, with Id as an idLookup id', () => {
    for (const o of org.objects) {
      const names = o.fields.map((f) => f.name);
      expect(names[0], o.name).toBe('Id');
      for (const system of [
        'IsDeleted',
        'CreatedDate',
        'CreatedById',
        'LastModifiedDate',
        'LastModifiedById',
        'SystemModstamp',
      ]) {
        expect(field(o.name, system), `${o.name}.${system}`).toMatchObject({
          createable: false,
          updateable: false,
        });
      }
      expect(field(o.name, 'Id')).toMatchObject({
        type: 'id',
        idLookup: true,
        nillable: false,
        createable: false,
      });
    }
  });

  it('points every compound component at a compound field of the same object', () => {
    let components = 0;
    for (const o of org.objects) {
      for (const f of o.fields.filter((x) => x.compoundFieldName !== null)) {
        components++;
        const compound = index.field(o.name, f.compoundFieldName as string);
        expect(compound, `${o.name}.${f.name}`).toBeDefined();
        expect(compound?.createable, `${o.name}.${compound?.name} is read-only`).toBe(false);
        expect(compound?.compoundFieldName).toBeNull();
      }
    }
    expect(components).toBeGreaterThan(40);
  });

  it('keeps relationship names unique within each object so relationship columns resolve', () => {
    for (const o of org.objects) {
      const names = o.fields.flatMap((f) => (f.relationshipName ? [f.relationshipName.toLowerCase()] : []));
      expect(new Set(names).size, o.name).toBe(names.length);
      const children = (o.childRelationships ?? []).flatMap((c) =>
        c.relationshipName ? [c.relationshipName] : [],
      );
      expect(new Set(children).size, `${o.name} child relationships`).toBe(children.length);
    }
  });

  it('makes Task and Event Who polymorphic over Contact and Lead, and What over the parents of activities', () => {
    for (const activity of ['Task', 'Event']) {
      expect(field(activity, 'WhoId')).toMatchObject({
        referenceTo: ['Contact', 'Lead'],
        relationshipName: 'Who',
        polymorphicForeignKey: true,
      });
      expect(field(activity, 'WhatId').referenceTo).toEqual([
        'Account',
        'Case',
        'Opportunity',
        'Care_Plan__c',
      ]);
      expect(isPolymorphic(field(activity, 'WhatId'))).toBe(true);
    }
  });

  it.each([
    ['Task', ['Group', 'User']],
    ['Case', ['Group', 'User']],
    ['Lead', ['Group', 'User']],
    ['Account', ['User']],
    ['Contact', ['User']],
    ['Opportunity', ['User']],
  ])('gives %s.OwnerId the targets %j', (name, targets) => {
    const owner = field(name, 'OwnerId');
    expect(owner.referenceTo).toEqual(targets);
    expect(owner.relationshipName).toBe('Owner');
    expect(isPolymorphic(owner)).toBe(targets.length > 1);
    expect(owner).toMatchObject({ nillable: false, defaultedOnCreate: true });
  });

  it.each([
    ['Account', 'Name', { type: 'string', length: 255, nillable: false, idLookup: true, nameField: true }],
    ['Account', 'Website', { type: 'url', length: 255 }],
    ['Account', 'AnnualRevenue', { type: 'currency', precision: 18, scale: 0 }],
    ['Account', 'NumberOfEmployees', { type: 'int', label: 'Employees' }],
    ['Account', 'Description', { type: 'textarea', length: 32000 }],
    ['Account', 'BillingAddress', { type: 'address', createable: false, updateable: false }],
    ['Account', 'BillingStreet', { type: 'textarea', length: 255, compoundFieldName: 'BillingAddress' }],
    ['Account', 'BillingCity', { type: 'string', length: 40, compoundFieldName: 'BillingAddress' }],
    ['Account', 'BillingLatitude', { type: 'double', precision: 18, scale: 15 }],
    ['Account', 'BillingGeocodeAccuracy', { type: 'picklist', restrictedPicklist: true }],
    ['Contact', 'LastName', { type: 'string', length: 80, nillable: false, compoundFieldName: 'Name' }],
    ['Contact', 'Salutation', { type: 'picklist', compoundFieldName: 'Name' }],
    ['Contact', 'Name', { type: 'string', createable: false, updateable: false, label: 'Full Name' }],
    ['Contact', 'Phone', { type: 'phone', length: 40 }],
    ['Contact', 'Email', { type: 'email', length: 80, idLookup: true }],
    [
      'Contact',
      'MailingPostalCode',
      { compoundFieldName: 'MailingAddress', label: 'Mailing Zip/Postal Code' },
    ],
    ['Contact', 'OtherCountry', { compoundFieldName: 'OtherAddress' }],
    ['Lead', 'Company', { nillable: false, length: 255 }],
    ['Lead', 'LastName', { nillable: false, length: 80 }],
    ['Lead', 'Street', { type: 'textarea', compoundFieldName: 'Address', label: 'Street' }],
    ['Lead', 'Email', { type: 'email', idLookup: true }],
    ['User', 'Username', { idLookup: true, unique: true, nillable: false }],
    ['User', 'Email', { type: 'email', idLookup: true }],
    ['Group', 'Name', { idLookup: true }],
    ['Task', 'Subject', { type: 'combobox', length: 255 }],
    [
      'Task',
      'Status',
      { type: 'picklist', nillable: false, defaultedOnCreate: true, defaultValue: 'Not Started' },
    ],
    ['Task', 'Priority', { type: 'picklist', defaultValue: 'Normal' }],
    ['Task', 'ActivityDate', { type: 'date' }],
    ['Event', 'StartDateTime', { type: 'datetime', nillable: false }],
    ['Event', 'EndDateTime', { type: 'datetime', nillable: false }],
    ['Case', 'CaseNumber', { autoNumber: true, idLookup: true, createable: false, defaultedOnCreate: true }],
    ['Case', 'Status', { type: 'picklist', defaultValue: 'New' }],
    ['Case', 'Origin', { type: 'picklist', restrictedPicklist: false }],
    ['Opportunity', 'StageName', { type: 'picklist', nillable: false }],
    ['Opportunity', 'CloseDate', { type: 'date', nillable: false }],
    ['Opportunity', 'Amount', { type: 'currency', precision: 18, scale: 2 }],
    ['Opportunity', 'Probability', { type: 'percent', precision: 3, scale: 0 }],
    [
      'Care_Plan__c',
      'Patient__c',
      { referenceTo: ['Contact'], relationshipName: 'Patient__r', nillable: false },
    ],
    ['Care_Plan__c', 'Status__c', { type: 'picklist', restrictedPicklist: true, defaultValue: 'Draft' }],
    ['Care_Plan__c', 'Start_Date__c', { type: 'date' }],
    ['Facility__c', 'Location__c', { type: 'location', createable: false }],
    ['Facility__c', 'Location__Latitude__s', { type: 'double', compoundFieldName: 'Location__c' }],
    ['Facility__c', 'Location__Longitude__s', { type: 'double', compoundFieldName: 'Location__c' }],
    ['Facility__c', 'License_Number__c', { unique: true, externalId: false }],
  ])('describes %s.%s as a real org would', (objectName, fieldName, expected) => {
    expect(field(objectName, fieldName)).toMatchObject(expected);
  });

  it.each([
    ['Contact', 'Patient_Id__c'],
    ['Lead', 'Prospect_Id__c'],
    ['Account', 'External_Id__c'],
    ['Case', 'External_Id__c'],
    ['Care_Plan__c', 'External_Id__c'],
    ['Facility__c', 'Facility_Code__c'],
  ])('offers %s.%s as a unique external id for upserts', (objectName, fieldName) => {
    expect(field(objectName, fieldName)).toMatchObject({ externalId: true, unique: true, idLookup: true });
    expect(externalIdFields(object(objectName)).map((f) => f.name)).toContain(fieldName);
  });

  it('lists child relationships on the parent, including polymorphic ones', () => {
    expect(childRelationship(object('Account'), 'contacts')).toMatchObject({
      childSObject: 'Contact',
      field: 'AccountId',
    });
    expect(childRelationship(object('Care_Plan__c'), 'Tasks')).toMatchObject({
      childSObject: 'Task',
      field: 'WhatId',
    });
    expect(childRelationship(object('Contact'), 'Care_Plans__r')).toMatchObject({ field: 'Patient__c' });
    expect(childRelationship(object('Account'), 'Nope')).toBeUndefined();
  });
});

describe('createSchemaIndex', () => {
  it('finds objects, fields and relationships regardless of case', () => {
    expect(index.object('care_plan__C')?.name).toBe('Care_Plan__c');
    expect(index.field('TASK', 'whoid')?.name).toBe('WhoId');
    expect(index.relationship('task', 'WHO')?.name).toBe('WhoId');
    expect(index.relationship('Care_Plan__c', 'patient__r')?.name).toBe('Patient__c');
  });

  it('answers undefined for names the org does not have', () => {
    expect(index.object('Nope')).toBeUndefined();
    expect(index.field('Account', 'Nope__c')).toBeUndefined();
    expect(index.field('Nope', 'Id')).toBeUndefined();
    expect(index.relationship('Account', 'Who')).toBeUndefined();
  });

  it('maps a key prefix, or a whole Id, to its object, case-sensitively', () => {
    expect(index.objectByKeyPrefix('00Q')?.name).toBe('Lead');
    expect(index.objectByKeyPrefix('003000000000001AAA')?.name).toBe('Contact');
    expect(index.objectByKeyPrefix('00q')).toBeUndefined();
  });

  it('does not index a relationship for a non-reference field', () => {
    const small = createSchemaIndex({
      organizationId: org.organizationId,
      objects: [
        {
          ...object('Group'),
          fields: [field('Group', 'Id'), { ...field('Group', 'Name'), relationshipName: 'X' }],
        },
      ],
    });
    expect(small.relationship('Group', 'X')).toBeUndefined();
  });
});

describe('schema helpers', () => {
  it('decides polymorphism by polymorphicForeignKey, or by the number of targets under the quirk', () => {
    const byCount = { polymorphicByReferenceCount: true };
    const flaggedSingle = { ...field('Account', 'OwnerId'), polymorphicForeignKey: true };
    expect(isPolymorphic(flaggedSingle)).toBe(true);
    expect(isPolymorphic(flaggedSingle, byCount)).toBe(false);
    const unflaggedPair = { ...field('Task', 'OwnerId'), polymorphicForeignKey: false };
    expect(isPolymorphic(unflaggedPair)).toBe(false);
    expect(isPolymorphic(unflaggedPair, byCount)).toBe(true);
    expect(isPolymorphic(field('Account', 'Name'), byCount)).toBe(false);
  });

  it('lists the components of compound fields', () => {
    const account = object('Account');
    expect(compoundComponents(account, 'billingaddress').map((f) => f.name)).toEqual([
      'BillingStreet',
      'BillingCity',
      'BillingState',
      'BillingPostalCode',
      'BillingCountry',
      'BillingLatitude',
      'BillingLongitude',
      'BillingGeocodeAccuracy',
    ]);
    expect(compoundComponents(object('Lead'), 'Name').map((f) => f.name)).toEqual([
      'LastName',
      'FirstName',
      'Salutation',
      'MiddleName',
      'Suffix',
    ]);
    expect(isCompoundField(object('Contact'), field('Contact', 'Name'))).toBe(true);
    expect(isCompoundField(object('Contact'), field('Contact', 'LastName'))).toBe(false);
    expect(isCompoundField(object('Facility__c'), field('Facility__c', 'Location__c'))).toBe(true);
  });

  it('lists the fields a relationship column can match on', () => {
    expect(idLookupFields(object('Contact')).map((f) => f.name)).toEqual(['Id', 'Email', 'Patient_Id__c']);
  });
});

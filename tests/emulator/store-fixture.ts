import type { SchemaIndex } from '../../local/emulator/context.ts';
import { createSchemaIndex } from '../../local/emulator/schema/index.ts';
import type { FieldSchema, FieldType, OrgSchema, SObjectSchema } from '../../local/emulator/schema/types.ts';

/** A describe-shaped field with the defaults a plain updateable custom text field has. */
export function field(name: string, type: FieldType, extra: Partial<FieldSchema> = {}): FieldSchema {
  return {
    name,
    label: name,
    type,
    length: type === 'string' || type === 'email' || type === 'phone' ? 255 : 0,
    precision: 0,
    scale: 0,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    externalId: false,
    idLookup: false,
    unique: false,
    caseSensitive: false,
    calculated: false,
    referenceTo: [],
    relationshipName: null,
    polymorphicForeignKey: false,
    picklistValues: [],
    restrictedPicklist: false,
    compoundFieldName: null,
    ...extra,
  };
}

const system = (): FieldSchema[] => [
  field('Id', 'id', { createable: false, updateable: false, nillable: false, idLookup: true }),
  field('IsDeleted', 'boolean', { createable: false, updateable: false, nillable: false }),
  field('CreatedDate', 'datetime', { createable: false, updateable: false }),
  field('CreatedById', 'reference', {
    createable: false,
    updateable: false,
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
  }),
  field('LastModifiedDate', 'datetime', { createable: false, updateable: false }),
  field('LastModifiedById', 'reference', {
    createable: false,
    updateable: false,
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
  }),
  field('SystemModstamp', 'datetime', { createable: false, updateable: false }),
];

const owner = () =>
  field('OwnerId', 'reference', {
    referenceTo: ['User'],
    relationshipName: 'Owner',
    defaultedOnCreate: true,
  });

const personName = (): FieldSchema[] => [
  field('Name', 'string', { createable: false, updateable: false, idLookup: true }),
  field('Salutation', 'picklist', { compoundFieldName: 'Name' }),
  field('FirstName', 'string', { compoundFieldName: 'Name' }),
  field('MiddleName', 'string', { compoundFieldName: 'Name' }),
  field('LastName', 'string', { compoundFieldName: 'Name', nillable: false }),
  field('Suffix', 'string', { compoundFieldName: 'Name' }),
];

function object(name: string, keyPrefix: string, fields: FieldSchema[]): SObjectSchema {
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix,
    custom: name.endsWith('__c'),
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    fields,
  };
}

/** A small org: the standard objects a Task load touches, plus a custom object with an external id. */
export function testOrg(extraAccountFields: FieldSchema[] = []): OrgSchema {
  return {
    organizationId: '00D8c0000000001EAA',
    objects: [
      object('User', '005', [
        ...system(),
        field('Username', 'string', { unique: true, idLookup: true }),
        ...personName().filter(
          (f) => f.name !== 'Salutation' && f.name !== 'MiddleName' && f.name !== 'Suffix',
        ),
        field('Email', 'email'),
        field('Alias', 'string'),
        field('IsActive', 'boolean'),
      ]),
      object('Account', '001', [
        ...system(),
        owner(),
        field('Name', 'string', { nillable: false, idLookup: true }),
        field('AccountNumber', 'string'),
        field('Industry', 'picklist'),
        field('NumberOfEmployees', 'int'),
        field('AnnualRevenue', 'currency'),
        field('Rating', 'picklist', { defaultedOnCreate: true, defaultValue: 'Warm' }),
        field('BillingAddress', 'address'),
        field('BillingCity', 'string', { compoundFieldName: 'BillingAddress' }),
        field('BillingLatitude', 'double', { compoundFieldName: 'BillingAddress' }),
        field('Active__c', 'boolean'),
        field('Legacy_Id__c', 'string', { externalId: true, unique: true }),
        field('Code__c', 'string', { externalId: true, caseSensitive: true }),
        field('ParentId', 'reference', { referenceTo: ['Account'], relationshipName: 'Parent' }),
        ...extraAccountFields,
      ]),
      object('Contact', '003', [
        ...system(),
        owner(),
        ...personName(),
        field('Email', 'email', { idLookup: true }),
        field('Birthdate', 'date'),
        field('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
        field('MRN__c', 'string', { externalId: true, unique: true }),
      ]),
      object('Lead', '00Q', [
        ...system(),
        owner(),
        ...personName(),
        field('Email', 'email', { idLookup: true }),
        field('Company', 'string', { nillable: false }),
      ]),
      object('Task', '00T', [
        ...system(),
        owner(),
        field('Subject', 'combobox'),
        field('Status', 'picklist'),
        field('ActivityDate', 'date'),
        field('IsClosed', 'boolean', { createable: false }),
        field('WhoId', 'reference', {
          referenceTo: ['Contact', 'Lead'],
          relationshipName: 'Who',
          polymorphicForeignKey: true,
        }),
        field('WhatId', 'reference', {
          referenceTo: ['Account', 'Visit__c'],
          relationshipName: 'What',
          polymorphicForeignKey: true,
        }),
        field('CallDurationInSeconds', 'int'),
      ]),
      object('Visit__c', 'a01', [
        ...system(),
        owner(),
        field('Name', 'string', { idLookup: true }),
        field('Visit_Key__c', 'string', { externalId: true, unique: true }),
        field('Patient__c', 'reference', { referenceTo: ['Contact'], relationshipName: 'Patient__r' }),
        field('Score__c', 'double'),
        field('Visited_At__c', 'datetime'),
      ]),
    ],
  };
}

/** Case-insensitive look-ups over an org, as the emulator serves them. */
export function indexSchema(org: OrgSchema): SchemaIndex {
  return createSchemaIndex(org);
}

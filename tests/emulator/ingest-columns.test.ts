import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaIndex } from '../../local/emulator/context.ts';
import { planColumns } from '../../local/emulator/ingest/column-plan.ts';
import type { Operation } from '../../local/emulator/ingest/job.ts';
import { createSchemaIndex } from '../../local/emulator/schema/index.ts';
import { loadSchema } from '../../local/emulator/schema/load.ts';

let schema: SchemaIndex;
beforeAll(async () => {
  schema = createSchemaIndex(await loadSchema());
});

const quirks = { polymorphicByReferenceCount: false };

function plan(object: string, header: string[], operation: Operation = 'insert', externalId?: string) {
  const sobject = schema.object(object);
  if (!sobject) throw new Error(object);
  return planColumns(schema, sobject, operation, externalId, header, quirks);
}

function jobError(object: string, header: string[], operation: Operation = 'insert') {
  const result = plan(object, header, operation);
  if (result.ok) throw new Error(`expected ${header.join(',')} to fail`);
  return result.errorMessage;
}

describe('header → field plan', () => {
  it('matches field names without regard to case and keeps the header text as uploaded', () => {
    const result = plan('Account', ['NAME', 'annualrevenue', 'Website']);
    if (!result.ok) throw new Error(result.errorMessage);
    expect(result.plan.columns.map((c) => [c.header, c.field.name])).toEqual([
      ['NAME', 'Name'],
      ['annualrevenue', 'AnnualRevenue'],
      ['Website', 'Website'],
    ]);
  });

  it.each([
    [['LastName', 'Shoe_Size__c', 'Nope__c'], 'InvalidBatch : Field name not found : Shoe_Size__c'],
    [['LastName', 'MailingAddress'], 'InvalidBatch : Field name not found : MailingAddress'],
    [
      ['LastName', 'Account:Account.Name'],
      'InvalidBatch : type is not needed for non polymorphic foreign key references: Account',
    ],
    [
      ['LastName', 'Parent:Account:External_Id__c'],
      'InvalidBatch : Field name not found : Parent:Account:External_Id__c',
    ],
    [['LastName', 'Nobody.External_Id__c'], 'InvalidBatch : Field name not found : Nobody.External_Id__c'],
    [['LastName', 'Account.Nope__c'], 'InvalidBatch : Field name not found : Account.Nope__c'],
  ])('fails the job for the header %j', (header, message) => {
    expect(jobError('Contact', header)).toBe(message);
  });

  it('fails Type:Rel.Field naming a relationship the object lacks', () => {
    expect(jobError('Facility__c', ['Name', 'Parent:Account.External_Id__c'])).toBe(
      'InvalidBatch : Unable to find relationship: Account',
    );
  });

  it('fails a polymorphic relationship whose type is missing and ambiguous (UNCONFIRMED text)', () => {
    expect(jobError('Task', ['Subject', 'Who.Email'])).toMatch(
      /^InvalidBatch : Polymorphic foreign key reference/,
    );
  });

  it('fails a relationship through a field that is neither External ID nor idLookup (UNCONFIRMED text)', () => {
    expect(jobError('Contact', ['LastName', 'Account.Phone'])).toMatch(
      /^InvalidBatch : Field Phone on Account is not/,
    );
  });

  it('fails a delete whose columns are not just Id (Bulk 1.0 wording)', () => {
    expect(jobError('Contact', ['Id', 'LastName'], 'delete')).toBe(
      "InvalidBatch : The 'delete' batch must contain only ids",
    );
    expect(jobError('Contact', ['Id', 'LastName'], 'hardDelete')).toBe(
      "InvalidBatch : The 'hardDelete' batch must contain only ids",
    );
  });

  it('resolves Type:Rel.Field on a polymorphic lookup to that type', () => {
    const result = plan('Task', ['Subject', 'Contact:Who.Patient_Id__c', 'lead:who.email']);
    if (!result.ok) throw new Error(result.errorMessage);
    const [, contact, lead] = result.plan.columns;
    expect(contact).toMatchObject({
      kind: 'relationship',
      field: { name: 'WhoId' },
      target: { name: 'Contact' },
    });
    expect(lead).toMatchObject({ kind: 'relationship', target: { name: 'Lead' }, lookup: { name: 'Email' } });
  });

  it('accepts Owner.Username without a type because only User has a Username', () => {
    const result = plan('Task', ['Subject', 'Owner.Username']);
    if (!result.ok) throw new Error(result.errorMessage);
    expect(result.plan.columns[1]).toMatchObject({ target: { name: 'User' }, lookup: { name: 'Username' } });
  });

  it('resolves custom relationships through __r', () => {
    const result = plan('Care_Plan__c', ['Patient__r.Patient_Id__c', 'Facility__r.Facility_Code__c']);
    if (!result.ok) throw new Error(result.errorMessage);
    expect(result.plan.columns.map((c) => c.kind === 'relationship' && c.target.name)).toEqual([
      'Contact',
      'Facility__c',
    ]);
  });

  it('finds the upsert key column and the Id column', () => {
    const result = plan('Contact', ['Id', 'LastName', 'patient_id__c'], 'upsert', 'Patient_Id__c');
    if (!result.ok) throw new Error(result.errorMessage);
    expect(result.plan).toMatchObject({
      idColumn: 0,
      externalIdColumn: 2,
      externalIdField: { name: 'Patient_Id__c' },
    });
  });

  it('with polymorphicByReferenceCount, a multi-target lookup is polymorphic by its referenceTo alone', () => {
    const task = schema.object('Task');
    if (!task) throw new Error('Task');
    const result = planColumns(schema, task, 'insert', undefined, ['Subject', 'Lead:Who.Email'], {
      polymorphicByReferenceCount: true,
    });
    expect(result.ok).toBe(true);
  });
});

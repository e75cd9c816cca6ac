import { describe, expect, it } from 'vitest';
import { coerceValue, javaDoubleToString } from '../../local/emulator/ingest/coerce-value.ts';
import { rowErrors, sfError } from '../../local/emulator/ingest/sf-error.ts';
import type { FieldSchema, FieldType } from '../../local/emulator/schema/types.ts';
import { field as describeField } from './store-fixture.ts';

/** A custom field of `type` as coerceValue sees it (no length unless a test gives one). */
const field = (type: FieldType, overrides: Partial<FieldSchema> = {}): FieldSchema =>
  describeField('Field__c', type, { label: 'Field', length: 0, ...overrides });

const picklistValues = ['Agriculture', 'Banking'].map((value) => ({
  value,
  label: value,
  active: true,
  defaultValue: false,
}));

describe('sf__Error cells', () => {
  it('attach fields as "CODE:message:Field --" and none as "CODE:message:--"', () => {
    expect(sfError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name'])).toBe(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
    );
    expect(sfError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record')).toBe(
      'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
    );
  });

  it.each([
    [
      rowErrors.requiredFieldMissing(['LastName']),
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    ],
    [
      rowErrors.requiredFieldMissing(['LastName', 'Company']),
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:LastName,Company --',
    ],
    [
      rowErrors.duplicateValue({ name: 'Data_Warehouse_ID__c', label: 'DW' }, '500Ox000008nUimIAE'),
      'DUPLICATE_VALUE:duplicate value found: Data_Warehouse_ID__c duplicates value on record with id: 500Ox000008nUimIAE:--',
    ],
    [
      rowErrors.foreignKeyNotFound('0116', 'Invoice_External_Id__c', 'blng__Invoice__c'),
      'INVALID_FIELD:Foreign key external ID: 0116 not found for field Invoice_External_Id__c in entity blng__Invoice__c:--',
    ],
    [
      rowErrors.unableToLockRow('0018c0000000001AAA'),
      'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 0018c0000000001AAA:--',
    ],
    [
      rowErrors.duplicateExternalId({ name: 'Patient_Id__c', label: 'Patient Id' }, ['003A', '003B']),
      'DUPLICATE_EXTERNAL_ID:Patient Id: more than one record found for external id field: [003A, 003B]:--',
    ],
    [rowErrors.invalidCrossReference(), 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--'],
    [rowErrors.entityIsDeleted(), 'ENTITY_IS_DELETED:entity is deleted:--'],
    [rowErrors.missingId('update'), 'MISSING_ARGUMENT:Id not specified in an update call:--'],
    [rowErrors.missingId('delete'), 'MISSING_ARGUMENT:Id not specified in a delete call:--'],
  ])('formats %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('Java Double.toString, as Salesforce echoes numbers', () => {
  it.each([
    [912260031, '9.12260031E8'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [9999999, '9999999.0'],
    [2676, '2676.0'],
    [0.5, '0.5'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [-912260031, '-9.12260031E8'],
    [0, '0.0'],
    [1.5e21, '1.5E21'],
  ])('%d → %s', (n, text) => {
    expect(javaDoubleToString(n)).toBe(text);
  });
});

describe('cell coercion', () => {
  const ok = (f: FieldSchema, raw: string) => {
    const result = coerceValue(f, raw);
    if (!result.ok) throw new Error(result.error);
    return result;
  };
  const error = (f: FieldSchema, raw: string) => {
    const result = coerceValue(f, raw);
    if (result.ok) throw new Error(`expected an error for ${raw}`);
    return result.error;
  };

  it('keeps text as uploaded, spaces included (no trimming)', () => {
    expect(ok(field('string', { length: 10 }), ' Smith ')).toMatchObject({
      value: ' Smith ',
      echo: ' Smith ',
    });
  });

  it('fails text longer than the field with STRING_TOO_LONG', () => {
    expect(error(field('string', { name: 'LastName', label: 'Last Name', length: 5 }), 'Abcdefg')).toBe(
      'STRING_TOO_LONG:Last Name: data value too large: Abcdefg (max length=5):LastName --',
    );
  });

  it.each(['a@b.co', 'first.last+tag@example.org'])('accepts the email %s', (raw) => {
    expect(ok(field('email', { length: 80 }), raw).value).toBe(raw);
  });

  it.each(['bad', 'a@b', 'a b@c.com', '@b.com'])('fails the email %s with INVALID_EMAIL_ADDRESS', (raw) => {
    expect(error(field('email', { name: 'Email', label: 'Email', length: 80 }), raw)).toBe(
      `INVALID_EMAIL_ADDRESS:Email: invalid email address: ${raw}:Email --`,
    );
  });

  it('fails a value outside a restricted picklist, also inside a multi-select', () => {
    const industry = field('picklist', {
      name: 'Industry',
      label: 'Industry',
      restrictedPicklist: true,
      picklistValues,
    });
    expect(error(industry, 'Mining')).toBe(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Industry: bad value for restricted picklist field: Mining:Industry --',
    );
    expect(ok(industry, 'Banking').value).toBe('Banking');
    const multi = field('multipicklist', { restrictedPicklist: true, picklistValues });
    expect(ok(multi, 'Agriculture;Banking').value).toBe('Agriculture;Banking');
    expect(error(multi, 'Agriculture;Mining')).toContain('bad value for restricted picklist field: Mining');
  });

  it('accepts any value in an unrestricted picklist', () => {
    expect(ok(field('picklist', { picklistValues }), 'Mining').value).toBe('Mining');
  });

  it.each([
    ['true', true, 'true'],
    ['TRUE', true, 'true'],
    ['1', true, 'true'],
    ['false', false, 'false'],
    ['0', false, 'false'],
  ])('reads the checkbox value %s', (raw, value, echo) => {
    expect(ok(field('boolean'), raw)).toMatchObject({ value, echo });
  });

  it.each(['yes', 'no', 'y', '2'])(
    'fails the checkbox value %s with INVALID_TYPE_ON_FIELD_IN_RECORD',
    (raw) => {
      expect(error(field('boolean', { name: 'DoNotCall', label: 'Do Not Call' }), raw)).toBe(
        `INVALID_TYPE_ON_FIELD_IN_RECORD:Do Not Call: value not of required type: ${raw}:DoNotCall --`,
      );
    },
  );

  it('reads integers and echoes them without a decimal point', () => {
    expect(ok(field('int', { precision: 8 }), '2676')).toMatchObject({ value: 2676, echo: '2676' });
    expect(error(field('int', { label: 'Employees', name: 'NumberOfEmployees' }), '12.5')).toBe(
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Employees: value not of required type: 12.5:NumberOfEmployees --',
    );
    expect(
      error(field('int', { label: 'Employees', name: 'NumberOfEmployees', precision: 8 }), '123456789'),
    ).toBe(
      'NUMBER_OUTSIDE_VALID_RANGE:Employees: value outside of valid range on numeric field: 123456789:NumberOfEmployees --',
    );
  });

  it('reads currency and doubles, scientific notation included, and echoes them as Java does', () => {
    const revenue = field('currency', { precision: 18, scale: 0 });
    expect(ok(revenue, '912260031')).toMatchObject({ value: 912260031, echo: '9.12260031E8' });
    expect(ok(revenue, '9.12260031E8')).toMatchObject({ value: 912260031, echo: '9.12260031E8' });
    expect(ok(field('double', { precision: 3, scale: 1 }), '2.25')).toMatchObject({
      value: 2.3,
      echo: '2.25',
    });
    expect(error(field('double', { precision: 3, scale: 1, label: 'Visits', name: 'V__c' }), '100')).toBe(
      'NUMBER_OUTSIDE_VALID_RANGE:Visits: value outside of valid range on numeric field: 100:V__c --',
    );
    expect(error(field('currency', { label: 'Amount', name: 'Amount' }), '12,5')).toBe(
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Amount: value not of required type: 12,5:Amount --',
    );
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['1940-06-07Z', '1940-06-07'],
  ])('accepts the date %s', (raw, value) => {
    expect(ok(field('date'), raw)).toMatchObject({ value, echo: raw });
  });

  it.each(['2023-02-29', '02/03/2024', '2024-1-5', '2024-01-05T10:00:00Z'])('fails the date %s', (raw) => {
    expect(error(field('date', { label: 'Birthdate', name: 'Birthdate' }), raw)).toBe(
      `INVALID_TYPE_ON_FIELD_IN_RECORD:Birthdate: value not of required type: ${raw}:Birthdate --`,
    );
  });

  it.each([
    ['2024-01-31T10:00:00Z', '2024-01-31T10:00:00.000Z'],
    ['2024-01-31T10:00:00.123Z', '2024-01-31T10:00:00.123Z'],
    ['2024-01-31T12:00:00.000+02:00', '2024-01-31T10:00:00.000Z'],
    ['2024-01-31T05:00:00-0500', '2024-01-31T10:00:00.000Z'],
  ])('accepts the datetime %s as the instant %s', (raw, instant) => {
    expect(ok(field('datetime'), raw)).toMatchObject({ value: instant, echo: raw });
  });

  it.each(['2024-01-31', '2024-01-31 10:00:00', '2024-01-31T25:00:00Z', '2024-01-31T10:00:00'])(
    'fails the datetime %s',
    (raw) => {
      expect(error(field('datetime'), raw)).toMatch(/^INVALID_TYPE_ON_FIELD_IN_RECORD:/);
    },
  );

  it('reads 15-character Ids as their 18-character form and refuses malformed ones', () => {
    const who = field('reference', { name: 'WhoId', label: 'Name ID', referenceTo: ['Contact', 'Lead'] });
    expect(ok(who, '0038c0000000001').value).toBe('0038c0000000001AAA');
    expect(error(who, '003-not-an-id')).toBe(
      'MALFORMED_ID:Name ID: id value of incorrect type: 003-not-an-id:WhoId --',
    );
  });
});

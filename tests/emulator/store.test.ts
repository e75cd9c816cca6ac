import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdGenerator, isValidId } from '../../local/emulator/ids.ts';
import {
  normaliseDate,
  normaliseDateTime,
  openRecordStore,
  type SqliteRecordStore,
} from '../../local/emulator/store/sqlite-store.ts';
import { field, indexSchema, testOrg } from './store-fixture.ts';

const USER = '0058c0000000001AAA';
const opened: SqliteRecordStore[] = [];
const dirs: string[] = [];

function memoryStore(now = () => new Date('2024-03-01T12:00:00Z')): SqliteRecordStore {
  const store = openRecordStore(indexSchema(testOrg()), ':memory:', { now });
  opened.push(store);
  return store;
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polyload-store-'));
  dirs.push(dir);
  return join(dir, 'org.sqlite');
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('record store', () => {
  it('inserts a record and reads it back with typed values and an 18-character Id of the object', () => {
    const store = memoryStore();
    const id = store.insert('Account', {
      Name: 'Acme',
      NumberOfEmployees: '42',
      AnnualRevenue: 1250.5,
      Active__c: 'true',
      BillingCity: '',
    });
    expect(id).toHaveLength(18);
    expect(id.startsWith('001')).toBe(true);
    expect(isValidId(id)).toBe(true);
    const found = store.findById(id);
    expect(found?.object).toBe('Account');
    expect(found?.isDeleted).toBe(false);
    expect(found?.record).toMatchObject({
      Id: id,
      Name: 'Acme',
      NumberOfEmployees: 42,
      AnnualRevenue: 1250.5,
      Active__c: true,
      BillingCity: null,
      IsDeleted: false,
    });
  });

  it('does not store compound address fields, only their components', () => {
    const store = memoryStore();
    const id = store.insert('Account', { Name: 'Acme', BillingCity: 'Lyon' });
    const record = store.findById(id)?.record ?? {};
    expect(record).not.toHaveProperty('BillingAddress');
    expect(record.BillingCity).toBe('Lyon');
    expect(() => store.insert('Account', { Name: 'X', BillingAddress: 'somewhere' })).toThrow(
      /No such column/,
    );
  });

  it('stores booleans as false when absent and returns them as JS booleans', () => {
    const store = memoryStore();
    const id = store.insert('Account', { Name: 'Acme' });
    expect(store.findById(id)?.record.Active__c).toBe(false);
  });

  it('normalises datetimes to UTC with milliseconds and +0000, and keeps dates as YYYY-MM-DD', () => {
    const store = memoryStore();
    const id = store.insert('Visit__c', { Name: 'V', Visited_At__c: '2024-01-31T10:00:00+02:00' });
    expect(store.findById(id)?.record.Visited_At__c).toBe('2024-01-31T08:00:00.000+0000');
    const contact = store.insert('Contact', { LastName: 'Doe', Birthdate: '1990-02-28' });
    expect(store.findById(contact)?.record.Birthdate).toBe('1990-02-28');
    expect(() => store.insert('Contact', { LastName: 'Doe', Birthdate: '1990-02-30' })).toThrow(TypeError);
  });

  it.each([
    ['2024-01-31T10:00:00Z', '2024-01-31T10:00:00.000+0000'],
    ['2024-01-31T10:00:00.5-05:00', '2024-01-31T15:00:00.500+0000'],
    ['2024-01-31T10:00:00.000+0000', '2024-01-31T10:00:00.000+0000'],
    ['2024-01-31', '2024-01-31T00:00:00.000+0000'],
  ])('normalises the datetime %s to %s', (input, stored) => {
    expect(normaliseDateTime(input)).toBe(stored);
  });

  it('rejects text that is not a date', () => {
    expect(normaliseDate('31/01/2024')).toBeUndefined();
    expect(normaliseDateTime('yesterday')).toBeUndefined();
  });

  it('sets the system fields and a default owner from the acting user, and defaulted fields on insert', () => {
    const store = memoryStore();
    store.setActingUser(USER);
    const id = store.insert('Account', { Name: 'Acme' });
    expect(store.findById(id)?.record).toMatchObject({
      CreatedDate: '2024-03-01T12:00:00.000+0000',
      LastModifiedDate: '2024-03-01T12:00:00.000+0000',
      SystemModstamp: '2024-03-01T12:00:00.000+0000',
      CreatedById: USER,
      LastModifiedById: USER,
      OwnerId: USER,
      Rating: 'Warm',
    });
    const explicit = store.insert('Account', { Name: 'Beta', Rating: 'Hot' });
    expect(store.findById(explicit)?.record.Rating).toBe('Hot');
  });

  it('updates fields, clears a field given null, and stamps LastModifiedDate', () => {
    let clock = new Date('2024-03-01T12:00:00Z');
    const store = memoryStore(() => clock);
    const id = store.insert('Account', { Name: 'Acme', AccountNumber: 'A-1' });
    clock = new Date('2024-03-02T08:30:00Z');
    store.update('Account', id, { Name: 'Acme Corp', AccountNumber: null });
    expect(store.findById(id)?.record).toMatchObject({
      Name: 'Acme Corp',
      AccountNumber: null,
      CreatedDate: '2024-03-01T12:00:00.000+0000',
      LastModifiedDate: '2024-03-02T08:30:00.000+0000',
    });
    expect(() => store.update('Account', '0018c0000000099AAA', { Name: 'x' })).toThrow(/No Account record/);
  });

  it('computes the person Name of Contacts and Leads from its components, on insert and update', () => {
    const store = memoryStore();
    const id = store.insert('Contact', {
      Salutation: 'Dr.',
      FirstName: 'Ada',
      MiddleName: 'B.',
      LastName: 'Lovelace',
    });
    expect(store.findById(id)?.record.Name).toBe('Ada B. Lovelace');
    store.update('Contact', id, { MiddleName: null, LastName: 'King' });
    expect(store.findById(id)?.record.Name).toBe('Ada King');
    const lead = store.insert('Lead', { LastName: 'Solo', Company: 'X' });
    expect(store.findById(lead)?.record.Name).toBe('Solo');
  });

  it('soft-deletes into the recycle bin and hard-deletes for good', () => {
    const store = memoryStore();
    const id = store.insert('Contact', { LastName: 'Doe', Email: 'doe@example.org' });
    store.delete('Contact', id);
    expect(store.findById(id)?.isDeleted).toBe(true);
    expect(store.findIdsByField('Contact', 'Email', 'doe@example.org')).toEqual([]);
    expect(store.countRecords('Contact')).toBe(0);
    expect(store.countRecords('Contact', true)).toBe(1);
    store.hardDelete('Contact', id);
    expect(store.findById(id)).toBeUndefined();
    expect(store.countRecords('Contact', true)).toBe(0);
  });

  it('finds a record by its 15-character Id', () => {
    const store = memoryStore();
    const id = store.insert('Lead', { LastName: 'Doe', Company: 'X' });
    expect(store.findById(id.slice(0, 15))?.record.Id).toBe(id);
    expect(store.findById('00Q8c0000000abc')).toBeUndefined();
    expect(store.findById('not-an-id')).toBeUndefined();
  });

  it('looks up external ids case-insensitively unless the field is case-sensitive', () => {
    const store = memoryStore();
    const id = store.insert('Account', { Name: 'Acme', Legacy_Id__c: 'ACC-001', Code__c: 'AbC' });
    expect(store.findIdsByField('Account', 'Legacy_Id__c', 'acc-001')).toEqual([id]);
    expect(store.findIdsByField('Account', 'legacy_id__c', 'ACC-001')).toEqual([id]);
    expect(store.findIdsByField('Account', 'Code__c', 'abc')).toEqual([]);
    expect(store.findIdsByField('Account', 'Code__c', 'AbC')).toEqual([id]);
    expect(store.findIdsByField('Account', 'Legacy_Id__c', null)).toEqual([]);
  });

  it('returns every match of a non-unique look-up field', () => {
    const store = memoryStore();
    const a = store.insert('Contact', { LastName: 'A', Email: 'same@example.org' });
    const b = store.insert('Contact', { LastName: 'B', Email: 'SAME@example.org' });
    expect(store.findIdsByField('Contact', 'Email', 'same@example.org').sort()).toEqual([a, b].sort());
  });

  it('indexes external-id, id-lookup and unique fields for look-ups', () => {
    const store = memoryStore();
    const plan = store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT "Id" FROM "Contact" WHERE "MRN__c" = ? COLLATE NOCASE AND "IsDeleted" = 0`,
      )
      .all('x')
      .map((r) => String(r.detail))
      .join(' ');
    expect(plan).toMatch(/USING INDEX ix_Contact_MRN__c/);
  });

  it('rolls back a transaction that throws, and keeps an inner savepoint failure local', () => {
    const store = memoryStore();
    expect(() =>
      store.transaction(() => {
        store.insert('Lead', { LastName: 'Gone', Company: 'X' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.countRecords('Lead')).toBe(0);
    store.transaction(() => {
      store.insert('Lead', { LastName: 'Kept', Company: 'X' });
      expect(() =>
        store.transaction(() => {
          store.insert('Lead', { LastName: 'Inner', Company: 'X' });
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(store.countRecords('Lead')).toBe(1);
  });

  it('keeps records across a restart and never reuses an Id', () => {
    const file = tempFile();
    const schema = indexSchema(testOrg());
    const first = openRecordStore(schema, file);
    const ids = [first.insert('Account', { Name: 'One' }), first.insert('Account', { Name: 'Two' })];
    first.hardDelete('Account', ids[0] as string);
    first.close();

    const second = openRecordStore(schema, file);
    opened.push(second);
    expect(second.findById(ids[1] as string)?.record.Name).toBe('Two');
    const next = second.insert('Account', { Name: 'Three' });
    expect(ids).not.toContain(next);
    expect(IdGenerator.sequenceOf(next)).toBe(IdGenerator.sequenceOf(ids[1] as string) + 1);
  });

  it('accepts a seeded Id and continues the sequence after it', () => {
    const store = memoryStore();
    const seeded = store.insert('Lead', { Id: '00Q8c0000000005', LastName: 'Seeded', Company: 'X' });
    expect(seeded).toBe('00Q8c0000000005EAA');
    const next = store.insert('Lead', { LastName: 'Next', Company: 'X' });
    expect(IdGenerator.sequenceOf(next)).toBe(6);
    expect(() => store.insert('Lead', { Id: '0018c0000000001', LastName: 'Wrong', Company: 'X' })).toThrow(
      /not a valid Lead Id/,
    );
  });

  it('adds columns for fields new to the schema when reopening a file', () => {
    const file = tempFile();
    const first = openRecordStore(indexSchema(testOrg()), file);
    const id = first.insert('Account', { Name: 'Acme' });
    first.close();
    const grown = openRecordStore(
      indexSchema(testOrg([field('Tier__c', 'string', { externalId: true })])),
      file,
    );
    opened.push(grown);
    expect(grown.findById(id)?.record).toMatchObject({ Name: 'Acme', Tier__c: null });
    grown.update('Account', id, { Tier__c: 'Gold' });
    expect(grown.findIdsByField('Account', 'Tier__c', 'gold')).toEqual([id]);
  });

  it('rejects unknown objects and fields with the Salesforce wording', () => {
    const store = memoryStore();
    expect(() => store.insert('Nope__c', {})).toThrow("sObject type 'Nope__c' is not supported");
    expect(() => store.insert('Account', { Nope__c: 1 })).toThrow(
      "No such column 'Nope__c' on entity 'Account'",
    );
  });

  it('inserts 50,000 records in 10,000-row transactions on a file', () => {
    const store = openRecordStore(indexSchema(testOrg()), tempFile());
    opened.push(store);
    const account = store.insert('Account', { Name: 'Acme' });
    const total = 50_000;
    for (let batch = 0; batch < total; batch += 10_000) {
      store.transaction(() => {
        for (let i = batch; i < batch + 10_000; i++) {
          store.insert('Contact', {
            FirstName: `First${i}`,
            LastName: `Last${i}`,
            Email: `p${i}@example.org`,
            MRN__c: `MRN-${i}`,
            AccountId: account,
            Birthdate: '1990-01-01',
          });
        }
      });
    }
    // Throughput is measured in `npm run bench`, not asserted here.
    expect(store.countRecords('Contact')).toBe(total);
  });
});

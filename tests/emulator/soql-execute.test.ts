import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../local/emulator/http/router.ts';
import {
  type JsonRecord,
  prepareQuery,
  type QueryCursor,
  readPage,
} from '../../local/emulator/soql/execute.ts';
import { openRecordStore, type SqliteRecordStore } from '../../local/emulator/store/sqlite-store.ts';
import { indexSchema, testOrg } from './store-fixture.ts';

const schema = indexSchema(testOrg());
const NOW = new Date('2024-03-15T12:00:00Z');
let store: SqliteRecordStore;
const ids: Record<string, string> = {};

beforeAll(() => {
  store = openRecordStore(schema, ':memory:', { now: () => NOW });
  ids.user = store.insert('User', {
    Username: 'una@example.org',
    FirstName: 'Una',
    LastName: 'User',
    Email: 'una@example.org',
    IsActive: true,
  });
  store.setActingUser(ids.user);
  ids.acme = store.insert('Account', {
    Name: 'Acme',
    Industry: 'Healthcare',
    NumberOfEmployees: 120,
    BillingCity: 'Lyon',
    BillingLatitude: 45.76,
    Active__c: true,
  });
  ids.beta = store.insert('Account', { Name: 'beta 50%_off', NumberOfEmployees: 8, ParentId: ids.acme });
  ids.gamma = store.insert('Account', { Name: 'Gamma', Industry: 'Retail' });
  ids.ada = store.insert('Contact', {
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Email: 'ada@example.org',
    AccountId: ids.acme,
    Birthdate: '1990-12-10',
  });
  ids.bob = store.insert('Contact', { FirstName: 'Bob', LastName: 'Stone', Birthdate: '1985-06-01' });
  ids.lead = store.insert('Lead', {
    FirstName: 'Lee',
    LastName: 'Dunn',
    Company: 'Dunn & Co',
    Email: 'lee@x.org',
  });
  ids.visit = store.insert('Visit__c', {
    Name: 'V-1',
    Patient__c: ids.ada,
    Score__c: 7.5,
    Visited_At__c: '2024-03-14T23:30:00-02:00',
  });
  ids.call = store.insert('Task', {
    Subject: 'Call',
    WhoId: ids.ada,
    WhatId: ids.acme,
    ActivityDate: '2024-03-15',
  });
  ids.email = store.insert('Task', {
    Subject: 'Email',
    WhoId: ids.lead,
    WhatId: ids.visit,
    ActivityDate: '2024-03-10',
  });
  ids.note = store.insert('Task', { Subject: 'Note', ActivityDate: '2024-01-01' });
  ids.gone = store.insert('Account', { Name: 'Gone Inc' });
  store.delete('Account', ids.gone);
});

afterAll(() => store.close());

function query(soql: string, includeDeleted = false): { totalSize: number; records: JsonRecord[] } {
  const prepared = prepareQuery(soql, schema, store, { includeDeleted, now: NOW });
  const cursor: QueryCursor = { ...prepared, position: 0, lastRowid: undefined };
  return { totalSize: prepared.totalSize, records: readPage(store, cursor, 2000, '62.0') };
}

function values(soql: string, field = 'Name'): unknown[] {
  return query(soql).records.map((r) => r[field]);
}

function rejection(soql: string): ApiError {
  try {
    query(soql);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`query succeeded: ${soql}`);
}

describe('SOQL executor', () => {
  it('returns records with attributes and the canonical field names whatever the case written', () => {
    const { totalSize, records } = query(
      "select id, NAME, numberofemployees, active__C from account where name = 'acme'",
    );
    expect(totalSize).toBe(1);
    expect(records).toEqual([
      {
        attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ids.acme}` },
        Id: ids.acme,
        Name: 'Acme',
        NumberOfEmployees: 120,
        Active__c: true,
      },
    ]);
  });

  it('nests parent fields under the relationship name, null when there is no parent', () => {
    const { records } = query('SELECT Name, Account.Name, Account.Owner.Username FROM Contact ORDER BY Name');
    expect(records.map(({ attributes, ...rest }) => rest)).toEqual([
      {
        Name: 'Ada Lovelace',
        Account: {
          attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ids.acme}` },
          Name: 'Acme',
          Owner: {
            attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${ids.user}` },
            Username: 'una@example.org',
          },
        },
      },
      { Name: 'Bob Stone', Account: null },
    ]);
  });

  it('reads polymorphic parents as the Name entity: type "Name", url of the real object', () => {
    const { records } = query(
      'SELECT Subject, Who.Name, Who.Type, What.Name, What.Type FROM Task ORDER BY Subject',
    );
    expect(records.map(({ attributes, ...rest }) => rest)).toEqual([
      {
        Subject: 'Call',
        Who: {
          attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/Contact/${ids.ada}` },
          Name: 'Ada Lovelace',
          Type: 'Contact',
        },
        What: {
          attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/Account/${ids.acme}` },
          Name: 'Acme',
          Type: 'Account',
        },
      },
      {
        Subject: 'Email',
        Who: {
          attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/Lead/${ids.lead}` },
          Name: 'Lee Dunn',
          Type: 'Lead',
        },
        What: {
          attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/Visit__c/${ids.visit}` },
          Name: 'V-1',
          Type: 'Visit__c',
        },
      },
      { Subject: 'Note', Who: null, What: null },
    ]);
  });

  it('filters on the polymorphic type and name', () => {
    expect(values("SELECT Subject FROM Task WHERE Who.Type = 'Lead'", 'Subject')).toEqual(['Email']);
    expect(values("SELECT Subject FROM Task WHERE What.Name LIKE 'ac%'", 'Subject')).toEqual(['Call']);
  });

  it('gives Name-entity fields only where the documented source has them (Email only for users)', () => {
    const { records } = query("SELECT Who.FirstName, Who.Email FROM Task WHERE Subject = 'Call'");
    expect(records[0]?.Who).toMatchObject({ FirstName: 'Ada', Email: null });
  });

  it('refuses a field of the concrete object through a polymorphic relationship', () => {
    const error = rejection('SELECT Id, What.Industry FROM Task');
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(error.message).toBe(
      "\nSELECT Id, What.Industry FROM Task\n           ^\nERROR at Row:1:Column:12\nNo such column 'Industry' on entity 'Name'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('assembles compound address fields from their components', () => {
    const { records } = query(`SELECT BillingAddress FROM Account WHERE Id = '${ids.acme}'`);
    expect(records[0]?.BillingAddress).toEqual({ city: 'Lyon', latitude: 45.76 });
    expect(
      query(`SELECT BillingAddress FROM Account WHERE Id = '${ids.gamma}'`).records[0]?.BillingAddress,
    ).toBeNull();
  });

  it('compares text case-insensitively and keeps null fields for != and NOT IN, as SOQL does', () => {
    expect(values("SELECT Name FROM Account WHERE Industry = 'HEALTHCARE'")).toEqual(['Acme']);
    expect(values("SELECT Name FROM Account WHERE Industry != 'Healthcare' ORDER BY Name")).toEqual([
      'beta 50%_off',
      'Gamma',
    ]);
    expect(values("SELECT Name FROM Account WHERE Industry NOT IN ('retail') ORDER BY Name")).toEqual([
      'Acme',
      'beta 50%_off',
    ]);
    expect(values("SELECT Name FROM Account WHERE NOT Industry = 'Retail' ORDER BY Name")).toEqual([
      'Acme',
      'beta 50%_off',
    ]);
  });

  it("matches null and empty string with = null and = ''", () => {
    expect(values('SELECT Name FROM Account WHERE Industry = null')).toEqual(['beta 50%_off']);
    expect(values("SELECT Name FROM Account WHERE Industry = ''")).toEqual(['beta 50%_off']);
    expect(values('SELECT Name FROM Account WHERE Industry != null ORDER BY Name')).toEqual([
      'Acme',
      'Gamma',
    ]);
    expect(values("SELECT Name FROM Account WHERE Industry IN ('Retail', null) ORDER BY Name")).toEqual([
      'beta 50%_off',
      'Gamma',
    ]);
  });

  it.each([
    ['NumberOfEmployees > 10', ['Acme']],
    ['NumberOfEmployees >= 8', ['Acme', 'beta 50%_off']],
    ['NumberOfEmployees < 120', ['beta 50%_off']],
    ['NumberOfEmployees <= 120 AND NumberOfEmployees <> 8', ['Acme']],
    ['NumberOfEmployees IN (8, 9)', ['beta 50%_off']],
    ['Active__c = true', ['Acme']],
    ['Active__c = false', ['beta 50%_off', 'Gamma']],
    ["Name LIKE 'beta 50\\%\\_%'", ['beta 50%_off']],
    ["Name LIKE 'beta 50\\%\\_x'", []],
    ["Name LIKE '_cme'", ['Acme']],
    ["(Industry = 'Retail' OR NumberOfEmployees > 100) AND Name != 'Gamma'", ['Acme']],
    [`ParentId = '${'PARENT'}'`, ['beta 50%_off']],
    ["Parent.Name = 'Acme'", ['beta 50%_off']],
  ])('filters Accounts with %s', (condition, expected) => {
    const soql = `SELECT Name FROM Account WHERE ${condition.replace('PARENT', ids.acme?.slice(0, 15) ?? '')} ORDER BY Name`;
    expect(values(soql)).toEqual(expected);
  });

  it('compares dates and datetimes, converting datetime literals to UTC', () => {
    expect(values('SELECT Name FROM Contact WHERE Birthdate > 1989-01-01')).toEqual(['Ada Lovelace']);
    expect(values('SELECT Name FROM Visit__c WHERE Visited_At__c = 2024-03-15T01:30:00Z')).toEqual(['V-1']);
    expect(values('SELECT Name FROM Visit__c WHERE Visited_At__c > 2024-03-15T03:00:00+02:00')).toEqual([
      'V-1',
    ]);
    expect(values('SELECT Name FROM Visit__c WHERE Visited_At__c > 2024-03-15T01:30:00.001Z')).toEqual([]);
  });

  it('evaluates TODAY, YESTERDAY and LAST_N_DAYS:n in whole UTC days', () => {
    expect(values('SELECT Subject FROM Task WHERE ActivityDate = TODAY', 'Subject')).toEqual(['Call']);
    expect(
      values('SELECT Subject FROM Task WHERE ActivityDate = LAST_N_DAYS:7 ORDER BY Subject', 'Subject'),
    ).toEqual(['Call', 'Email']);
    expect(values('SELECT Subject FROM Task WHERE ActivityDate < LAST_N_DAYS:7', 'Subject')).toEqual([
      'Note',
    ]);
    expect(values('SELECT Subject FROM Task WHERE ActivityDate > YESTERDAY', 'Subject')).toEqual(['Call']);
    expect(values('SELECT Name FROM Account WHERE CreatedDate = TODAY ORDER BY Name')).toHaveLength(3);
    expect(values('SELECT Name FROM Visit__c WHERE Visited_At__c = TODAY')).toEqual(['V-1']);
  });

  it('orders with NULLS FIRST/LAST and pages with LIMIT and OFFSET', () => {
    expect(values('SELECT Name FROM Account ORDER BY Industry NULLS LAST, Name')).toEqual([
      'Acme',
      'Gamma',
      'beta 50%_off',
    ]);
    expect(values('SELECT Name FROM Account ORDER BY Industry DESC NULLS FIRST')).toEqual([
      'beta 50%_off',
      'Gamma',
      'Acme',
    ]);
    // Text sorts case-insensitively: 'beta' comes before 'Gamma'.
    expect(values('SELECT Name FROM Account ORDER BY Name DESC LIMIT 2 OFFSET 1')).toEqual([
      'beta 50%_off',
      'Acme',
    ]);
    expect(query('SELECT Name FROM Account LIMIT 2').totalSize).toBe(2);
  });

  it('returns unsorted results in creation order', () => {
    expect(values('SELECT Name FROM Account')).toEqual(['Acme', 'beta 50%_off', 'Gamma']);
  });

  it('counts with COUNT() and aggregates with COUNT(field)', () => {
    expect(query("SELECT COUNT() FROM Contact WHERE LastName != 'x'")).toEqual({ totalSize: 2, records: [] });
    expect(query('SELECT COUNT() FROM Account LIMIT 1').totalSize).toBe(1);
    expect(query('SELECT COUNT(Industry) FROM Account')).toEqual({
      totalSize: 1,
      records: [{ attributes: { type: 'AggregateResult' }, expr0: 2 }],
    });
    expect(rejection('SELECT COUNT(), Name FROM Account').errorCode).toBe('MALFORMED_QUERY');
    expect(rejection('SELECT COUNT(Id), Name FROM Account').message).toMatch(
      /Field must be grouped or aggregated: Name$/,
    );
  });

  it('hides soft-deleted records from query and shows them to queryAll', () => {
    expect(values("SELECT Name FROM Account WHERE Name = 'Gone Inc'")).toEqual([]);
    const all = query("SELECT Name, IsDeleted FROM Account WHERE Name = 'Gone Inc'", true);
    expect(all.records.map((r) => [r.Name, r.IsDeleted])).toEqual([['Gone Inc', true]]);
  });

  it('pages through a large result without gaps or overlaps, sorted or not', () => {
    const big = openRecordStore(schema, ':memory:');
    try {
      big.transaction(() => {
        for (let i = 0; i < 2500; i++)
          big.insert('Lead', { LastName: `L${String(i % 997).padStart(4, '0')}`, Company: 'C' });
      });
      for (const soql of [
        'SELECT Id FROM Lead',
        'SELECT Id FROM Lead ORDER BY LastName DESC',
        'SELECT Id FROM Lead LIMIT 2100',
      ]) {
        const prepared = prepareQuery(soql, schema, big, { includeDeleted: false, now: NOW });
        const cursor: QueryCursor = { ...prepared, position: 0, lastRowid: undefined };
        const seen = new Set<unknown>();
        let pages = 0;
        while (cursor.position < cursor.totalSize) {
          for (const r of readPage(big, cursor, 1000, '62.0')) seen.add(r.Id);
          pages++;
        }
        expect(seen.size).toBe(prepared.totalSize);
        expect(pages).toBe(Math.ceil(prepared.totalSize / 1000));
      }
    } finally {
      big.close();
    }
  });

  it.each([
    [
      'SELECT Foo FROM Account',
      'INVALID_FIELD',
      "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    ],
    [
      'SELECT Id FROM Foo',
      'INVALID_TYPE',
      "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    ],
    [
      'SELECT COUNT() FROM Contact WHERE Patient__r.Name = null',
      'INVALID_FIELD',
      "\nSELECT COUNT() FROM Contact WHERE Patient__r.Name = null\n                                  ^\nERROR at Row:1:Column:35\nDidn't understand relationship 'Patient__r' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
    ],
    ['SELECT Id, Name, id FROM Account', 'INVALID_FIELD', 'duplicate field selected: Id'],
    [
      'SELECT Id FROM Account OFFSET 2001',
      'NUMBER_OUTSIDE_VALID_RANGE',
      'Maximum SOQL offset allowed is 2000',
    ],
  ])('rejects %j with %s', (soql, code, message) => {
    const error = rejection(soql);
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe(code);
    expect(error.message).toBe(message);
  });

  it.each([
    [
      "Birthdate = '1990-12-10'",
      "field 'Birthdate' must be of type date and should not be enclosed in quotes",
    ],
    ['Birthdate = 2024-01-01T00:00:00Z', "field 'Birthdate' must be of type date and should not be enclosed"],
    ['CreatedDate > 2024-01-01', "field 'CreatedDate' must be of type dateTime and should not be enclosed"],
    [
      "Account.NumberOfEmployees = '5'",
      "field 'Account.NumberOfEmployees' must be of type integer and should not",
    ],
    ['LastName = 5', "field 'LastName' must be of type string and should be enclosed in quotes"],
    ["Owner.IsActive = 'true'", "field 'Owner.IsActive' must be of type boolean and should not"],
  ])('type-checks the filter value %s', (condition, message) => {
    const error = rejection(`SELECT Id FROM Contact WHERE ${condition}`);
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(error.message).toContain(`value of filter criterion for ${message}`);
  });

  it('rejects a malformed Id in a filter', () => {
    const error = rejection("SELECT Id FROM Contact WHERE AccountId = '001xyz'");
    expect(error.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(error.message).toMatch(/\ninvalid ID field: 001xyz$/);
  });
});

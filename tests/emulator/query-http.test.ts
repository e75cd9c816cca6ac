import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';
import { testOrg } from './store-fixture.ts';

const VERSION = '62.0';
let emu: Emulator;
let conn: jsforce.Connection;
let token: string;
const ids: Record<string, string> = {};

async function fetchToken(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=polyload-local&client_secret=polyload-local-secret',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function api(path: string): string {
  return `${emu.url}/services/data/v${VERSION}${path}`;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(api(path), { headers: { Authorization: `Bearer ${token}`, ...headers } });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & Array<Record<string, unknown>>,
  };
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, schema: testOrg(), faults: 'processingMs=0' });
  token = await fetchToken(emu.url);
  conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: token, version: VERSION });
  const store = emu.context.store;
  ids.acme = store.insert('Account', { Name: 'Acme', BillingCity: 'Lyon', NumberOfEmployees: 12 });
  ids.ada = store.insert('Contact', { FirstName: 'Ada', LastName: 'Lovelace', AccountId: ids.acme });
  ids.lead = store.insert('Lead', { FirstName: 'Lee', LastName: 'Dunn', Company: 'Dunn & Co' });
  ids.call = store.insert('Task', { Subject: 'Call', WhoId: ids.ada, WhatId: ids.acme });
  ids.mail = store.insert('Task', { Subject: 'Email', WhoId: ids.lead });
  store.transaction(() => {
    for (let i = 0; i < 2500; i++) store.insert('Visit__c', { Name: `V-${i}`, Score__c: i });
  });
  ids.gone = store.insert('Account', { Name: 'Gone Inc' });
  store.delete('Account', ids.gone);
});

afterAll(async () => {
  await emu?.stop();
});

describe('REST query over HTTP', () => {
  it('answers conn.query() with records, parents and polymorphic Name parents', async () => {
    const result = await conn.query(
      'SELECT Subject, Who.Name, Who.Type, What.Name FROM Task ORDER BY Subject',
    );
    expect(result.totalSize).toBe(2);
    expect(result.done).toBe(true);
    expect(result.records).toEqual([
      {
        attributes: { type: 'Task', url: `/services/data/v${VERSION}/sobjects/Task/${ids.call}` },
        Subject: 'Call',
        Who: {
          attributes: { type: 'Name', url: `/services/data/v${VERSION}/sobjects/Contact/${ids.ada}` },
          Name: 'Ada Lovelace',
          Type: 'Contact',
        },
        What: {
          attributes: { type: 'Name', url: `/services/data/v${VERSION}/sobjects/Account/${ids.acme}` },
          Name: 'Acme',
        },
      },
      {
        attributes: { type: 'Task', url: `/services/data/v${VERSION}/sobjects/Task/${ids.mail}` },
        Subject: 'Email',
        Who: {
          attributes: { type: 'Name', url: `/services/data/v${VERSION}/sobjects/Lead/${ids.lead}` },
          Name: 'Lee Dunn',
          Type: 'Lead',
        },
        What: null,
      },
    ]);
  });

  it('pages 2,000 records at a time with a query locator that conn.queryMore() follows', async () => {
    const first = await conn.query('SELECT Name FROM Visit__c');
    expect(first).toMatchObject({ totalSize: 2500, done: false });
    expect(first.records).toHaveLength(2000);
    // jsforce turns the locator into a full URL; the raw response carries the relative one.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g\w{15}-2000$/);
    const second = await conn.queryMore(first.nextRecordsUrl as string);
    expect(second).toMatchObject({ totalSize: 2500, done: true });
    expect(second.records).toHaveLength(500);
    expect(second.nextRecordsUrl).toBeUndefined();
    const names = new Set([...first.records, ...second.records].map((r) => r.Name));
    expect(names.size).toBe(2500);
  });

  it('fetches every page with autoFetch', async () => {
    const records = await conn
      .query<{ Score__c: number }>('SELECT Score__c FROM Visit__c ORDER BY Score__c DESC')
      .run({ autoFetch: true, maxFetch: 10_000 });
    expect(records.records).toHaveLength(2500);
    expect(records.records[0]?.Score__c).toBe(2499);
    expect(records.records[2499]?.Score__c).toBe(0);
  });

  it('honours Sforce-Query-Options batchSize within 200..2000', async () => {
    const small = await get(`/query?q=${encodeURIComponent('SELECT Id FROM Visit__c')}`, {
      'Sforce-Query-Options': 'batchSize=500',
    });
    expect(small.body.records).toHaveLength(500);
    expect(small.body).toMatchObject({ totalSize: 2500, done: false });
    expect(small.body.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g\w{15}-500$/);
    expect(Object.keys(small.body)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
    const next = await get((small.body.nextRecordsUrl as string).slice('/services/data/v62.0'.length));
    // The cursor keeps the batch size it was opened with.
    expect(next.body.records).toHaveLength(500);
    expect(next.body.nextRecordsUrl).toMatch(/-1000$/);
    const tiny = await get(`/query?q=${encodeURIComponent('SELECT Id FROM Visit__c')}`, {
      'Sforce-Query-Options': 'batchSize=10',
    });
    expect(tiny.body.records).toHaveLength(200);
  });

  it('answers COUNT() with the count and no records', async () => {
    const { status, body } = await get(
      `/query?q=${encodeURIComponent('SELECT COUNT() FROM Visit__c WHERE Score__c >= 2000')}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({ totalSize: 500, done: true, records: [] });
  });

  it('includes soft-deleted records only in queryAll', async () => {
    const soql = "SELECT Name, IsDeleted FROM Account WHERE Name = 'Gone Inc'";
    expect((await conn.query(soql)).totalSize).toBe(0);
    const all = await conn.query(soql).run({ scanAll: true });
    expect(all.records.map((r) => [r.Name, r.IsDeleted])).toEqual([['Gone Inc', true]]);
  });

  it('returns SOQL errors in the REST error shape with status 400', async () => {
    const { status, body } = await get(`/query?q=${encodeURIComponent('SELECT Foo FROM Account')}`);
    expect(status).toBe(400);
    expect(body).toEqual([
      {
        errorCode: 'INVALID_FIELD',
        message:
          "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
      },
    ]);
    await expect(conn.query('SELECT Id FROM Nope')).rejects.toMatchObject({ name: 'INVALID_TYPE' });
    await expect(conn.query('SELECT Id Account')).rejects.toMatchObject({ name: 'MALFORMED_QUERY' });
  });

  it('rejects a missing query string and an unknown locator', async () => {
    expect((await get('/query')).body).toEqual([
      { errorCode: 'MALFORMED_QUERY', message: 'A query string has to be specified' },
    ]);
    const unknown = await get('/query/01g8c0000000999AAA-2000');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual([{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }]);
  });

  it('requires a session', async () => {
    const res = await fetch(api(`/query?q=${encodeURIComponent('SELECT Id FROM Account')}`));
    expect(res.status).toBe(401);
  });

  it('reads one record with all its fields, or the listed ones', async () => {
    const { status, body } = await get(`/sobjects/Account/${ids.acme}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      attributes: { type: 'Account', url: `/services/data/v${VERSION}/sobjects/Account/${ids.acme}` },
      Id: ids.acme,
      Name: 'Acme',
      NumberOfEmployees: 12,
      BillingAddress: { city: 'Lyon', latitude: null },
      BillingCity: 'Lyon',
      IsDeleted: false,
    });
    const some = await get(`/sobjects/account/${ids.acme?.slice(0, 15)}?fields=Name,Industry`);
    expect(some.body).toEqual({
      attributes: { type: 'Account', url: `/services/data/v${VERSION}/sobjects/Account/${ids.acme}` },
      Id: ids.acme,
      Name: 'Acme',
      Industry: null,
    });
  });

  it('answers 404 for a deleted, unknown or malformed record Id', async () => {
    expect((await get(`/sobjects/Account/${ids.gone}`)).status).toBe(404);
    expect((await get(`/sobjects/Nope/${ids.acme}`)).status).toBe(404);
    const bad = await get('/sobjects/Account/nonsense');
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual([
      {
        errorCode: 'NOT_FOUND',
        message: 'Provided external ID field does not exist or is not accessible: nonsense',
      },
    ]);
  });

  it('leaves /sobjects/{object}/describe to the describe route', async () => {
    const { status, body } = await get('/sobjects/Account/describe');
    expect(status).toBe(200);
    expect(body.name).toBe('Account');
  });
});

import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';

let emu: Emulator;
let accessToken: string;
let conn: jsforce.Connection;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const res = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=polyload-local&client_secret=polyload-local-secret',
  });
  accessToken = ((await res.json()) as { access_token: string }).access_token;
  conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken, version: '62.0' });
});
afterAll(async () => {
  await emu?.stop();
});

async function get(path: string) {
  const res = await fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('describe over HTTP', () => {
  it('serves jsforce describe() for Task with its polymorphic Who and What', async () => {
    const task = await conn.describe('Task');
    expect(task.name).toBe('Task');
    expect(task.keyPrefix).toBe('00T');
    const who = task.fields.find((f) => f.name === 'WhoId');
    expect(who?.referenceTo).toEqual(['Contact', 'Lead']);
    expect(who).toMatchObject({ polymorphicForeignKey: true, relationshipName: 'Who' });
    expect(task.fields.find((f) => f.name === 'WhatId')?.referenceTo).toContain('Care_Plan__c');
  });

  it('serves jsforce describeGlobal() with every object of the org', async () => {
    const global = await conn.describeGlobal();
    expect(global.encoding).toBe('UTF-8');
    expect(global.maxBatchSize).toBe(200);
    expect(global.sobjects.map((o) => o.name)).toEqual(emu.context.schema.org.objects.map((o) => o.name));
  });

  it('matches the object name in the path regardless of case and answers with its real name', async () => {
    const { status, body } = await get('/services/data/v62.0/sobjects/care_plan__C/describe/');
    expect(status).toBe(200);
    expect(body.name).toBe('Care_Plan__c');
    expect((body.urls as Record<string, string>).sobject).toBe('/services/data/v62.0/sobjects/Care_Plan__c');
  });

  it('serves basic information for an object', async () => {
    const { status, body } = await get('/services/data/v62.0/sobjects/Contact');
    expect(status).toBe(200);
    expect(body).toMatchObject({ objectDescribe: { name: 'Contact', keyPrefix: '003' }, recentItems: [] });
  });

  it.each(['/services/data/v62.0/sobjects/Nope__c/describe', '/services/data/v62.0/sobjects/Nope__c'])(
    'answers 404 NOT_FOUND for an object the org lacks (%s)',
    async (path) => {
      const res = await fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual([
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    },
  );

  it('rejects jsforce describe() of an unknown object with NOT_FOUND', async () => {
    await expect(conn.describe('Nope__c')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});

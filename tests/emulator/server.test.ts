import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrg, type TestOrg, waitForJob } from './helpers.ts';

describe('what every REST call goes through', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.stop());

  it('lists the API versions without a session', async () => {
    const res = await fetch(`${org.emu.url}/services/data`);
    expect(res.status).toBe(200);
    const versions = (await res.json()) as { version: string; url: string }[];
    expect(versions[0]).toEqual({ label: 'v31.0', url: '/services/data/v31.0', version: '31.0' });
    expect(versions.at(-1)?.version).toBe('66.0');
  });

  it('answers 410 for a retired API version and 404 for one that does not exist yet', async () => {
    expect((await fetch(org.api('/limits', '30.0'), { headers: org.auth })).status).toBe(410);
    const future = await fetch(org.api('/limits', '99.0'), { headers: org.auth });
    expect(future.status).toBe(404);
    expect(await future.json()).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
  });

  it('refuses a missing or unknown token with 401 INVALID_SESSION_ID', async () => {
    for (const headers of [{}, { Authorization: 'Bearer 00Dnope!AQnope' }]) {
      const res = await fetch(org.api('/limits'), { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual([
        { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
      ]);
    }
  });

  it('counts every API call in Sforce-Limit-Info', async () => {
    const first = await fetch(org.api('/sobjects'), { headers: org.auth });
    const second = await fetch(org.api('/sobjects'), { headers: org.auth });
    const used = (res: Response) =>
      Number(/api-usage=(\d+)\/\d+/.exec(res.headers.get('sforce-limit-info') ?? '')?.[1]);
    expect(used(second)).toBe(used(first) + 1);
  });

  it('answers 405 with the allowed methods for a wrong method and 404 for an unknown path', async () => {
    const wrong = await fetch(org.api('/limits'), { method: 'DELETE', headers: org.auth });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual([
      { errorCode: 'METHOD_NOT_ALLOWED', message: "HTTP Method 'DELETE' not allowed. Allowed are GET" },
    ]);
    expect((await fetch(org.api('/nowhere'), { headers: org.auth })).status).toBe(404);
  });
});

describe('an org schema of your own', () => {
  let dir: string;
  let org: TestOrg;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polyload-schema-'));
    const schema = join(dir, 'describe.json');
    // A partial describe export: one custom object and no User, as a user might export from their org.
    writeFileSync(
      schema,
      JSON.stringify([
        {
          name: 'Widget__c',
          label: 'Widget',
          labelPlural: 'Widgets',
          keyPrefix: 'a0Z',
          custom: true,
          createable: true,
          updateable: true,
          deletable: true,
          queryable: true,
          fields: [
            {
              name: 'Id',
              type: 'id',
              label: 'Record ID',
              length: 18,
              nillable: false,
              createable: false,
              updateable: false,
              idLookup: true,
            },
            {
              name: 'Name',
              type: 'string',
              label: 'Widget Name',
              length: 80,
              nillable: false,
              createable: true,
              updateable: true,
              nameField: true,
            },
            {
              name: 'Code__c',
              type: 'string',
              label: 'Code',
              length: 20,
              nillable: true,
              createable: true,
              updateable: true,
              externalId: true,
              unique: true,
            },
          ],
        },
      ]),
    );
    org = await startTestOrg({ schema });
  });
  afterAll(async () => {
    await org.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('still logs the integration user in when the export has no User object', async () => {
    const identity = await org.conn.query<{ Username: string }>('SELECT Username FROM User');
    expect(identity.records.map((r) => r.Username)).toContain('integration@polyload.local');
  });

  it('describes and loads the exported object with its own key prefix', async () => {
    const describe = await org.conn.describe('Widget__c');
    expect(describe.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Id', 'Name', 'Code__c']));
    const job = org.conn.bulk2.createJob({
      object: 'Widget__c',
      operation: 'upsert',
      externalIdFieldName: 'Code__c',
    });
    await job.open();
    await job.uploadData(Readable.from(['Name,Code__c\nSprocket,W-1\nGear,W-2\n']));
    await job.close();
    expect((await waitForJob(job)).numberRecordsProcessed).toBe(2);
    const widgets = await org.conn.query<{ Id: string; Code__c: string }>(
      'SELECT Id, Code__c FROM Widget__c ORDER BY Code__c',
    );
    expect(widgets.records.map((r) => r.Code__c)).toEqual(['W-1', 'W-2']);
    expect(widgets.records.every((r) => r.Id.startsWith('a0Z') && r.Id.length === 18)).toBe(true);
  });
});

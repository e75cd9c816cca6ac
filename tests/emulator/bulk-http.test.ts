import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_INGEST_SETTINGS,
  ingestService,
  ingestSettings,
} from '../../local/emulator/ingest/service.ts';
import { startTestOrg, type TestOrg } from './helpers.ts';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(async () => {
  await org?.stop();
});

afterEach(() => {
  Object.assign(ingestSettings(org.emu.context), DEFAULT_INGEST_SETTINGS);
  Object.assign(org.emu.context.quirks, {
    secondUpload: 'rejectPut',
    abortAfterUpload: true,
    emptyResults: 'header',
  });
  org.emu.context.faults.set({ processingMs: 0 });
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(path.startsWith('http') ? path : org.api(path), {
    method,
    headers: {
      ...org.auth,
      ...(typeof body === 'object' ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function createJob(body: Record<string, unknown> = { object: 'Account', operation: 'insert' }) {
  const res = await call('POST', '/jobs/ingest', body);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as { id: string } & Record<string, unknown>;
}

async function put(id: string, csv: string, contentType = 'text/csv') {
  return call('PUT', `/jobs/ingest/${id}/batches`, csv, { 'Content-Type': contentType });
}

async function waitFor(id: string, states = ['JobComplete', 'Failed', 'Aborted']) {
  for (let i = 0; i < 1000; i++) {
    const info = JSON.parse((await call('GET', `/jobs/ingest/${id}`)).text) as Record<string, unknown>;
    if (states.includes(String(info.state))) return info;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`job ${id} never reached ${states.join('/')}`);
}

async function loadJob(csv: string, body?: Record<string, unknown>) {
  const job = await createJob(body);
  expect((await put(job.id, csv)).status).toBe(201);
  expect((await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' })).status).toBe(200);
  return { id: job.id, info: await waitFor(job.id) };
}

const errorBody = (errorCode: string, message: string) =>
  JSON.parse(JSON.stringify([{ errorCode, message }]));

describe('create job', () => {
  it('answers 200 with the create shape: apiVersion printed as 62.0, contentUrl relative, no counters', async () => {
    const res = await call('POST', '/jobs/ingest/', {
      object: 'account',
      operation: 'insert',
      lineEnding: 'LF',
    });
    expect(res.status).toBe(200);
    const info = JSON.parse(res.text);
    expect(Object.keys(info)).toEqual([
      'id',
      'operation',
      'object',
      'createdById',
      'createdDate',
      'systemModstamp',
      'state',
      'concurrencyMode',
      'contentType',
      'apiVersion',
      'contentUrl',
      'lineEnding',
      'columnDelimiter',
    ]);
    expect(info).toMatchObject({
      object: 'Account',
      state: 'Open',
      contentUrl: `services/data/v62.0/jobs/ingest/${info.id}/batches`,
    });
    expect(res.text).toContain('"apiVersion":62.0,');
  });

  it.each([
    [{ object: 'Nope__c', operation: 'insert' }, 'INVALIDJOB', 'InvalidJob : Unable to find object: Nope__c'],
    [
      { object: 'Contact', operation: 'upsert' },
      'INVALIDJOB',
      'InvalidJob : External ID was blank for Contact. An External ID must be specified for upsert.',
    ],
    [
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'LastName' },
      'INVALIDJOB',
      'InvalidJob : Field name provided, LastName does not match an External ID for Contact',
    ],
    [
      { object: 'Account', operation: '' },
      'API_ERROR',
      "Invalid value: '' supplied for property: 'operation'",
    ],
    [{ object: 'Account' }, 'API_ERROR', "Invalid value: '' supplied for property: 'operation'"],
    [
      { object: 'Account', operation: 'merge' },
      'API_ERROR',
      "Invalid value: 'merge' supplied for property: 'operation'",
    ],
    [
      { object: 'Account', operation: 'insert', columnDelimiter: 'COLON' },
      'API_ERROR',
      "Invalid value: 'COLON' supplied for property: 'columnDelimiter'",
    ],
    [
      { object: 'Account', operation: 'insert', lineEnding: 'CR' },
      'API_ERROR',
      "Invalid value: 'CR' supplied for property: 'lineEnding'",
    ],
    [
      { object: 'Account', operation: 'insert', contentType: 'JSON' },
      'API_ERROR',
      "Invalid value: 'JSON' supplied for property: 'contentType'",
    ],
  ])('refuses %j with 400 %s', async (body, errorCode, message) => {
    const res = await call('POST', '/jobs/ingest', body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual(errorBody(errorCode, message));
  });

  it('refuses hardDelete with FEATURENOTENABLED when the permission is off', async () => {
    ingestSettings(org.emu.context).hardDeleteEnabled = false;
    const res = await call('POST', '/jobs/ingest', { object: 'Account', operation: 'hardDelete' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('FEATURENOTENABLED');
  });

  it('echoes externalIdFieldName after state for upsert jobs, with the field name as the org spells it', async () => {
    const info = await createJob({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'PATIENT_ID__C',
    });
    expect(Object.keys(info).indexOf('externalIdFieldName')).toBe(Object.keys(info).indexOf('state') + 1);
    expect(info.externalIdFieldName).toBe('Patient_Id__c');
  });

  it('creates and uploads in one multipart request, answering UploadComplete', async () => {
    const form = new FormData();
    form.set(
      'job',
      new Blob([JSON.stringify({ object: 'Account', operation: 'insert' })], { type: 'application/json' }),
    );
    form.set('content', new Blob(['Name\nMultipart One\nMultipart Two\n'], { type: 'text/csv' }), 'content');
    const res = await fetch(org.api('/jobs/ingest'), { method: 'POST', headers: org.auth, body: form });
    expect(res.status).toBe(200);
    const info = (await res.json()) as { id: string; state: string };
    expect(info.state).toBe('UploadComplete');
    expect(await waitFor(info.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2 });
  });

  it('refuses a multipart upload over 100,000 characters', async () => {
    const form = new FormData();
    form.set('job', JSON.stringify({ object: 'Account', operation: 'insert' }));
    form.set('content', new Blob([`Name\n${'x'.repeat(100_001)}\n`]), 'content');
    const res = await fetch(org.api('/jobs/ingest'), { method: 'POST', headers: org.auth, body: form });
    expect(res.status).toBe(400);
  });
});

describe('job info', () => {
  it('shows an Open job with contentUrl, jobType and zero timings but no record counters', async () => {
    const job = await createJob();
    const res = await call('GET', `/jobs/ingest/${job.id}`);
    const info = JSON.parse(res.text);
    expect(info).toMatchObject({
      jobType: 'V2Ingest',
      contentUrl: `services/data/v62.0/jobs/ingest/${job.id}/batches`,
    });
    expect(info).toMatchObject({
      retries: 0,
      totalProcessingTime: 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
    });
    expect(info).not.toHaveProperty('numberRecordsProcessed');
    expect(info).not.toHaveProperty('errorMessage');
  });

  it('shows a finished job with counters and without contentUrl or errorMessage', async () => {
    const { info } = await loadJob('Name\nInfo\n');
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    expect(info).not.toHaveProperty('contentUrl');
    expect(info).not.toHaveProperty('errorMessage');
  });

  it('finds a job by its 15-character id and ignores a trailing slash', async () => {
    const job = await createJob();
    const res = await call('GET', `/jobs/ingest/${job.id.slice(0, 15)}/`);
    expect(JSON.parse(res.text).id).toBe(job.id);
  });

  it('answers 404 NOT_FOUND for an unknown job', async () => {
    const res = await call('GET', '/jobs/ingest/7508c000000ZZZZAAA');
    expect(res.status).toBe(404);
    expect(res.text).toBe('[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]');
  });
});

describe('upload', () => {
  it('answers 201 with an empty body, accepting text/csv with a charset', async () => {
    const job = await createJob();
    const res = await put(job.id, 'Name\nCharset\n', 'text/csv; charset=UTF-8');
    expect(res).toMatchObject({ status: 201, text: '' });
  });

  it('accepts a chunked body without Content-Length', async () => {
    const job = await createJob();
    const url = new URL(org.api(`/jobs/ingest/${job.id}/batches/`));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'PUT', headers: { ...org.auth, 'Content-Type': 'text/csv' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('Name,Site\n');
      for (let i = 0; i < 50; i++) req.write(`Chunked ${i},site ${i}\n`);
      req.end();
    });
    expect(status).toBe(201);
    await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    expect(await waitFor(job.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 50 });
  });

  it('refuses a second upload with the real message: typo, 15-character id in angle brackets', async () => {
    const job = await createJob();
    expect((await put(job.id, 'Name\nOnce\n')).status).toBe(201);
    const second = await put(job.id, 'Name\nTwice\n');
    expect(second.status).toBe(400);
    expect(JSON.parse(second.text)).toEqual(
      errorBody(
        'BULK_API_ERROR',
        `Found multipe contents for job: <${job.id.slice(0, 15)}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
      ),
    );
  });

  it("with secondUpload 'rejectClose', accepts the second PUT and refuses the close instead", async () => {
    org.emu.context.quirks.secondUpload = 'rejectClose';
    const job = await createJob();
    expect((await put(job.id, 'Name\nOnce\n')).status).toBe(201);
    expect((await put(job.id, 'Name\nTwice\n')).status).toBe(201);
    const close = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    expect(close.status).toBe(400);
    expect(JSON.parse(close.text)[0]).toMatchObject({ errorCode: 'BULK_API_ERROR' });
    expect(JSON.parse(close.text)[0].message).toMatch(/^Found multipe contents for job: </);
  });

  it('refuses an upload to a job that is no longer Open (INVALIDJOBSTATE, a guess)', async () => {
    const { id } = await loadJob('Name\nClosed\n');
    const res = await put(id, 'Name\nLate\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('INVALIDJOBSTATE');
  });

  it('refuses an upload over the base64 size limit and keeps the job usable', async () => {
    ingestSettings(org.emu.context).maxUploadBase64Bytes = 1024;
    const job = await createJob();
    const big = `Name\n${'Big account name\n'.repeat(60)}`; // 1,025 bytes raw: 1,368 base64
    expect(big.length).toBeLessThan(1100);
    const res = await put(job.id, big);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('EXCEEDEDQUOTA');
    expect((await put(job.id, 'Name\nSmall\n')).status).toBe(201);
  });

  it('accepts the upload without validating it: a bad header fails the job only after close', async () => {
    const job = await createJob();
    expect((await put(job.id, 'Bogus__c\nx\n')).status).toBe(201);
    const open = JSON.parse((await call('GET', `/jobs/ingest/${job.id}`)).text);
    expect(open.state).toBe('Open');
  });
});

describe('state changes', () => {
  it('answers the close with the short shape', async () => {
    const job = await createJob({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'Patient_Id__c',
    });
    await put(job.id, 'Patient_Id__c,LastName\nS-1,Short\n');
    const res = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    const info = JSON.parse(res.text);
    expect(Object.keys(info)).toEqual([
      'id',
      'operation',
      'object',
      'createdById',
      'createdDate',
      'systemModstamp',
      'state',
      'externalIdFieldName',
      'concurrencyMode',
      'contentType',
      'apiVersion',
    ]);
    expect(info.state).toBe('UploadComplete');
    expect(res.text).toContain('"apiVersion":62.0}');
  });

  it('does not process a job until it is closed', async () => {
    const job = await createJob();
    await put(job.id, 'Name\nWaiting\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse((await call('GET', `/jobs/ingest/${job.id}`)).text).state).toBe('Open');
    expect(org.emu.context.store.findIdsByField('Account', 'Name', 'Waiting')).toEqual([]);
  });

  it('aborts an Open job; its uploaded rows are all unprocessed', async () => {
    const job = await createJob();
    await put(job.id, 'Name\nNever A\nNever B\n');
    const res = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'Aborted' });
    expect(JSON.parse(res.text).state).toBe('Aborted');
    const unprocessed = await call('GET', `/jobs/ingest/${job.id}/unprocessedRecords/`);
    expect(unprocessed.text).toBe('Name\nNever A\nNever B\n');
    expect(org.emu.context.store.findIdsByField('Account', 'Name', 'Never A')).toEqual([]);
  });

  it.each([
    ['UploadComplete', 'JobComplete'],
    ['Aborted', 'JobComplete'],
    ['JobComplete', 'Open'],
  ])('refuses %s on a %s job with 400 INVALIDJOBSTATE', async (target, from) => {
    const id = from === 'Open' ? (await createJob()).id : (await loadJob('Name\nDone\n')).id;
    const res = await call('PATCH', `/jobs/ingest/${id}`, { state: target });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('INVALIDJOBSTATE');
  });

  it('refuses an unknown state value with API_ERROR', async () => {
    const job = await createJob();
    const res = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'Paused' });
    expect(JSON.parse(res.text)).toEqual(
      errorBody('API_ERROR', "Invalid value: 'Paused' supplied for property: 'state'"),
    );
  });

  it('shows counters advancing while InProgress and stops at the next batch when aborted', async () => {
    ingestSettings(org.emu.context).batchSize = 2;
    org.emu.context.faults.set({ processingMs: 40 });
    const job = await createJob();
    const rows = Array.from({ length: 10 }, (_, i) => `Progress ${i}`);
    await put(job.id, `Name\n${rows.join('\n')}\n`);
    await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    const seen: number[] = [];
    for (;;) {
      const info = JSON.parse((await call('GET', `/jobs/ingest/${job.id}`)).text);
      if (info.state === 'InProgress') seen.push(info.numberRecordsProcessed);
      if (info.numberRecordsProcessed >= 4) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen).toContain(2);
    const aborted = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'Aborted' });
    expect(JSON.parse(aborted.text).state).toBe('Aborted');
    await ingestService(org.emu.context).idle();
    const info = JSON.parse((await call('GET', `/jobs/ingest/${job.id}`)).text);
    const unprocessed = (await call('GET', `/jobs/ingest/${job.id}/unprocessedrecords`)).text
      .trim()
      .split('\n')
      .slice(1);
    const succeeded = (await call('GET', `/jobs/ingest/${job.id}/successfulResults`)).text
      .trim()
      .split('\n')
      .slice(1);
    expect(info.state).toBe('Aborted');
    expect(succeeded.length).toBe(info.numberRecordsProcessed);
    expect(unprocessed.length + succeeded.length).toBe(10);
    expect(unprocessed.length).toBeGreaterThan(0);
    expect(unprocessed[0]).toMatch(/^"Progress \d"$/);
  });

  it('refuses to abort a closed job when abortAfterUpload is off', async () => {
    org.emu.context.quirks.abortAfterUpload = false;
    org.emu.context.faults.set({ processingMs: 200 });
    const job = await createJob();
    await put(job.id, 'Name\nSlow\n');
    await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
    const res = await call('PATCH', `/jobs/ingest/${job.id}`, { state: 'Aborted' });
    expect(res.status).toBe(400);
    await waitFor(job.id);
  });
});

describe('results', () => {
  it('are refused until the job has finished (INVALIDJOBSTATE, a guess)', async () => {
    const job = await createJob();
    const res = await call('GET', `/jobs/ingest/${job.id}/successfulResults`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('INVALIDJOBSTATE');
  });

  it('are served as text/csv and gzip-compressed on Accept-Encoding: gzip', async () => {
    const { id } = await loadJob('Name\nZipped\n');
    const url = new URL(org.api(`/jobs/ingest/${id}/successfulResults/`));
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        request(url, { headers: { ...org.auth, 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      },
    );
    expect(headers['content-type']).toBe('text/csv; charset=UTF-8');
    expect(headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(body).toString()).toMatch(
      /^"sf__Id","sf__Created",Name\n"001\w{15}","true","Zipped"\n$/,
    );
  });

  it("serve a header line when empty, or an empty body with emptyResults 'empty'", async () => {
    const { id } = await loadJob('Name\nNo failures\n');
    expect((await call('GET', `/jobs/ingest/${id}/failedResults`)).text).toBe('"sf__Id","sf__Error",Name\n');
    org.emu.context.quirks.emptyResults = 'empty';
    expect((await call('GET', `/jobs/ingest/${id}/failedResults`)).text).toBe('');
  });

  it('disappear with the job after the 7-day retention', async () => {
    const { id } = await loadJob('Name\nOld\n');
    const realNow = org.emu.context.now;
    org.emu.context.now = () => new Date(realNow().getTime() + 8 * 24 * 3600 * 1000);
    try {
      expect((await call('GET', `/jobs/ingest/${id}`)).status).toBe(404);
      expect((await call('GET', `/jobs/ingest/${id}/successfulResults`)).status).toBe(404);
    } finally {
      org.emu.context.now = realNow;
    }
  });
});

describe('list and delete', () => {
  it('pages through all jobs with nextRecordsUrl and queryLocator', async () => {
    for (let i = 0; i < 3; i++) await createJob();
    const total = ingestService(org.emu.context).list().length;
    ingestSettings(org.emu.context).listPageSize = 2;
    const ids: string[] = [];
    let next: string | null = `${org.emu.url}/services/data/v62.0/jobs/ingest`;
    let pages = 0;
    while (next) {
      const page = JSON.parse(
        (await call('GET', next.startsWith('http') ? next : `${org.emu.url}${next}`)).text,
      );
      pages++;
      expect(page.records.length).toBeLessThanOrEqual(2);
      expect(page.done).toBe(page.nextRecordsUrl === null);
      if (page.nextRecordsUrl)
        expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/jobs\/ingest\?queryLocator=/);
      for (const job of page.records) {
        expect(job).not.toHaveProperty('numberRecordsProcessed');
        expect(job.jobType).toBe('V2Ingest');
        ids.push(job.id);
      }
      next = page.nextRecordsUrl;
    }
    expect(pages).toBe(Math.ceil(total / 2));
    expect(new Set(ids).size).toBe(total);
  });

  it('deletes a finished job with 204 and then answers 404', async () => {
    const { id } = await loadJob('Name\nDeleted job\n');
    const res = await call('DELETE', `/jobs/ingest/${id}`);
    expect(res).toMatchObject({ status: 204, text: '' });
    expect((await call('GET', `/jobs/ingest/${id}`)).status).toBe(404);
    expect((await call('GET', `/jobs/ingest/${id}/failedResults`)).status).toBe(404);
  });

  it('refuses to delete an Open job', async () => {
    const job = await createJob();
    const res = await call('DELETE', `/jobs/ingest/${job.id}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)[0].errorCode).toBe('INVALIDJOBSTATE');
  });
});

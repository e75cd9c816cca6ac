import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as collect } from '../../functions/collect-results/handler.ts';
import { handler as poll } from '../../functions/poll/handler.ts';
import { handler as report } from '../../functions/report/handler.ts';
import { resetConfig } from '../../functions/shared/config.ts';
import type {
  PartRef,
  PartState,
  RunInput,
  RunReport,
  SplitOutput,
  ValidationOutput,
} from '../../functions/shared/contracts.ts';
import { logger } from '../../functions/shared/powertools.ts';
import { resetS3Client } from '../../functions/shared/s3.ts';
import { createSalesforcePort, resetSalesforce } from '../../functions/shared/salesforce.ts';
import { handler as upload } from '../../functions/upload/handler.ts';
import { markerKey } from '../../functions/upload/upload-part.ts';
import { type LocalStack, startLocalStack } from '../../local/stack/index.ts';
import { localS3ClientConfig } from '../../local/stack/s3.ts';

type Invoke<I, O> = (event: I, context: Context) => Promise<O>;
const context = {
  functionName: 'polyload-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:polyload-test',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/polyload-test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;
const call = <I, O>(fn: unknown, event: I) => (fn as Invoke<I, O>)(structuredClone(event), context);

const event = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8'));

let stack: LocalStack;
let s3: S3Client;

beforeAll(async () => {
  stack = await startLocalStack({
    trigger: false,
    applyEnv: true,
    env: { MAX_RESUBMITS: '2', POLL_MAX_WAIT_SECONDS: '60' },
  });
  resetConfig();
  resetS3Client();
  resetSalesforce();
  logger.setLogLevel('WARN');
  s3 = new S3Client(localS3ClientConfig(stack.endpoints.s3));
  // The parents the tasks point at: one patient (Contact) and one prospect (Lead).
  const port = createSalesforcePort({
    loginUrl: stack.endpoints.salesforce,
    apiVersion: '62.0',
    auth: { mode: 'client-credentials', clientId: 'polyload-local', clientSecret: 'polyload-local-secret' },
  });
  for (const [object, csv] of [
    ['Contact', 'LastName,Patient_Id__c\nDoe,P-1\n'],
    ['Lead', 'LastName,Company,Prospect_Id__c\nRoe,Clinic,L-1\n'],
  ] as const) {
    const job = await port.createJob({ object, operation: 'insert' });
    await port.uploadJobData(job.id, Readable.from([csv]));
    await port.closeJob(job.id);
    while (!['JobComplete', 'Failed'].includes((await port.jobInfo(job.id)).state)) await sleep(20);
  }
});
afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const work = () => stack.s3.buckets.work;
const put = (bucket: string, key: string, body: string) =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv' }));
const read = async (bucket: string, key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString() ?? '';

/** Upload → (Wait) → Poll until done → Collect, as the Map iteration does, waits skipped. */
async function loadPart(start: PartState): Promise<PartState> {
  let state = await call<PartState, PartState>(upload, start);
  expect(state.job?.state).toBe('UploadComplete');
  expect(state.poll).toEqual({ attempt: 0, waitSeconds: 2 });
  for (let i = 0; !state.done; i++) {
    if (i > 200) throw new Error('job did not finish');
    await sleep(10);
    state = await call<PartState, PartState>(poll, state);
  }
  return call<PartState, PartState>(collect, state);
}

const runId = (suffix: string) => `care-tasks-${suffix}`;
function retarget<T extends { runId: string; key: string }>(part: T, id: string): T {
  return { ...part, runId: id, key: part.key.replace(/care-tasks-[0-9a-f]+/, id) };
}

describe('Upload, Poll, Collect and Report against s3rver and the emulator', () => {
  beforeEach(() => stack.emulator?.context.faults.set('lock=0,throttle=0'));

  it('loads both parts of events/report.json and accounts for every row in the run report', async () => {
    const id = runId('0000000000000000a001');
    const input = event<{ run: RunInput; validation: ValidationOutput; split: SplitOutput }>('report');
    const parts = input.split.parts.map((p) => retarget(p, id));
    const [contactPart, leadPart] = parts as [PartRef, PartRef];
    await put(
      work(),
      contactPart.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n' +
        '2,Call patient,Not Started,Normal,2026-01-05,P-1\n' +
        '3,"Review, plan",Completed,High,2026-01-06,P-1\n' +
        '5,Orphan,Not Started,Normal,2026-01-07,P-404\n',
    );
    await put(
      work(),
      leadPart.key,
      '__line,Subject,Status,Priority,ActivityDate,Lead:Who.Prospect_Id__c\n' +
        '6,Intro,Not Started,Normal,2026-01-08,L-1\n' +
        '7,Intro,Not Started,Normal,2026-01-08,L-1\n',
    );
    await put(stack.s3.buckets.landing, 'incoming/care-tasks/tasks.csv', 'source bytes');

    const contactDone = await loadPart({ part: contactPart });
    expect(contactDone.resubmit).toBeUndefined();
    expect(contactDone.apiCalls).toBeGreaterThanOrEqual(5);
    const succeeded = await read(work(), `staging/${id}/results/${contactPart.partId}-a0/succeeded.csv`);
    expect(succeeded.split('\n')[0]).toBe('line,object,operation,jobId,id,created');
    expect(
      succeeded
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[0]))
        .sort(),
    ).toEqual([2, 3]);
    const failed = await read(work(), `staging/${id}/results/${contactPart.partId}-a0/failed.csv`);
    expect(failed).toMatch(
      /^line,object,operation,jobId,errorCode,message,fields,attempts\n5,Task,insert,750\w+,INVALID_FIELD,/,
    );
    await loadPart({ part: leadPart });

    const run = {
      ...input.run,
      runId: id,
      source: { ...input.run.source, bucket: stack.s3.buckets.landing },
    };
    delete run.source.versionId;
    const result = await call<unknown, RunReport>(report, {
      run,
      validation: input.validation,
      split: { ...input.split, parts },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.counts).toEqual({ total: 6, succeeded: 4, failed: 1, rejected: 1, unprocessed: 0 });
    expect(result.jobs).toHaveLength(2);
    expect(result.apiCalls).toBeGreaterThan(10);
    expect(result.files).toMatchObject({
      succeeded: `runs/${id}/succeeded.csv`,
      failed: `runs/${id}/failed.csv`,
    });
    const merged = (await read(work(), `runs/${id}/succeeded.csv`)).trim().split('\n');
    expect(merged[0]).toBe('line,object,operation,jobId,id,created');
    expect(
      merged
        .slice(1)
        .map((l) => Number(l.split(',')[0]))
        .sort(),
    ).toEqual([2, 3, 6, 7]);
    expect(JSON.parse(await read(work(), `runs/${id}/report.json`))).toEqual(result);
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.s3.buckets.landing, Key: run.source.key }),
    );
    expect(tags.TagSet).toEqual(
      expect.arrayContaining([
        { Key: 'polyload-status', Value: 'SUCCEEDED' },
        { Key: 'polyload-run', Value: id },
      ]),
    );
  });

  it('resubmits rows that hit UNABLE_TO_LOCK_ROW as a new part and counts each row once', async () => {
    const id = runId('0000000000000000a002');
    const part = retarget(event<PartState>('upload').part, id);
    await put(
      work(),
      part.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n2,A,Not Started,Normal,2026-01-05,P-1\n3,B,Not Started,Normal,2026-01-05,P-1\n4,C,Not Started,Normal,2026-01-05,P-1\n',
    );
    stack.emulator?.context.faults.set('lock=1');
    const first = await loadPart({ part });
    expect(first.resubmit).toMatchObject({
      attempt: 1,
      rows: 3,
      key: `staging/${id}/parts/${part.partId}-a1.csv`,
    });
    // The state carries no column list: the resubmitted part's own header, copied from the part's, is it.
    expect(part).not.toHaveProperty('columns');
    expect(first.resubmit).not.toHaveProperty('columns');
    expect(await read(work(), first.resubmit?.key ?? '')).toBe(
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n2,A,Not Started,Normal,2026-01-05,P-1\n3,B,Not Started,Normal,2026-01-05,P-1\n4,C,Not Started,Normal,2026-01-05,P-1\n',
    );

    // Still locked on the second attempt, then the lock clears for the last one allowed (MAX_RESUBMITS=2).
    const second = await loadPart({ part: first.resubmit as PartRef });
    expect(second.resubmit?.attempt).toBe(2);
    stack.emulator?.context.faults.set('lock=0');
    const third = await loadPart({ part: second.resubmit as PartRef });
    expect(third.resubmit).toBeUndefined();

    const run: RunInput = { ...event<{ run: RunInput }>('report').run, runId: id };
    run.source = {
      bucket: stack.s3.buckets.landing,
      key: 'incoming/care-tasks/locks.csv',
      etag: 'e',
      size: 1,
    };
    await put(run.source.bucket, run.source.key, 'x');
    const result = await call<unknown, RunReport>(report, {
      run,
      validation: { total: 3, rejected: 0, mappingKey: 'm' },
      split: { parts: [part], manifestKey: 'm' },
    });
    expect(result.counts).toEqual({ total: 3, succeeded: 3, failed: 0, rejected: 0, unprocessed: 0 });
    expect(result.jobs.map((j) => j.state)).toEqual(['JobComplete', 'JobComplete', 'JobComplete']);
  });

  it('fails rows still locked after the last resubmission, with their reason and attempts', async () => {
    const id = runId('0000000000000000a003');
    const part = { ...retarget(event<PartState>('upload').part, id), attempt: 2, rows: 1 };
    part.key = `staging/${id}/parts/${part.partId}-a2.csv`;
    await put(
      work(),
      part.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n9,A,Not Started,Normal,2026-01-05,P-1\n',
    );
    stack.emulator?.context.faults.set('lock=1');
    const done = await loadPart({ part });
    expect(done.resubmit).toBeUndefined();
    const failed = await read(work(), `staging/${id}/results/${part.partId}-a2/failed.csv`);
    expect(failed.trim().split('\n')[1]).toMatch(/^9,Task,insert,750\w+,UNABLE_TO_LOCK_ROW,.*,3$/);
  });

  it('never creates a second job when Upload Part is retried', async () => {
    const id = runId('0000000000000000a004');
    const part = retarget(event<PartState>('upload').part, id);
    await put(
      work(),
      part.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n2,A,Not Started,Normal,2026-01-05,P-1\n',
    );
    const first = await call<PartState, PartState>(upload, { part });
    const again = await call<PartState, PartState>(upload, { part });
    expect(again.job?.id).toBe(first.job?.id);
    expect(JSON.parse(await read(work(), markerKey(id, part.partId, 0)))).toEqual({
      jobId: first.job?.id,
      stage: 'closed',
    });
  });

  it('aborts a half-uploaded job from an earlier try and loads the part in a fresh one', async () => {
    const id = runId('0000000000000000a005');
    const part = retarget(event<PartState>('upload').part, id);
    await put(
      work(),
      part.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n2,A,Not Started,Normal,2026-01-05,P-1\n',
    );
    const port = createSalesforcePort({
      loginUrl: stack.endpoints.salesforce,
      apiVersion: '62.0',
      auth: { mode: 'client-credentials', clientId: 'polyload-local', clientSecret: 'polyload-local-secret' },
    });
    const stale = await port.createJob({ object: 'Task', operation: 'insert' });
    await put(work(), markerKey(id, part.partId, 0), JSON.stringify({ jobId: stale.id, stage: 'created' }));
    const state = await call<PartState, PartState>(upload, { part });
    expect(state.job?.id).not.toBe(stale.id);
    expect((await port.jobInfo(stale.id)).state).toBe('Aborted');
  });

  it('reports a run that failed before Split: every row Validate did not reject is unprocessed, with the error', async () => {
    const id = runId('0000000000000000a006');
    const run: RunInput = {
      runId: id,
      pipeline: 'care-tasks',
      source: { bucket: stack.s3.buckets.landing, key: 'incoming/care-tasks/early.csv', etag: 'e', size: 1 },
      startedAt: new Date().toISOString(),
      maxConcurrency: 1,
    };
    await put(run.source.bucket, run.source.key, 'Subject,Who\nA,P-1\nB,P-2\nC,P-3\n');
    await put(
      work(),
      `runs/${id}/rejected.csv`,
      'line,column,value,rule,message\n3,Who,P-2,exists,unknown patient\n',
    );
    const result = await call<unknown, RunReport>(report, {
      ...event<Record<string, unknown>>('report-failure'),
      run,
      validation: { total: 3, rejected: 1, rejectedKey: `runs/${id}/rejected.csv`, mappingKey: 'm' },
      transform: undefined,
      split: undefined,
      failure: {
        Error: 'MappingError',
        Cause: JSON.stringify({ errorMessage: 'mapping broke', trace: ['secret stack'] }),
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toEqual({ name: 'MappingError', message: 'mapping broke' });
    expect(result.counts).toEqual({ total: 3, succeeded: 0, failed: 0, rejected: 1, unprocessed: 2 });
    const unprocessed = (await read(work(), `runs/${id}/unprocessed.csv`)).trim().split('\n');
    expect(unprocessed).toEqual([
      'line,object,operation,jobId,reason',
      '2,,,,Run failed: mapping broke',
      '4,,,,Run failed: mapping broke',
    ]);
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: run.source.bucket, Key: run.source.key }),
    );
    expect(tags.TagSet).toContainEqual({ Key: 'polyload-status', Value: 'FAILED' });
  });

  it('counts the rejects of a Validate that stopped on its threshold, and the rest as unprocessed', async () => {
    const id = runId('0000000000000000a008');
    const run: RunInput = {
      runId: id,
      pipeline: 'care-tasks',
      source: {
        bucket: stack.s3.buckets.landing,
        key: 'incoming/care-tasks/threshold.csv',
        etag: 'e',
        size: 1,
      },
      startedAt: new Date().toISOString(),
      maxConcurrency: 1,
    };
    await put(run.source.bucket, run.source.key, 'Subject,Who\nA,P-1\nB,\nC,\n');
    await put(
      work(),
      `runs/${id}/rejected.csv`,
      'line,column,value,rule,message\n3,Who,,required,missing\n4,Who,,required,missing\n4,Subject,C,x,y\n',
    );
    const result = await call<unknown, RunReport>(report, {
      run,
      failure: { Error: 'RejectThresholdError', Cause: '{"errorMessage":"2 of 3 rows rejected"}' },
    });
    expect(result.counts).toEqual({ total: 3, succeeded: 0, failed: 0, rejected: 2, unprocessed: 1 });
    expect(result.files.rejected).toBe(`runs/${id}/rejected.csv`);
  });

  it('reports a run that failed mid-load: parts without a summary are unprocessed line by line', async () => {
    const id = runId('0000000000000000a007');
    const part = retarget(event<PartState>('upload').part, id);
    await put(
      work(),
      part.key,
      '__line,Subject,Status,Priority,ActivityDate,Contact:Who.Patient_Id__c\n2,A,Not Started,Normal,2026-01-05,P-1\n3,B,Not Started,Normal,2026-01-05,P-1\n',
    );
    const run: RunInput = {
      runId: id,
      pipeline: 'care-tasks',
      source: { bucket: stack.s3.buckets.landing, key: 'incoming/care-tasks/mid.csv', etag: 'e', size: 1 },
      startedAt: new Date().toISOString(),
      maxConcurrency: 1,
    };
    await put(run.source.bucket, run.source.key, 'x');
    const result = await call<unknown, RunReport>(report, {
      run,
      validation: { total: 2, rejected: 0, mappingKey: 'm' },
      split: { parts: [part], manifestKey: 'm' },
      failure: { Error: 'SalesforceThrottledError', Cause: '{"errorMessage":"throttled"}' },
    });
    expect(result.counts).toEqual({ total: 2, succeeded: 0, failed: 0, rejected: 0, unprocessed: 2 });
    expect(await read(work(), `runs/${id}/unprocessed.csv`)).toContain(
      `2,Task,insert,,Run failed: throttled`,
    );
  });
});

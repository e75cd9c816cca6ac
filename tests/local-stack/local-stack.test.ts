import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack/index.ts';
import { localS3ClientConfig } from '../../local/stack/s3.ts';
import type { LambdaHandler } from '../../local/stack/step-functions.ts';

/** What the state machine keeps of a run report (its ResultSelector reads these). */
const runReport = (runId: string, status: string) => ({
  runId,
  status,
  counts: { total: 1, succeeded: 1, failed: 0, rejected: 0, unprocessed: 0 },
});

/** Stand-ins for the step handlers: this test is about the wiring, the lead's end-to-end tests run the real ones. */
const stepHandlers: Record<string, LambdaHandler> = {
  'Validate File': (async () => ({
    total: 1,
    rejected: 0,
    mappingKey: 'runs/x/mapping.yaml',
  })) as LambdaHandler,
  'Transform Rows': (async () => ({ groups: [] })) as LambdaHandler,
  'Split Into Parts': (async () => ({ parts: [], manifestKey: 'staging/x/manifest.json' })) as LambdaHandler,
  'Report Run': (async (input: { run: { runId: string } }) =>
    runReport(input.run.runId, 'SUCCEEDED')) as LambdaHandler,
  'Report Failure': (async (input: { run: { runId: string } }) =>
    runReport(input.run.runId, 'FAILED')) as LambdaHandler,
};

let stack: LocalStack;
let s3: S3Client;
const before = process.env.AWS_ENDPOINT_URL_SFN;

beforeAll(async () => {
  stack = await startLocalStack({
    applyEnv: true,
    stateMachine: {
      handlers: stepHandlers,
      realHandlers: false,
      waitTimeOverrides: 0,
      retryIntervalOverrides: 0,
    },
  });
  s3 = new S3Client(localS3ClientConfig(stack.endpoints.s3));
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('startLocalStack', () => {
  it('provides the environment the handlers read, pointing at loopback endpoints', () => {
    expect(stack.env).toMatchObject({
      WORK_BUCKET: 'polyload-work',
      SALESFORCE_PARAMETER_PATH: '/polyload/local/salesforce',
      SALESFORCE_API_VERSION: '62.0',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:polyload-pipeline',
      MAX_CONCURRENCY: '4',
      AWS_REGION: 'us-east-1',
    });
    for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SFN', 'AWS_ENDPOINT_URL_SSM']) {
      expect(stack.env[name]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(process.env[name]).toBe(stack.env[name]);
    }
    expect(stack.endpoints.salesforce).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('holds the emulator settings in SSM, the client secret as a SecureString', async () => {
    const ssm = new SSMClient({});
    try {
      const path = stack.env.SALESFORCE_PARAMETER_PATH;
      const login = await ssm.send(new GetParameterCommand({ Name: `${path}/login-url` }));
      expect(login.Parameter?.Value).toBe(stack.endpoints.salesforce);
      const secret = await ssm.send(
        new GetParameterCommand({ Name: `${path}/client-secret`, WithDecryption: true }),
      );
      expect(secret.Parameter).toMatchObject({ Type: 'SecureString', Value: 'polyload-local-secret' });
      const clientId = await ssm.send(new GetParameterCommand({ Name: `${path}/client-id` }));
      expect(clientId.Parameter?.Value).toBe('polyload-local');
    } finally {
      ssm.destroy();
    }
  });

  it('runs the real trigger on an upload under incoming/ and the state machine to completion', async () => {
    const key = 'incoming/patients/2024-05-01.csv';
    await s3.send(
      new PutObjectCommand({ Bucket: stack.s3.buckets.landing, Key: key, Body: 'Patient_Id__c\nP-1\n' }),
    );
    const { trigger, execution } = await stack.waitForRunOf(key, { timeoutMs: 20_000 });
    expect(trigger.error).toBeUndefined();
    expect(trigger.output?.outcome).toBe('started');
    // The trigger's RunInput must reach the states, which read it at `$.run` (ASL) — a mismatch
    // between the trigger's input and the definition fails here with States.Runtime.
    expect(execution?.error && `${execution.error}: ${execution.cause}`).toBeUndefined();
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.input).toContain(JSON.stringify(key));
    expect(execution?.input).toContain(JSON.stringify(execution?.name));
  });

  it('starts no second run when the same object version arrives again', async () => {
    const key = 'incoming/patients/again.csv';
    const put = () =>
      s3.send(
        new PutObjectCommand({ Bucket: stack.s3.buckets.landing, Key: key, Body: 'Patient_Id__c\nP-2\n' }),
      );
    await put();
    const first = await stack.waitForRunOf(key, { timeoutMs: 20_000 });
    await put();
    await stack.s3.idle();
    const second = stack.triggers.filter((record) => record.key === key).at(-1);
    expect(second?.output?.outcome).toBe('duplicate');
    expect(second?.output?.runId).toBe(first.trigger.output?.runId);
    expect(stack.stateMachine.listExecutions().filter((e) => e.name === first.execution?.name)).toHaveLength(
      1,
    );
  });

  it("waits for the run of this upload of a reused key, not an earlier upload's", async () => {
    const key = 'incoming/patients/reused.csv';
    const put = async (body: string) => {
      const { ETag } = await s3.send(
        new PutObjectCommand({ Bucket: stack.s3.buckets.landing, Key: key, Body: body }),
      );
      return (ETag ?? '').replace(/"/g, '');
    };
    await put('Patient_Id__c\nP-3\n');
    const first = await stack.waitForRunOf(key, { timeoutMs: 20_000 });
    // The first upload's run is recorded; the second's event has not reached the trigger yet.
    const secondEtag = await put('Patient_Id__c\nP-4\n');
    const second = await stack.waitForRunOf(key, { timeoutMs: 20_000 });
    expect(second.trigger.event.detail.object.etag).toBe(secondEtag);
    expect(second.trigger.output?.outcome).toBe('started');
    expect(second.execution?.name).toBe(second.trigger.output?.runId);
    expect(second.execution?.name).not.toBe(first.execution?.name);
  });

  it('waits for the upload with the ETag given, even when the key has changed since', async () => {
    const key = 'incoming/patients/by-etag.csv';
    const put = async (body: string) =>
      (await s3.send(new PutObjectCommand({ Bucket: stack.s3.buckets.landing, Key: key, Body: body }))).ETag;
    const earlier = await put('Patient_Id__c\nP-5\n');
    const later = await put('Patient_Id__c\nP-6\n');
    const [ofEarlier, ofLater] = await Promise.all([
      stack.waitForRunOf(key, { etag: earlier as string, timeoutMs: 20_000 }),
      stack.waitForRunOf(key, { timeoutMs: 20_000 }),
    ]);
    expect(`"${ofEarlier.trigger.event.detail.object.etag}"`).toBe(earlier);
    expect(`"${ofLater.trigger.event.detail.object.etag}"`).toBe(later);
    expect(ofEarlier.execution?.name).not.toBe(ofLater.execution?.name);
  });

  it('puts process.env back as it was on stop', async () => {
    const other = await startLocalStack({ applyEnv: true, trigger: false });
    expect(process.env.AWS_ENDPOINT_URL_SFN).toBe(other.env.AWS_ENDPOINT_URL_SFN);
    await other.stop();
    expect(process.env.AWS_ENDPOINT_URL_SFN).toBe(stack.env.AWS_ENDPOINT_URL_SFN);
    expect(before).toBeUndefined();
  });
});

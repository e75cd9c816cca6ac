import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SalesforceAuthError,
  SalesforceRequestError,
  SalesforceThrottledError,
  SalesforceUnavailableError,
} from '../../functions/shared/errors.ts';
import type { SalesforceSettings } from '../../functions/shared/salesforce/auth.ts';
import {
  createSalesforcePort,
  resetSalesforce,
  type SalesforceAdapter,
} from '../../functions/shared/salesforce.ts';
import type { IngestJobInfo } from '../../functions/shared/salesforce-port.ts';
import { defaultConnectedApps } from '../../local/emulator/auth/connected-apps.ts';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    apps: [...defaultConnectedApps(), { clientId: 'polyload-jwt', jwtCertificate: publicPem }],
  });
});
afterAll(async () => {
  await emu?.stop();
});

const clientCredentials = (): SalesforceSettings => ({
  loginUrl: emu.url,
  apiVersion: '62.0',
  auth: { mode: 'client-credentials', clientId: 'polyload-local', clientSecret: 'polyload-local-secret' },
});

async function waitForJob(port: SalesforceAdapter, id: string): Promise<IngestJobInfo> {
  for (let i = 0; i < 200; i++) {
    const info = await port.jobInfo(id);
    if (['JobComplete', 'Failed', 'Aborted'].includes(info.state)) return info;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('Salesforce adapter against the emulator', () => {
  it('loads a streamed CSV through an ingest job and streams its results (client credentials)', async () => {
    resetSalesforce();
    const port = createSalesforcePort(clientCredentials());
    const job = await port.createJob({ object: 'Account', operation: 'insert' });
    expect(job.state).toBe('Open');
    expect(job.id).toMatch(/^750/);
    await port.uploadJobData(
      job.id,
      Readable.from(['Name,AnnualRevenue\n', 'Acme,912260031\n', 'Globex,12\n']),
    );
    expect((await port.closeJob(job.id)).state).toBe('UploadComplete');
    const done = await waitForJob(port, job.id);
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 0 });
    const succeeded = await text(await port.results(job.id, 'successfulResults'));
    expect(succeeded.split('\n')[0]).toContain('sf__Id');
    expect(succeeded).toContain('Acme');
    expect(await text(await port.results(job.id, 'failedResults'))).toContain('sf__Error');
    expect(port.apiCalls()).toBeGreaterThanOrEqual(7);
    expect(port.apiUsage()?.limit).toBe(15_000);
  });

  it('describes an object into the pipeline shape', async () => {
    const port = createSalesforcePort(clientCredentials());
    const task = await port.describe('Task');
    const who = task.fields.find((f) => f.name === 'WhoId');
    expect(who?.referenceTo.sort()).toEqual(['Contact', 'Lead']);
    expect(who?.relationshipName).toBe('Who');
  });

  it('signs in with a JWT bearer assertion signed by the registered key', async () => {
    const port = createSalesforcePort({
      loginUrl: emu.url,
      apiVersion: '62.0',
      auth: {
        mode: 'jwt',
        clientId: 'polyload-jwt',
        username: 'integration@polyload.local',
        privateKey: privatePem,
        audience: emu.url,
      },
    });
    const job = await port.createJob({ object: 'Account', operation: 'insert' });
    expect((await port.abortJob(job.id)).state).toBe('Aborted');
  });

  it('refuses a JWT signed by a key the connected app does not know, as SalesforceAuthError', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const port = createSalesforcePort({
      loginUrl: emu.url,
      apiVersion: '62.0',
      auth: {
        mode: 'jwt',
        clientId: 'polyload-jwt',
        username: 'integration@polyload.local',
        privateKey: String(stranger),
        audience: emu.url,
      },
    });
    await expect(port.createJob({ object: 'Account', operation: 'insert' })).rejects.toBeInstanceOf(
      SalesforceAuthError,
    );
  });

  it('refuses a wrong client secret as SalesforceAuthError', async () => {
    const settings = clientCredentials();
    settings.auth = { mode: 'client-credentials', clientId: 'polyload-local', clientSecret: 'wrong' };
    settings.loginUrl = emu.url.replace('127.0.0.1', 'localhost');
    await expect(createSalesforcePort(settings).jobInfo('750000000000000AAA')).rejects.toBeInstanceOf(
      SalesforceAuthError,
    );
  });

  it('re-mints an expired token transparently and keeps going', async () => {
    const port = createSalesforcePort(clientCredentials());
    const job = await port.createJob({ object: 'Account', operation: 'insert' });
    (emu.context.sessions as unknown as { expireAll(): void }).expireAll();
    expect((await port.jobInfo(job.id)).state).toBe('Open');
    (emu.context.sessions as unknown as { expireAll(): void }).expireAll();
    await port.abortJob(job.id);
    (emu.context.sessions as unknown as { expireAll(): void }).expireAll();
    await expect(text(await port.results(job.id, 'unprocessedrecords'))).resolves.toBeTypeOf('string');
  });

  it('refuses to replay an upload whose session expired mid-way, as a retryable error, and recovers after', async () => {
    const port = createSalesforcePort(clientCredentials());
    const job = await port.createJob({ object: 'Account', operation: 'insert' });
    (emu.context.sessions as unknown as { expireAll(): void }).expireAll();
    await expect(port.uploadJobData(job.id, Readable.from(['Name\n', 'Acme\n']))).rejects.toBeInstanceOf(
      SalesforceUnavailableError,
    );
    // The retried Upload step aborts that job and makes a new one; the session renews on the way.
    expect((await port.abortJob(job.id)).state).toBe('Aborted');
  });

  it('maps injected server errors on a job creation to a retryable named error', async () => {
    const port = createSalesforcePort(clientCredentials());
    await port.describe('Account');
    emu.context.faults.set('http5xx=1');
    try {
      const error = await port.createJob({ object: 'Account', operation: 'insert' }).catch((e: unknown) => e);
      expect(
        [SalesforceThrottledError, SalesforceUnavailableError].some((type) => error instanceof type),
      ).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(Error);
    } finally {
      emu.context.faults.set('http5xx=0');
    }
  });

  it('turns REQUEST_LIMIT_EXCEEDED into SalesforceThrottledError and reports it', async () => {
    const port = createSalesforcePort(clientCredentials());
    let throttled = 0;
    port.onThrottled(() => throttled++);
    await port.describe('Account');
    emu.context.faults.set('throttle=1');
    try {
      await expect(port.createJob({ object: 'Account', operation: 'insert' })).rejects.toBeInstanceOf(
        SalesforceThrottledError,
      );
      await expect(port.jobInfo('750000000000000AAA')).rejects.toBeInstanceOf(SalesforceThrottledError);
      expect(throttled).toBe(2);
    } finally {
      emu.context.faults.set('throttle=0');
    }
  });

  it('reports an unknown job as SalesforceRequestError', async () => {
    const port = createSalesforcePort(clientCredentials());
    await expect(port.jobInfo('750000000000000AAA')).rejects.toBeInstanceOf(SalesforceRequestError);
  });

  it('reads API usage from /limits', async () => {
    const port = createSalesforcePort(clientCredentials());
    const usage = await port.fetchApiUsage();
    expect(usage.limit).toBe(15_000);
    expect(usage.used).toBeGreaterThan(0);
  });
});

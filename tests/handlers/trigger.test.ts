import { readFileSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../functions/shared/config.ts';
import { logger } from '../../functions/shared/powertools.ts';
import { resetS3Client } from '../../functions/shared/s3.ts';
import { handler, type ObjectCreatedEvent, type TriggerOutput } from '../../functions/trigger/handler.ts';
import { runIdFor } from '../../functions/trigger/run-id.ts';
import { type LocalStack, startLocalStack } from '../../local/stack/index.ts';
import { localS3ClientConfig } from '../../local/stack/s3.ts';

const context = {
  functionName: 'polyload-trigger',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
const invoke = (event: ObjectCreatedEvent) =>
  (handler as unknown as (e: ObjectCreatedEvent, c: Context) => Promise<TriggerOutput>)(
    structuredClone(event),
    context,
  );

let stack: LocalStack;
let template: ObjectCreatedEvent;

beforeAll(async () => {
  stack = await startLocalStack({ trigger: false, applyEnv: true });
  resetConfig();
  resetS3Client();
  logger.setLogLevel('WARN');
  template = JSON.parse(
    readFileSync(new URL('../../events/s3-object-created.json', import.meta.url), 'utf8'),
  );
  template.detail.bucket.name = stack.s3.buckets.landing;
});
afterAll(async () => {
  await stack?.stop();
});

describe('Trigger', () => {
  it('starts one execution per object version, named by the run id, however often the event comes', async () => {
    const event = structuredClone(template);
    const key = event.detail.object.key;
    await new S3Client(localS3ClientConfig(stack.endpoints.s3)).send(
      new PutObjectCommand({ Bucket: stack.s3.buckets.landing, Key: key, Body: 'Subject\nA\n' }),
    );
    const first = await invoke(event);
    expect(first.outcome).toBe('started');
    expect(first.runId).toBe(
      runIdFor('care-tasks', {
        bucket: stack.s3.buckets.landing,
        key,
        versionId: event.detail.object['version-id'],
        etag: event.detail.object.etag ?? '',
      }),
    );
    await invoke(event);
    const execution = await stack.waitForExecution(first.runId ?? '', { timeoutMs: 30_000 });
    expect(JSON.parse(execution.input ?? '{}').run).toMatchObject({
      runId: first.runId,
      pipeline: 'care-tasks',
      source: { bucket: stack.s3.buckets.landing, key, versionId: event.detail.object['version-id'] },
      startedAt: '2025-06-02T09:15:27.000Z',
      maxConcurrency: 4,
    });
    // Redelivered after the run ended: the name is taken, nothing starts.
    expect((await invoke(event)).outcome).toBe('duplicate');
    expect(stack.stateMachine.listExecutions().filter((e) => e.name === first.runId)).toHaveLength(1);
  });

  it('ignores objects outside incoming/<pipeline>/ and files that are not CSV', async () => {
    const before = stack.stateMachine.listExecutions().length;
    for (const key of ['incoming/care-tasks/notes.txt', 'incoming/loose.csv', 'archive/care-tasks/a.csv']) {
      const event = structuredClone(template);
      event.detail.object.key = key;
      expect(await invoke(event)).toEqual({ outcome: 'ignored' });
    }
    expect(stack.stateMachine.listExecutions()).toHaveLength(before);
  });
});

/**
 * Jobs that end without loading their rows, from a landing-bucket upload: a job Salesforce fails
 * because the org's daily Bulk API allocation ran out (shared with every other integration, so it
 * can run out mid-file), and a job an administrator aborts from Setup while it runs. The run must fail
 * with a report that names the job's error and puts every row of that job in unprocessed.csv.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PartRef, PartState } from '../../functions/shared/contracts.ts';
import { DAILY_BULK_BATCHES, type EmulatorApiLimits } from '../../local/emulator/limits.ts';
import { importRealHandler, type LambdaHandler } from '../../local/stack/step-functions.ts';
import {
  API_VERSION,
  CARE_TASKS_MAPPING,
  type E2eStack,
  expectEveryRowAccountedFor,
  expectTasksLandedAsFileSaid,
  landedTasks,
  putMapping,
  readText,
  runFile,
  startE2eStack,
  taskRows,
  tasksCsv,
} from './helpers.ts';

const QUOTA_MESSAGE = 'ExceededQuota : The daily Bulk API batch or record allocation is exhausted';

let beforePoll: ((state: PartState) => Promise<void>) | undefined;
let e2e: E2eStack;
const limits = () => e2e.emulator.context.limits as EmulatorApiLimits;

beforeAll(async () => {
  e2e = await startE2eStack({
    env: { MAX_PART_RECORDS: '40' },
    // One part at a time, so which job the last allocation goes to is the first part's.
    maxConcurrency: 1,
    handlers: {
      'Poll Job': (async (event: PartState, context: never) => {
        await beforePoll?.(event);
        return (await importRealHandler('polyload-poll'))(event as never, context);
      }) as unknown as LambdaHandler,
    },
  });
});
afterEach(() => {
  beforePoll = undefined;
  limits().reset();
  e2e.emulator.context.faults.set('processingMs=1');
});
afterAll(async () => {
  await e2e?.stop();
});

async function partsOf(runId: string): Promise<PartRef[]> {
  const manifest = JSON.parse(
    await readText(e2e, e2e.stack.s3.buckets.work, `staging/${runId}/manifest.json`),
  ) as { parts: PartRef[] } | PartRef[];
  return Array.isArray(manifest) ? manifest : manifest.parts;
}

describe('a job that ends Failed', () => {
  it('fails the run with the job errorMessage and every row of the failed jobs unprocessed', async () => {
    const pipeline = 'care-tasks-quota';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('QUOTA', 120);
    // Other integrations have used all but one internal batch of today's allocation: the first
    // job gets it, every later job fails at processing time (nothing preflight could have seen).
    for (let used = 0; used < DAILY_BULK_BATCHES - 1; used++) limits().recordBatch(0);
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));

    expect(outcome.execution.status).toBe('FAILED');
    const { report } = outcome;
    expect(report.status).toBe('FAILED');
    const completed = report.jobs.filter((j) => j.state === 'JobComplete');
    const failed = report.jobs.filter((j) => j.state === 'Failed');
    expect(completed).toHaveLength(1);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length + completed.length).toBe(report.jobs.length);
    for (const job of failed) expect(job).toMatchObject({ recordsProcessed: 0, recordsFailed: 0 });
    expect(report.error?.name).toBe('JobFailed');
    expect(report.error?.message).toContain(QUOTA_MESSAGE);
    expect(failed.map((j) => j.id)).toContainEqual(report.error?.message.match(/Job (\w+)/)?.[1]);

    const succeeded = completed[0]?.recordsProcessed ?? 0;
    expect(report.counts).toEqual({
      total: 120,
      succeeded,
      failed: 0,
      rejected: 0,
      unprocessed: 120 - succeeded,
    });
    expectEveryRowAccountedFor(outcome, 120);

    // Each failed job's part is in unprocessed.csv whole, with the job's errorMessage as the reason.
    const parts = await partsOf(outcome.runId);
    expect(parts).toHaveLength(report.jobs.length);
    for (const job of failed) {
      const unprocessed = outcome.files.unprocessed.filter((r) => r.jobId === job.id);
      expect(unprocessed.length).toBeGreaterThan(0);
      expect(parts.map((p) => p.rows)).toContain(unprocessed.length);
      for (const row of unprocessed)
        expect(row).toMatchObject({ object: 'Task', operation: 'upsert', reason: QUOTA_MESSAGE });
    }
    expect(outcome.files.unprocessed.every((r) => failed.some((j) => j.id === r.jobId))).toBe(true);
    // Only the completed job's rows are in the org.
    expect((await landedTasks(e2e, 'QUOTA')).size).toBe(succeeded);
    await expectTasksLandedAsFileSaid(e2e, 'QUOTA', rows, outcome);
  });
});

describe('a job aborted from Setup while it runs', () => {
  it('fails the run naming the aborted job, its rows unprocessed and none in the org', async () => {
    const pipeline = 'care-tasks-abort';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('ABORT', 30, { leadEvery: 0 });
    // Slow processing keeps the job open to an abort between Upload Part and the first Poll.
    e2e.emulator.context.faults.set('processingMs=400');
    const aborted: string[] = [];
    beforePoll = async (state) => {
      const jobId = state.job?.id;
      if (!jobId || aborted.includes(jobId)) return;
      aborted.push(jobId);
      const conn = await e2e.connection();
      await conn.request({
        method: 'PATCH',
        url: `/services/data/v${API_VERSION}/jobs/ingest/${jobId}`,
        body: JSON.stringify({ state: 'Aborted' }),
        headers: { 'Content-Type': 'application/json' },
      });
    };
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));

    expect(outcome.execution.status).toBe('FAILED');
    expect(aborted).toHaveLength(1);
    expect(outcome.report).toMatchObject({
      status: 'FAILED',
      counts: { total: 30, succeeded: 0, failed: 0, rejected: 0, unprocessed: 30 },
      jobs: [{ id: aborted[0], state: 'Aborted' }],
      error: {
        name: 'JobFailed',
        message: expect.stringContaining(`Job ${aborted[0]} (upsert Task) ended Aborted`),
      },
    });
    expectEveryRowAccountedFor(outcome, 30);
    for (const row of outcome.files.unprocessed)
      expect(row).toMatchObject({ jobId: aborted[0], reason: expect.stringMatching(/Aborted/) });
    expect((await landedTasks(e2e, 'ABORT')).size).toBe(0);
  });
});

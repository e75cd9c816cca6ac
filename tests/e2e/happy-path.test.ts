/**
 * A care-task file from an S3 upload to Tasks in the org: the real trigger, the real ASL and the real
 * handlers, checked against the records (SOQL) and against the result files read back from S3.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../functions/shared/contracts.ts';
import type { TriggerRecord } from '../../local/stack/index.ts';
import type { ObjectCreatedEvent } from '../../local/stack/s3.ts';
import { createLambdaInvoker, importRealHandler } from '../../local/stack/step-functions.ts';
import {
  CARE_TASKS_MAPPING,
  type E2eStack,
  expectEveryRowAccountedFor,
  expectTasksLandedAsFileSaid,
  ingestJobs,
  landedTasks,
  putMapping,
  readResultFiles,
  readText,
  runFile,
  startE2eStack,
  taskRows,
  tasksCsv,
  uploadSource,
} from './helpers.ts';

/** Small parts, so a few hundred rows make several parts and jobs per polymorphic target. */
const MAX_PART_RECORDS = 40;

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack({ env: { MAX_PART_RECORDS: String(MAX_PART_RECORDS) } });
});
afterAll(async () => {
  await e2e?.stop();
});

describe('a clean care-task file uploaded to the landing bucket', () => {
  const pipeline = 'care-tasks-happy';
  const rows = taskRows('HAPPY', 300);
  let outcome: Awaited<ReturnType<typeof runFile>>;

  beforeAll(async () => {
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    outcome = await runFile(e2e, pipeline, 'tasks-2026-01.csv', tasksCsv(rows));
  });

  it('runs to a SUCCEEDED execution and report with every row succeeded', () => {
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(outcome.report).toMatchObject({
      runId: outcome.runId,
      status: 'SUCCEEDED',
      pipeline,
      source: { bucket: e2e.stack.s3.buckets.landing, key: outcome.key },
      counts: { total: 300, succeeded: 300, failed: 0, rejected: 0, unprocessed: 0 },
    });
    expect(outcome.report.error).toBeUndefined();
    expect(outcome.report.apiCalls).toBeGreaterThan(0);
    expectEveryRowAccountedFor(outcome, rows.length);
  });

  it('loads Contact and Lead targets in separate jobs, each part within MAX_PART_RECORDS', async () => {
    const leads = rows.filter((r) => r.who_type === 'prospect').length;
    const expectedJobs = Math.ceil(leads / MAX_PART_RECORDS) + Math.ceil((300 - leads) / MAX_PART_RECORDS);
    const { jobs } = outcome.report;
    expect(jobs).toHaveLength(expectedJobs);
    for (const job of jobs) {
      expect(job).toMatchObject({
        object: 'Task',
        operation: 'upsert',
        state: 'JobComplete',
        recordsFailed: 0,
      });
      expect(job.recordsProcessed).toBeLessThanOrEqual(MAX_PART_RECORDS);
    }
    expect(jobs.reduce((sum, job) => sum + job.recordsProcessed, 0)).toBe(300);
    // Exactly the jobs the report names exist in the org: no job was created twice.
    const inOrg = (await ingestJobs(e2e)).map((j) => j.id);
    expect(inOrg.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('lands every Task with the Who type the row asked for and the practice as What', async () => {
    await expectTasksLandedAsFileSaid(e2e, 'HAPPY', rows, outcome);
    const tasks = await landedTasks(e2e, 'HAPPY');
    const whoTypes = [...tasks.values()].map((t) => t.Who?.Type);
    expect(whoTypes.filter((t) => t === 'Lead')).toHaveLength(100);
    expect(whoTypes.filter((t) => t === 'Contact')).toHaveLength(200);
  });

  it('maps each succeeded.csv line to the record created from that line', () => {
    const lines = outcome.files.succeeded.map((r) => Number(r.line));
    expect(new Set(lines).size).toBe(300);
    const jobIds = new Set(outcome.report.jobs.map((j) => j.id));
    for (const row of outcome.files.succeeded) {
      expect(jobIds.has(row.jobId ?? '')).toBe(true);
      expect(row.id).toMatch(/^00T[0-9A-Za-z]{15}$/);
      expect(row.created).toBe('true');
    }
  });
});

describe('the same object arriving more than once', () => {
  const pipeline = 'care-tasks-dup';
  const rows = taskRows('DUP', 120);
  const key = `incoming/${pipeline}/tasks.csv`;
  /** EventBridge delivers at least once: the same event may reach the trigger again, even concurrently. */
  const redeliver = createLambdaInvoker({
    functionName: 'polyload-trigger',
    resolve: () => importRealHandler('polyload-trigger'),
    timeoutMs: 30_000,
  }) as (event: ObjectCreatedEvent, context?: Context) => Promise<{ outcome: string; runId?: string }>;

  beforeAll(async () => {
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
  });

  it('starts one execution when identical bytes are uploaded twice while the run is going', async () => {
    const jobsBefore = (await ingestJobs(e2e)).length;
    const csv = tasksCsv(rows);
    // Two PUTs of the same bytes: s3rver emits two ObjectCreated events with the same ETag.
    await uploadSource(e2e, key, csv);
    await uploadSource(e2e, key, csv);
    await e2e.stack.s3.idle();
    const triggered = e2e.stack.triggers.filter((t) => t.key === key);
    expect(triggered).toHaveLength(2);
    const runIds = new Set(triggered.map((t) => t.output?.runId));
    expect(runIds.size).toBe(1);
    const runId = [...runIds][0] as string;
    const execution = await e2e.stack.waitForExecution(runId, { timeoutMs: 50_000 });
    expect(triggered.map((t) => t.error)).toEqual([undefined, undefined]);
    // The second start is refused (a different event time makes a different input) or, with an
    // identical input while the first runs, answered with the same execution: either way one run.
    const arns = triggered.flatMap((t) => (t.output?.executionArn ? [t.output.executionArn] : []));
    expect(new Set(arns).size).toBe(1);
    expect(triggered.map((t) => t.output?.outcome)).toContain('started');
    expect(e2e.stack.stateMachine.listExecutions().filter((e) => e.name === runId)).toHaveLength(1);
    expect(execution.status).toBe('SUCCEEDED');

    const report = JSON.parse(
      await readText(e2e, e2e.stack.s3.buckets.work, `runs/${runId}/report.json`),
    ) as RunReport;
    expect(report.counts).toEqual({ total: 120, succeeded: 120, failed: 0, rejected: 0, unprocessed: 0 });
    const files = await readResultFiles(e2e, report);
    expectEveryRowAccountedFor(
      { runId, key, trigger: triggered[0] as TriggerRecord, execution, report, files },
      120,
    );
    expect((await ingestJobs(e2e)).length - jobsBefore).toBe(report.jobs.length);
    expect((await landedTasks(e2e, 'DUP')).size).toBe(120);
  });

  it("starts nothing when the finished run's event is delivered again, twice at once", async () => {
    const first = e2e.stack.triggers.find((t) => t.key === key);
    if (!first?.output?.runId) throw new Error('the previous test started a run');
    const executionsBefore = e2e.stack.stateMachine.listExecutions().length;
    const jobsBefore = (await ingestJobs(e2e)).length;
    const again = await Promise.all([redeliver(first.event), redeliver(first.event)]);
    expect(again).toEqual([
      { outcome: 'duplicate', runId: first.output?.runId },
      { outcome: 'duplicate', runId: first.output?.runId },
    ]);
    expect(e2e.stack.stateMachine.listExecutions()).toHaveLength(executionsBefore);
    expect((await ingestJobs(e2e)).length).toBe(jobsBefore);
  });

  it('starts a new run when the object at the same key changes', async () => {
    const changed = rows.map((r) => (r.task_id === 'DUP-00001' ? { ...r, subject: 'Changed subject' } : r));
    const first = e2e.stack.triggers.find((t) => t.key === key);
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(changed));
    expect(outcome.trigger.output?.outcome).toBe('started');
    expect(outcome.runId).not.toBe(first?.output?.runId);
    expect(outcome.report.status).toBe('SUCCEEDED');
    expectEveryRowAccountedFor(outcome, 120);
    // Upserted by External_Id__c: the same 120 Tasks, not 240.
    expect((await landedTasks(e2e, 'DUP')).size).toBe(120);
  });
});

/**
 * Salesforce misbehaving mid-run, from a landing-bucket upload to the records: throttling and server
 * errors retried by the state machine, sessions that expire between steps, and rows locked by other
 * transactions resubmitted as new jobs. Faults come from the emulator's seeded fault injection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESUBMITS_CEILING } from '../../functions/shared/config.ts';
import type { PartSummary, RunReport, SplitOutput } from '../../functions/shared/contracts.ts';
import type { EmulatorSessionStore } from '../../local/emulator/auth/sessions.ts';
import { importRealHandler, type LambdaHandler } from '../../local/stack/step-functions.ts';
import {
  CARE_TASKS_MAPPING,
  type E2eStack,
  expectEveryRowAccountedFor,
  expectTasksLandedAsFileSaid,
  ingestJobs,
  putMapping,
  readText,
  runFile,
  startE2eStack,
  taskRows,
  tasksCsv,
} from './helpers.ts';

/** Runs before the real handler of a step, as if time passed between two states. */
const beforeStep = new Map<string, () => void>();
function betweenSteps(stateName: string, functionName: string): LambdaHandler {
  return (async (event: never, context) => {
    beforeStep.get(stateName)?.();
    const real = await importRealHandler(functionName);
    return real(event, context);
  }) as LambdaHandler;
}

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack({
    // The largest resubmission budget config.ts accepts: with lock=0.2 a row still locked after 6 jobs
    // is 0.2^6 ≈ 6e-5 (and the faults are seeded).
    env: { MAX_PART_RECORDS: '30', MAX_RESUBMITS: String(MAX_RESUBMITS_CEILING) },
    handlers: {
      'Upload Part': betweenSteps('Upload Part', 'polyload-upload'),
      'Poll Job': betweenSteps('Poll Job', 'polyload-poll'),
      'Collect Results': betweenSteps('Collect Results', 'polyload-collect-results'),
    },
  });
});
afterEach(() => {
  e2e.emulator.context.faults.set('throttle=0,http5xx=0,lock=0');
  beforeStep.clear();
});
afterAll(async () => {
  await e2e?.stop();
});

/** Lambda failures recorded in the execution's history and its part (child) executions, by error. */
function lambdaFailures(executionArn: string): Map<string, number> {
  const history = e2e.stack.stateMachine.getExecutionHistory(executionArn);
  const failures = new Map<string, number>();
  for (const event of [...history.events, ...history.children.flatMap((c) => c.events)]) {
    if (event.type !== 'LambdaFunctionFailed') continue;
    const error = String(event.details?.error);
    failures.set(error, (failures.get(error) ?? 0) + 1);
  }
  return failures;
}

async function partsOf(report: RunReport): Promise<SplitOutput['parts']> {
  const manifest = JSON.parse(
    await readText(e2e, e2e.stack.s3.buckets.work, `staging/${report.runId}/manifest.json`),
  ) as { parts: SplitOutput['parts'] } | SplitOutput['parts'];
  return Array.isArray(manifest) ? manifest : manifest.parts;
}

/** Collect Results' summary of every attempt of every part (staging/<runId>/summaries/). */
async function attemptsOf(report: RunReport, parts: SplitOutput['parts']): Promise<PartSummary[]> {
  const found: PartSummary[] = [];
  for (const part of parts) {
    for (let attempt = 0; ; attempt++) {
      const key = `staging/${report.runId}/summaries/${part.partId}-a${attempt}.json`;
      const text = await readText(e2e, e2e.stack.s3.buckets.work, key).catch(() => undefined);
      if (text === undefined) break;
      found.push(JSON.parse(text) as PartSummary);
    }
  }
  return found;
}

describe('throttling and server errors', () => {
  it('retries REQUEST_LIMIT_EXCEEDED in the state machine and lands every row', async () => {
    const pipeline = 'care-tasks-throttle';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('THROT', 150);
    // Set after the mapping is stored: the emulator's faults do not touch S3.
    e2e.emulator.context.faults.set('throttle=0.2,seed=5');
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
    e2e.emulator.context.faults.set('throttle=0');

    expect(outcome.execution.status, JSON.stringify(outcome.report.error)).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 150,
      succeeded: 150,
      failed: 0,
      rejected: 0,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 150);
    // The retries really happened, and by the state machine: each is a failed Lambda attempt in the history.
    const failures = lambdaFailures(outcome.execution.executionArn);
    expect(failures.get('SalesforceThrottledError') ?? 0).toBeGreaterThanOrEqual(3);
    expect([...failures.keys()]).toEqual(['SalesforceThrottledError']);
    await expectTasksLandedAsFileSaid(e2e, 'THROT', rows, outcome);
    // A throttled Upload that is retried creates no second job for its part.
    const parts = await partsOf(outcome.report);
    expect(outcome.report.jobs).toHaveLength(parts.length);
  });

  it('retries 5xx answers (SERVER_UNAVAILABLE, UNKNOWN_EXCEPTION) and lands every row', async () => {
    const pipeline = 'care-tasks-5xx';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('FIVE', 120);
    e2e.emulator.context.faults.set('http5xx=0.2,seed=11');
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
    e2e.emulator.context.faults.set('http5xx=0');

    expect(outcome.execution.status, JSON.stringify(outcome.report.error)).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 120,
      succeeded: 120,
      failed: 0,
      rejected: 0,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 120);
    const failures = lambdaFailures(outcome.execution.executionArn);
    const retried =
      (failures.get('SalesforceUnavailableError') ?? 0) + (failures.get('SalesforceThrottledError') ?? 0);
    expect(retried).toBeGreaterThan(0);
    await expectTasksLandedAsFileSaid(e2e, 'FIVE', rows, outcome);
  });
});

describe('sessions that expire mid-run', () => {
  it('gets a new token when every session expires before each Upload, Poll and Collect', async () => {
    const pipeline = 'care-tasks-session';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('SESS', 90);
    const sessions = e2e.emulator.context.sessions as EmulatorSessionStore;
    const staleToken = (await e2e.connection()).accessToken ?? '';
    let expiries = 0;
    const expire = () => {
      expiries++;
      sessions.expireAll();
    };
    for (const step of ['Upload Part', 'Poll Job', 'Collect Results']) beforeStep.set(step, expire);

    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
    beforeStep.clear();

    // Without a refresh on INVALID_SESSION_ID the first Upload would fail (SalesforceAuthError is
    // not retried) and the run with it.
    expect(outcome.execution.status, JSON.stringify(outcome.report.error)).toBe('SUCCEEDED');
    expect(outcome.report.status).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 90,
      succeeded: 90,
      failed: 0,
      rejected: 0,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 90);
    const parts = await partsOf(outcome.report);
    expect(expiries).toBeGreaterThanOrEqual(3 * parts.length);
    expect(sessions.get(staleToken), 'sessions really were expired').toBeUndefined();
    // The refresh happened inside the steps: no step failed on authentication.
    expect(lambdaFailures(outcome.execution.executionArn).get('SalesforceAuthError')).toBeUndefined();
    await expectTasksLandedAsFileSaid(e2e, 'SESS', rows, outcome);
  });
});

describe('rows locked by other transactions', () => {
  it('resubmits UNABLE_TO_LOCK_ROW rows as new jobs until they land, each counted once', async () => {
    const pipeline = 'care-tasks-lock';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('LOCK', 150);
    const jobsBefore = (await ingestJobs(e2e)).length;
    // Which rows lock depends on how concurrent jobs interleave, so the ratio is kept low enough that a
    // row locked on all 1 + MAX_RESUBMITS attempts (0.1^6 per row) cannot plausibly happen.
    e2e.emulator.context.faults.set('lock=0.1,seed=7');
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
    e2e.emulator.context.faults.set('lock=0');

    expect(outcome.execution.status, JSON.stringify(outcome.report.error)).toBe('SUCCEEDED');
    expect(outcome.report.status).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 150,
      succeeded: 150,
      failed: 0,
      rejected: 0,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 150);
    expect(outcome.files.failed).toEqual([]);

    const { jobs } = outcome.report;
    const parts = await partsOf(outcome.report);
    // One job per part, then one per resubmission: the report lists them all.
    expect(jobs.length).toBeGreaterThan(parts.length);
    for (const job of jobs) expect(job.state).toBe('JobComplete');
    const locked = jobs.reduce((sum, j) => sum + j.recordsFailed, 0);
    expect(locked).toBeGreaterThan(3);
    // Every locked row went into exactly one later job, and nothing else did.
    expect(jobs.reduce((sum, j) => sum + j.recordsProcessed, 0)).toBe(150 + locked);
    expect((await ingestJobs(e2e)).length - jobsBefore).toBe(jobs.length);
    // Per attempt (Collect's summaries): attempt n+1 carries exactly the rows attempt n resubmitted.
    const attempts = await attemptsOf(outcome.report, parts);
    expect(attempts.map((a) => a.job.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    const resubmissionJobs = new Set(attempts.filter((a) => a.attempt > 0).map((a) => a.job.id));
    expect(resubmissionJobs.size).toBeGreaterThan(0);
    for (const a of attempts) {
      const next = attempts.find((b) => b.partId === a.partId && b.attempt === a.attempt + 1);
      expect(next?.job.recordsProcessed ?? 0, `${a.partId} attempt ${a.attempt + 1}`).toBe(
        a.counts.resubmitted,
      );
    }
    const landedByResubmission = outcome.files.succeeded.filter((r) => resubmissionJobs.has(r.jobId ?? ''));
    // A row locked twice is resubmitted twice but lands once.
    const lockedAtFirst = attempts
      .filter((a) => a.attempt === 0)
      .reduce((n, a) => n + a.counts.resubmitted, 0);
    expect(landedByResubmission).toHaveLength(lockedAtFirst);
    await expectTasksLandedAsFileSaid(e2e, 'LOCK', rows, outcome);
  });

  it('stops resubmitting after MAX_RESUBMITS and reports the rows still locked as failed', async () => {
    const pipeline = 'care-tasks-lock-budget';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = taskRows('LOCKED', 40);
    e2e.emulator.context.faults.set('lock=1,seed=3');
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
    e2e.emulator.context.faults.set('lock=0');

    // Row failures, however many, are not a failed run.
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 40,
      succeeded: 0,
      failed: 40,
      rejected: 0,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 40);
    const parts = await partsOf(outcome.report);
    // MAX_RESUBMITS is MAX_RESUBMITS_CEILING (5) here: each part runs 1 + 5 jobs, then gives up.
    const jobsPerPart = 1 + MAX_RESUBMITS_CEILING;
    expect(outcome.report.jobs).toHaveLength(parts.length * jobsPerPart);
    for (const row of outcome.files.failed) {
      expect(row).toMatchObject({ errorCode: 'UNABLE_TO_LOCK_ROW', attempts: String(jobsPerPart) });
    }
  });
});

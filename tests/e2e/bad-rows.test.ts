/**
 * Bad input from a landing-bucket upload to the result files: rows the org refuses (failed.csv),
 * rows Validate stops (rejected.csv), and runs that stop before loading anything — each still
 * accounting for every source line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARE_TASKS_MAPPING,
  type E2eStack,
  expectEveryRowAccountedFor,
  expectTasksLandedAsFileSaid,
  fixture,
  ingestJobs,
  landedTasks,
  putMapping,
  type RunOutcome,
  runFile,
  startE2eStack,
  type TaskRow,
  taskRows,
  tasksCsv,
} from './helpers.ts';

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack({ env: { MAX_PART_RECORDS: '25' } });
});
afterAll(async () => {
  await e2e?.stop();
});

/** Source line of the n-th data row (the header is line 1). */
const lineOf = (rowNumber: number) => rowNumber + 1;

function withChanges(rows: TaskRow[], changes: Record<number, Partial<TaskRow>>): TaskRow[] {
  return rows.map((row, index) => ({ ...row, ...changes[index + 1] }));
}

describe('rows the org refuses', () => {
  const pipeline = 'care-tasks-failures';
  const rows = withChanges(taskRows('FAIL', 90), {
    5: { who_type: 'patient', who_ref: 'PAT-99999' },
    12: { who_type: 'prospect', who_ref: 'PROS-99999' },
    20: { due_date: '2025-02-30' },
    33: { practice_ref: 'PRAC-99' },
    41: { subject: 'Call back '.repeat(30) },
  });
  let outcome: RunOutcome;

  beforeAll(async () => {
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
  });

  /** Rows only the org can judge: the parent each one names does not exist there. */
  const unknownParents = [5, 12, 33];
  /**
   * Rows the org's describe already rules out (no 30 February, Subject ≤ 255 characters): Validate
   * may stop them (rejected.csv) or Salesforce refuse them (failed.csv); either way the line, the
   * field and a reason must be there.
   */
  const impossibleValues = [
    { row: 20, column: 'due_date', field: 'ActivityDate', errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD' },
    { row: 41, column: 'subject', field: 'Subject', errorCode: 'STRING_TOO_LONG' },
  ];

  it('completes the run with the refused rows counted, not a failed run', () => {
    // Row failures are data problems, not a failed run (design.md: exit 0, failures in the report).
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect(outcome.report.status).toBe('SUCCEEDED');
    const { counts } = outcome.report;
    expect(counts).toMatchObject({ total: 90, succeeded: 85, unprocessed: 0 });
    expect(counts.failed + counts.rejected).toBe(5);
    expect(counts.failed).toBeGreaterThanOrEqual(unknownParents.length);
    expectEveryRowAccountedFor(outcome, 90);
  });

  it('writes each row with an unknown parent to failed.csv with its line, error code and message', () => {
    const byLine = new Map(outcome.files.failed.map((r) => [Number(r.line), r]));
    expect(byLine.get(lineOf(5))).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(
        /^Foreign key external ID: PAT-99999 not found for field Patient_Id__c in entity Contact/,
      ),
    });
    expect(byLine.get(lineOf(12))).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(
        /^Foreign key external ID: PROS-99999 not found for field Prospect_Id__c in entity Lead/,
      ),
    });
    expect(byLine.get(lineOf(33))).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(/PRAC-99 not found for field External_Id__c in entity Account/),
    });
    const jobIds = new Set(outcome.report.jobs.map((j) => j.id));
    for (const row of byLine.values()) {
      expect(row).toMatchObject({ object: 'Task', operation: 'upsert', attempts: '1' });
      expect(jobIds.has(row.jobId ?? '')).toBe(true);
    }
    // Permanent errors are not resubmitted: the jobs' own failure counts agree with failed.csv.
    expect(outcome.report.jobs.reduce((sum, j) => sum + j.recordsFailed, 0)).toBe(byLine.size);
  });

  it('accounts for impossible values by line and field, whether Validate or Salesforce caught them', () => {
    for (const { row, column, field, errorCode } of impossibleValues) {
      const rejected = outcome.files.rejected.find((r) => r.line === String(lineOf(row)));
      const failed = outcome.files.failed.find((r) => r.line === String(lineOf(row)));
      if (rejected) {
        expect(failed).toBeUndefined();
        expect(rejected).toMatchObject({ column, message: expect.stringContaining(field) });
        expect(rejected.rule).not.toBe('');
      } else {
        expect(failed, `line ${lineOf(row)} is rejected or failed`).toMatchObject({
          errorCode,
          fields: field,
        });
      }
    }
  });

  it('lands the other rows as the file said and none of the refused ones', async () => {
    await expectTasksLandedAsFileSaid(e2e, 'FAIL', rows, outcome);
    const tasks = await landedTasks(e2e, 'FAIL');
    for (const rowNumber of [...unknownParents, ...impossibleValues.map((v) => v.row)]) {
      expect(tasks.has(rows[rowNumber - 1]?.task_id ?? '')).toBe(false);
    }
  });
});

describe('rows Validate rejects', () => {
  const pipeline = 'care-tasks-rejects';
  const rows = withChanges(taskRows('REJ', 100), {
    3: { who_type: 'carer' },
    50: { subject: '' },
    77: { task_id: '' },
  });
  let outcome: RunOutcome;

  beforeAll(async () => {
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));
  });

  it('loads the rest and counts the rejects, under the 5% threshold', () => {
    expect(outcome.report.status).toBe('SUCCEEDED');
    expect(outcome.report.counts).toEqual({
      total: 100,
      succeeded: 97,
      failed: 0,
      rejected: 3,
      unprocessed: 0,
    });
    expectEveryRowAccountedFor(outcome, 100);
  });

  it('writes rejected.csv with the line, column, value and rule of each reject', () => {
    expect(outcome.files.rejected).toEqual([
      expect.objectContaining({
        line: String(lineOf(3)),
        column: 'who_type',
        value: 'carer',
        rule: 'lookupType',
      }),
      expect.objectContaining({ line: String(lineOf(50)), column: 'subject', value: '', rule: 'required' }),
      expect.objectContaining({ line: String(lineOf(77)), column: 'task_id', value: '', rule: 'required' }),
    ]);
    expect(outcome.files.rejected[0]?.message).toMatch(/carer.*not a known type for WhoId/);
  });

  it('sends no rejected row to Salesforce', async () => {
    const tasks = await landedTasks(e2e, 'REJ');
    expect(tasks.size).toBe(97);
    expect(tasks.has(rows[2]?.task_id ?? '')).toBe(false);
    expect(tasks.has(rows[49]?.task_id ?? '')).toBe(false);
    expect(outcome.report.jobs.reduce((sum, j) => sum + j.recordsProcessed, 0)).toBe(97);
  });
});

describe('runs that stop before loading', () => {
  it('fails a file with more rejects than the threshold, rejects and the rest accounted for', async () => {
    const pipeline = 'care-tasks-threshold';
    await putMapping(e2e, pipeline, CARE_TASKS_MAPPING);
    const rows = withChanges(taskRows('THR', 40), {
      2: { who_type: 'carer' },
      9: { who_type: 'nurse' },
      17: { who_type: 'carer' },
      30: { subject: '' },
    });
    const jobsBefore = (await ingestJobs(e2e)).length;
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));

    expect(outcome.execution.status).toBe('FAILED');
    expect(outcome.report.status).toBe('FAILED');
    expect(outcome.report.error).toEqual({
      name: 'RejectThresholdError',
      message: expect.stringMatching(
        /4 of 40 rows rejected \(10(\.0)?%\), more than the rejectThreshold of 5%/,
      ),
    });
    expect(outcome.report.error?.message).not.toMatch(/\n\s+at /);
    expect(outcome.report.counts).toEqual({
      total: 40,
      succeeded: 0,
      failed: 0,
      rejected: 4,
      unprocessed: 36,
    });
    expect(outcome.report.jobs).toEqual([]);
    expectEveryRowAccountedFor(outcome, 40);
    expect(outcome.files.rejected.map((r) => r.line)).toEqual(['3', '10', '18', '31']);
    for (const row of outcome.files.unprocessed) expect(row.reason).toMatch(/rejectThreshold/);
    expect((await ingestJobs(e2e)).length).toBe(jobsBefore);
    expect((await landedTasks(e2e, 'THR')).size).toBe(0);
  });

  it('fails a run whose mapping names a field the org does not have, every row unprocessed', async () => {
    const pipeline = 'care-tasks-unknown-field';
    await putMapping(e2e, pipeline, fixture('unknown-field.yaml'));
    const rows = taskRows('UNK', 30);
    const jobsBefore = (await ingestJobs(e2e)).length;
    const outcome = await runFile(e2e, pipeline, 'tasks.csv', tasksCsv(rows));

    expect(outcome.execution.status).toBe('FAILED');
    expect(outcome.report).toMatchObject({
      status: 'FAILED',
      error: { name: 'MappingError', message: expect.stringContaining('Notes__c is not a field of Task') },
      counts: { total: 30, succeeded: 0, failed: 0, rejected: 0, unprocessed: 30 },
      jobs: [],
    });
    expectEveryRowAccountedFor(outcome, 30);
    for (const row of outcome.files.unprocessed) expect(row.reason).toContain('Notes__c');
    expect((await ingestJobs(e2e)).length).toBe(jobsBefore);
  });
});

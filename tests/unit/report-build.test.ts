import { describe, expect, it } from 'vitest';
import { buildReport, causeMessage, followAttempts } from '../../functions/report/build-report.ts';
import type { PartRef, PartSummary, RunInput } from '../../functions/shared/contracts.ts';

const run: RunInput = {
  runId: 'care-tasks-0123456789abcdef0123',
  pipeline: 'care-tasks',
  source: { bucket: 'landing', key: 'incoming/care-tasks/a.csv', etag: 'e', size: 10 },
  startedAt: '2026-03-01T09:00:00.000Z',
  maxConcurrency: 2,
};
const part = (partId: string, rows: number): PartRef => ({
  runId: run.runId,
  partId,
  groupId: 'g1',
  object: 'Task',
  operation: 'insert',
  key: `staging/${run.runId}/parts/${partId}.csv`,
  rows,
  attempt: 0,
});
const summary = (
  partId: string,
  attempt: number,
  counts: PartSummary['counts'],
  state: PartSummary['job']['state'] = 'JobComplete',
): PartSummary => ({
  partId,
  attempt,
  job: {
    id: `750${partId}${attempt}`,
    state,
    recordsProcessed: 1,
    recordsFailed: 0,
    object: 'Task',
    operation: 'insert',
  },
  counts,
  files: {},
  apiCalls: 5,
});
const base = { run, extraUnprocessed: 0, files: {}, apiCalls: 12, now: new Date('2026-03-01T09:01:00.000Z') };

describe('followAttempts', () => {
  it('counts a resubmitted row once, where it finally landed', () => {
    const summaries = [
      summary('p1', 0, { succeeded: 8, failed: 0, unprocessed: 0, resubmitted: 2 }),
      summary('p1', 1, { succeeded: 1, failed: 1, unprocessed: 0, resubmitted: 0 }),
      summary('p2', 0, { succeeded: 5, failed: 0, unprocessed: 0, resubmitted: 0 }),
    ];
    const { counted, pending } = followAttempts(run.runId, [part('p1', 10), part('p2', 5)], summaries);
    expect(counted).toHaveLength(3);
    expect(pending).toEqual([]);
  });

  it('names the first attempt without a summary, with its part file', () => {
    const summaries = [summary('p1', 0, { succeeded: 8, failed: 0, unprocessed: 0, resubmitted: 2 })];
    const { pending } = followAttempts(run.runId, [part('p1', 10), part('p2', 5)], summaries);
    expect(pending.map((p) => [p.partId, p.attempt, p.key])).toEqual([
      ['p1', 1, `staging/${run.runId}/parts/p1-a1.csv`],
      ['p2', 0, `staging/${run.runId}/parts/p2.csv`],
    ]);
  });
});

describe('buildReport', () => {
  it('adds up to total = succeeded + failed + rejected + unprocessed and succeeds', () => {
    const report = buildReport({
      ...base,
      validation: { total: 20, rejected: 3, mappingKey: 'm' },
      summaries: [
        summary('p1', 0, { succeeded: 8, failed: 0, unprocessed: 0, resubmitted: 2 }),
        summary('p1', 1, { succeeded: 1, failed: 1, unprocessed: 0, resubmitted: 0 }),
        summary('p2', 0, { succeeded: 6, failed: 1, unprocessed: 0, resubmitted: 0 }),
      ],
    });
    expect(report.counts).toEqual({ total: 20, succeeded: 15, failed: 2, rejected: 3, unprocessed: 0 });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.error).toBeUndefined();
    expect(report.jobs).toHaveLength(3);
    expect(report.durationMs).toBe(60_000);
    expect(report.apiCalls).toBe(12);
  });

  it('fails a run whose job ended Failed, naming the job', () => {
    const failed = summary('p1', 0, { succeeded: 0, failed: 0, unprocessed: 4, resubmitted: 0 }, 'Failed');
    failed.job.errorMessage = 'InvalidBatch : Field name not found : Foo__c';
    const report = buildReport({
      ...base,
      validation: { total: 4, rejected: 0, mappingKey: 'm' },
      summaries: [failed],
    });
    expect(report.status).toBe('FAILED');
    expect(report.error).toEqual({
      name: 'JobFailed',
      message: `Job ${failed.job.id} (insert Task) ended Failed: InvalidBatch : Field name not found : Foo__c`,
    });
  });

  it('fails a run that caught an error, with the error name and message but no stack trace', () => {
    const report = buildReport({
      ...base,
      summaries: [],
      extraUnprocessed: 7,
      validation: { total: 9, rejected: 2, mappingKey: 'm' },
      failure: {
        Error: 'SalesforceAuthError',
        Cause: JSON.stringify({
          errorType: 'SalesforceAuthError',
          errorMessage: 'invalid_grant: audience is invalid',
          trace: ['at x'],
        }),
      },
    });
    expect(report.status).toBe('FAILED');
    expect(report.error).toEqual({
      name: 'SalesforceAuthError',
      message: 'invalid_grant: audience is invalid',
    });
    expect(report.counts).toEqual({ total: 9, succeeded: 0, failed: 0, rejected: 2, unprocessed: 7 });
  });

  it('refuses to call a run successful when rows went missing', () => {
    const report = buildReport({
      ...base,
      validation: { total: 10, rejected: 0, mappingKey: 'm' },
      summaries: [summary('p1', 0, { succeeded: 9, failed: 0, unprocessed: 0, resubmitted: 0 })],
    });
    expect(report.status).toBe('FAILED');
    expect(report.error?.name).toBe('RowsUnaccounted');
  });
});

describe('causeMessage', () => {
  it.each([
    [{ Error: 'States.Timeout', Cause: 'Task timed out' }, 'Task timed out'],
    [{ Error: 'States.Runtime' }, 'States.Runtime'],
    [
      { Error: 'MappingError', Cause: '{"errorMessage":"mappings/x.yaml line 3: unknown field Foo"}' },
      'mappings/x.yaml line 3: unknown field Foo',
    ],
  ])('reads %o as %s', (failure, message) => {
    expect(causeMessage(failure)).toBe(message);
  });
});

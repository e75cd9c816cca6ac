import { describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  EVENTS_PER_POLL,
  firstPoll,
  interpretJob,
  JOB_HORIZON_SECONDS,
  pollsToCover,
} from '../../functions/poll/interpret-job.ts';
import type { PartState } from '../../functions/shared/contracts.ts';
import { SalesforceRequestError } from '../../functions/shared/errors.ts';
import type { IngestJobInfo } from '../../functions/shared/salesforce-port.ts';

const part = {
  runId: 'r',
  partId: 'g1-p1',
  groupId: 'g1',
  object: 'Contact',
  operation: 'insert' as const,
  columns: ['LastName'],
  key: 'staging/r/parts/g1-p1.csv',
  rows: 10_000,
  attempt: 0,
};
const info = (
  state: IngestJobInfo['state'],
  processed?: number,
  extra: Partial<IngestJobInfo> = {},
): IngestJobInfo => ({
  id: '750000000000001AAA',
  object: 'Contact',
  operation: 'insert',
  state,
  ...(processed === undefined ? {} : { numberRecordsProcessed: processed, numberRecordsFailed: 0 }),
  ...extra,
});
const settings = { maxWaitSeconds: 60 };

describe('interpretJob', () => {
  it.each([
    ['UploadComplete', false],
    ['InProgress', false],
    ['JobComplete', true],
    ['Failed', true],
    ['Aborted', true],
  ] as const)('treats %s as done=%s', (state, done) => {
    expect(interpretJob(info(state, 0), { part, poll: firstPoll() }, settings).done).toBe(done);
  });

  it('keeps the job figures and the error message', () => {
    const next = interpretJob(
      info('Failed', 0, { errorMessage: 'InvalidBatch : Field name not found : Foo__c' }),
      { part, poll: firstPoll() },
      settings,
    );
    expect(next.job).toEqual({
      id: '750000000000001AAA',
      state: 'Failed',
      recordsProcessed: 0,
      recordsFailed: 0,
      errorMessage: 'InvalidBatch : Field name not found : Foo__c',
    });
  });

  it('refuses a job that is still Open, since nothing would ever process it', () => {
    expect(() => interpretJob(info('Open'), { part, poll: firstPoll() }, settings)).toThrow(
      SalesforceRequestError,
    );
  });

  it('backs off 2, 4, 8, 16, 32 s and then stays at the ceiling', () => {
    let state: PartState = { part, poll: firstPoll() };
    const waits = [];
    for (let i = 0; i < 8; i++) {
      state = interpretJob(info('UploadComplete'), state, settings);
      waits.push(state.poll?.waitSeconds);
    }
    expect(waits).toEqual([4, 8, 16, 32, 60, 60, 60, 60]);
    expect(state.poll?.attempt).toBe(8);
  });

  it('shortens the wait to the estimated end when progress says the job is nearly done', () => {
    // 9,000 of 10,000 processed, 4,500 in the last 30 s: 1,000 left at 150/s ≈ 6.7 s, +20% → 8 s.
    const state: PartState = {
      part,
      job: { id: 'j', state: 'InProgress', recordsProcessed: 4_500, recordsFailed: 0 },
      poll: { attempt: 5, waitSeconds: 30 },
    };
    expect(interpretJob(info('InProgress', 9_000), state, settings).poll?.waitSeconds).toBe(8);
  });

  it('never lengthens the wait because of slow progress, and never waits under 2 s', () => {
    const slow: PartState = {
      part,
      job: { id: 'j', state: 'InProgress', recordsProcessed: 0, recordsFailed: 0 },
      poll: { attempt: 1, waitSeconds: 4 },
    };
    expect(interpretJob(info('InProgress', 10), slow, settings).poll?.waitSeconds).toBe(8);
    const almost: PartState = {
      ...slow,
      job: { ...(slow.job as NonNullable<PartState['job']>), recordsProcessed: 9_000 },
    };
    expect(interpretJob(info('InProgress', 9_999), almost, settings).poll?.waitSeconds).toBe(2);
  });

  it('gives up on a job still running after the 8-day horizon', () => {
    const limit = pollsToCover(JOB_HORIZON_SECONDS, 60);
    expect(() =>
      interpretJob(
        info('InProgress', 1),
        { part, poll: { attempt: limit - 1, waitSeconds: 3600 } },
        settings,
      ),
    ).toThrow(/did not finish within 8 days/);
  });
});

describe('poll schedule and the 25,000-event history limit', () => {
  it('stretches the ceiling only after an hour of steady polling, up to an hour', () => {
    expect(backoffSeconds(64, 60)).toBe(60);
    expect(backoffSeconds(66, 60)).toBeGreaterThan(60);
    expect(backoffSeconds(10_000, 60)).toBe(3600);
  });

  it.each([1, 10, 60, 300, 900])(
    'keeps a part with 4 jobs polled for the whole horizon under 25,000 events (ceiling %i s)',
    (maxWait) => {
      const polls = pollsToCover(JOB_HORIZON_SECONDS, maxWait);
      const jobsPerPart = 1 + 3;
      const uploadAndCollectWorstCase = 2 * (7 + 17 * 3);
      const events = jobsPerPart * (polls * EVENTS_PER_POLL + uploadAndCollectWorstCase);
      expect(events).toBeLessThan(15_000);
    },
  );

  it('polls a one-minute job about five times', () => {
    expect(pollsToCover(60, 60)).toBeLessThanOrEqual(6);
  });
});

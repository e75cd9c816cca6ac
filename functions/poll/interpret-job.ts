import type { JobRef, PartState, PollSchedule } from '../shared/contracts.ts';
import { SalesforceRequestError } from '../shared/errors.ts';
import type { IngestJobInfo } from '../shared/salesforce-port.ts';

/**
 * How Poll Job decides whether a part's job is finished and how long the state machine waits before
 * asking again. The wait is code, not JSONPath, so it can be reasoned about and tested.
 *
 * Schedule, by poll number n (the Upload step schedules poll 0 after FIRST_WAIT_SECONDS):
 * 1. Backoff: 2, 4, 8, 16, 32 s... doubling up to POLL_MAX_WAIT_SECONDS (60 by default). Small jobs
 *    finish in seconds and are seen quickly; long ones are not polled every 2 s for an hour.
 * 2. Progress: while the job is InProgress, the records processed since the last poll give a rate and
 *    the records left an estimate of when it ends. If that comes before the backoff wait, we wait
 *    only until then (plus a little): a job that is nearly done is not left waiting a full minute.
 *    Progress only ever shortens a wait.
 * 3. Stretch: after STEADY_POLLS polls at the ceiling (an hour at 60 s), the ceiling grows by
 *    STRETCH_FACTOR per poll, up to MAX_WAIT_SECONDS. Polls then grow with the logarithm of the job's
 *    duration instead of linearly, which is what bounds the execution history (see below).
 *
 * History bound. Each part is its own child execution (distributed Map), so the 25,000-event limit
 * applies per part. One poll cycle is Wait (entered, exited: 2) + Poll task (entered, scheduled,
 * started, succeeded, exited: 5) + Choice (entered, exited: 2) = EVENTS_PER_POLL = 9 events, plus 3 per
 * Lambda retry. Salesforce deletes jobs 7 days after they finish, and a job cannot stay Open for more
 * than a day, so 8 days is a generous horizon for one job: pollsToCover(8 days, 60 s) = 290 polls
 * (321 with the least favourable ceiling) = at most 2,889 events. A job with its Upload and Collect
 * (7 events each, and at most 17 retries × 3 events) costs at most 3,007 events, and a part runs at most
 * 1 + MAX_RESUBMITS jobs: 4 by default (about 12,000 events in the very worst case), 6 at the ceiling
 * of 5 that config.ts enforces (18,042) — a few dozen for a normal part.
 * tests/unit/interpret-job.test.ts and tests/e2e/history.test.ts check the bound.
 */

export const FIRST_WAIT_SECONDS = 2;
export const MIN_WAIT_SECONDS = 2;
/** Polls at the ceiling before it starts to stretch. */
export const STEADY_POLLS = 60;
export const STRETCH_FACTOR = 1.1;
/** Never wait more than an hour between two looks at a job. */
export const MAX_WAIT_SECONDS = 3600;
export const EVENTS_PER_POLL = 9;
/** How long one job may be polled before the part is given up (see the history bound above). */
export const JOB_HORIZON_SECONDS = 8 * 24 * 3600;

const TERMINAL = new Set<JobRef['state']>(['JobComplete', 'Failed', 'Aborted']);

/** The schedule Upload Part hands to the first Wait. */
export function firstPoll(): PollSchedule {
  return { attempt: 0, waitSeconds: FIRST_WAIT_SECONDS };
}

export function toJobRef(info: IngestJobInfo): JobRef {
  const job: JobRef = {
    id: info.id,
    state: info.state,
    recordsProcessed: info.numberRecordsProcessed ?? 0,
    recordsFailed: info.numberRecordsFailed ?? 0,
  };
  if (info.errorMessage) job.errorMessage = info.errorMessage;
  return job;
}

/** The ceiling of the wait after poll n: doubling to `maxWaitSeconds`, then stretching slowly. */
export function backoffSeconds(n: number, maxWaitSeconds: number): number {
  const ceiling = Math.max(maxWaitSeconds, MIN_WAIT_SECONDS);
  const doubling = FIRST_WAIT_SECONDS * 2 ** n;
  if (doubling < ceiling) return doubling;
  // Doubling reaches the ceiling at this poll; STEADY_POLLS at it follow, then the stretch.
  const reachedAt = Math.ceil(Math.log2(ceiling / FIRST_WAIT_SECONDS));
  const stretchPolls = n - reachedAt - STEADY_POLLS;
  if (stretchPolls <= 0) return ceiling;
  return Math.min(Math.ceil(ceiling * STRETCH_FACTOR ** stretchPolls), Math.max(MAX_WAIT_SECONDS, ceiling));
}

/**
 * Seconds until the job should end at its current pace, or undefined when progress says nothing
 * (not InProgress yet, no new records since the last look, or nothing left).
 */
export function estimatedSecondsLeft(
  previous: JobRef | undefined,
  current: JobRef,
  lastWaitSeconds: number,
  rows: number,
): number | undefined {
  if (current.state !== 'InProgress' || !previous || lastWaitSeconds <= 0) return undefined;
  const processedSinceLastPoll = current.recordsProcessed - previous.recordsProcessed;
  if (processedSinceLastPoll <= 0) return undefined;
  const left = rows - current.recordsProcessed;
  if (left <= 0) return undefined;
  return left / (processedSinceLastPoll / lastWaitSeconds);
}

export interface PollSettings {
  maxWaitSeconds: number;
}

/** The part's state after one look at its job: `done` on a terminal state, else the next wait. */
export function interpretJob(info: IngestJobInfo, state: PartState, settings: PollSettings): PartState {
  const job = toJobRef(info);
  if (job.state === 'Open') {
    // Upload Part closes every job before it hands over; an Open job here was never going to run.
    throw new SalesforceRequestError(`Job ${job.id} is still Open: its upload was never completed`);
  }
  const previousPoll = state.poll ?? firstPoll();
  const n = previousPoll.attempt + 1;
  const done = TERMINAL.has(job.state);
  if (!done && n >= pollsToCover(JOB_HORIZON_SECONDS, settings.maxWaitSeconds)) {
    // Keeps the history bound a guarantee rather than a hope; a job this old is beyond saving.
    throw new SalesforceRequestError(`Job ${job.id} did not finish within 8 days (${n} polls)`);
  }
  let waitSeconds = backoffSeconds(n, settings.maxWaitSeconds);
  const eta = estimatedSecondsLeft(state.job, job, previousPoll.waitSeconds, state.part.rows);
  if (eta !== undefined) {
    // A 20% margin so that the look after an accurate estimate finds the job finished, not nearly.
    waitSeconds = Math.min(waitSeconds, Math.max(MIN_WAIT_SECONDS, Math.ceil(eta * 1.2)));
  }
  const { resubmit: _resubmit, ...rest } = state;
  return { ...rest, job, done, poll: { attempt: n, waitSeconds } };
}

/** How many polls a job lasting `seconds` can cost at most (the history bound's building block). */
export function pollsToCover(seconds: number, maxWaitSeconds: number): number {
  let elapsed = FIRST_WAIT_SECONDS;
  let polls = 1;
  while (elapsed < seconds) {
    elapsed += backoffSeconds(polls, maxWaitSeconds);
    polls++;
  }
  return polls;
}

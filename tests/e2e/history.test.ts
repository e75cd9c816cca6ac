/**
 * Step Functions' limits on the largest file Polyload claims to support, measured on the real ASL.
 *
 * The claim: one file of up to 10 GB / 50 million rows (about 200 bytes a row). Split cuts parts at
 * 100 MB or 150,000 records, whichever comes first: 50,000,000 / 150,000 = 334 parts by records,
 * 10 GB / 100 MB = 100 by bytes, plus at most one partial part per job signature. The tests below use
 * MAX_PARTS = 500 parts as the figure to hold, leaving headroom over 334 (more signatures, smaller
 * record caps).
 *
 * Two limits matter:
 * - 25,000 events per execution history. The parts run as a distributed Map, so the parent's history
 *   should not grow with the number of parts at all (it records MapRunStarted/MapRunSucceeded, not the
 *   items), and each part is a child execution whose history is bounded by the Poll step's schedule
 *   (functions/poll/interpret-job.ts). Measured here with 1, 5 and 20 parts and extrapolated linearly.
 * - 256 KB per state input/output. The parts list is carried in the state (`$.split.parts`) and read by
 *   the Map's ItemsPath, so the largest state payload grows with the number of parts. Measured the same way.
 *
 * Measured (care-tasks mapping, 8 Bulk columns):
 * - parent history: 30 events for 1, 5 and 20 parts → 0 per part → 30 events at 500 parts.
 * - part (child) history: 16 events per job attempt + EVENTS_PER_POLL (9) per poll. The Poll step gives
 *   up on a job after pollsToCover(8 days) polls, at most 321 whatever POLL_MAX_WAIT_SECONDS; Upload and
 *   Collect may each be retried 17 times (ASL MaxAttempts 3 + 8 + 6), 3 events each: 102. A part runs
 *   at most 1 + MAX_RESUBMITS jobs: 4 by default, 4 × (16 + 321 × 9 + 102) = 12,028 events, and 6 at
 *   the most config.ts accepts (MAX_RESUBMITS_CEILING = 5): 6 × 3,007 = 18,042 < 25,000. (8 resubmits
 *   would be 27,063: config.ts refuses it.)
 * - state payload while loading: 1,291 bytes + ~372 per part → ~187,000 bytes at 500 parts (< 262,144).
 *   A PartRef carries ids and keys only, never the Bulk columns (the part file's header has them), so
 *   the figure does not depend on the mapping's width (tests/unit/split-state-size.test.ts: 60 columns
 *   of 40-character names). It was ~473 per part with the columns, and grew with every column.
 * - Report Run's output: the loading state plus a fixed `{runId, status, counts}` (its ResultSelector):
 *   the run report, whose `jobs` lists one entry per job, stays in S3 (runs/<runId>/report.json).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PER_POLL, JOB_HORIZON_SECONDS, pollsToCover } from '../../functions/poll/interpret-job.ts';
import { ConfigError, MAX_RESUBMITS_CEILING, readConfig } from '../../functions/shared/config.ts';
import type { HistoryEvent } from '../../local/stack/history.ts';
import {
  CARE_TASKS_MAPPING,
  type E2eStack,
  expectEveryRowAccountedFor,
  putMapping,
  runFile,
  startE2eStack,
  taskRows,
  tasksCsv,
} from './helpers.ts';

const HISTORY_LIMIT = 25_000;
const PAYLOAD_LIMIT = 256 * 1024;
const MAX_PARTS = 500;
const PART_RECORDS = 10;

interface Measured {
  parts: number;
  /** Events in the parent execution's history. */
  parent: number;
  /** Per part (child execution): its events and how many times it polled. */
  children: { events: number; polls: number }[];
  /** The largest state input or output in the parent history up to Report Run, in bytes. */
  loadingPayload: number;
  /** Report Run's output: the state with the run report added at `$.report`. */
  reportPayload: number;
}

let e2e: E2eStack;
const measured = new Map<number, Measured>();
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

beforeAll(async () => {
  process.on('warning', onWarning);
  e2e = await startE2eStack({ env: { MAX_PART_RECORDS: String(PART_RECORDS) } });
  await putMapping(e2e, 'care-tasks-history', CARE_TASKS_MAPPING);
});
afterAll(async () => {
  process.off('warning', onWarning);
  await e2e?.stop();
});

const polls = (events: HistoryEvent[]) =>
  events.filter((e) => e.type === 'TaskStateEntered' && e.details?.name === 'Poll Job').length;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const payloadBytes = (events: HistoryEvent[]) =>
  Math.max(
    ...events.flatMap((e) =>
      ['input', 'output'].flatMap((k) => (e.details?.[k] === undefined ? [] : [bytes(e.details[k])])),
    ),
  );

/** Loads a file of `parts` full parts (all Contact targets: one job signature) and measures its run. */
async function measure(parts: number, name = `parts-${parts}`): Promise<Measured> {
  const rows = taskRows(name.toUpperCase(), parts * PART_RECORDS, { leadEvery: 0 });
  const outcome = await runFile(e2e, 'care-tasks-history', `${name}.csv`, tasksCsv(rows));
  expect(outcome.report.status).toBe('SUCCEEDED');
  expect(outcome.report.jobs).toHaveLength(parts);
  expectEveryRowAccountedFor(outcome, rows.length);
  const { executionArn } = outcome.execution;
  const history = e2e.stack.stateMachine.getExecutionHistory(executionArn);
  const counts = e2e.stack.stateMachine.historyCounts(executionArn);
  expect(counts.execution).toBe(history.events.length);
  const reportAt = history.events.findIndex(
    (e) => e.type === 'TaskStateEntered' && e.details?.name === 'Report Run',
  );
  const reportExit = history.events.findIndex(
    (e) => e.type === 'TaskStateExited' && e.details?.name === 'Report Run',
  );
  expect(reportAt).toBeGreaterThan(0);
  expect(reportExit).toBeGreaterThan(reportAt);
  const result: Measured = {
    parts,
    parent: counts.execution,
    children: history.children.map((c) => ({ events: c.events.length, polls: polls(c.events) })),
    loadingPayload: payloadBytes(history.events.slice(0, reportAt)),
    reportPayload: bytes(history.events[reportExit]?.details?.output),
  };
  measured.set(parts, result);
  return result;
}

/** Linear extrapolation through the 1-part and 20-part runs, checked against the 5-part run. */
function extrapolate(of: (m: Measured) => number): { perPart: number; atMax: number } {
  const [one, five, twenty] = [1, 5, 20].map((n) => measured.get(n) as Measured) as [
    Measured,
    Measured,
    Measured,
  ];
  const perPart = (of(twenty) - of(one)) / 19;
  // The model is linear if it predicts the middle run (payload JSON varies by a few digits).
  expect(Math.abs(of(one) + 4 * perPart - of(five))).toBeLessThanOrEqual(16);
  return { perPart, atMax: of(one) + perPart * (MAX_PARTS - 1) };
}

describe(`the largest claimed file (${MAX_PARTS} parts) against Step Functions' limits`, () => {
  beforeAll(async () => {
    for (const parts of [1, 5, 20]) await measure(parts);
  }, 120_000);

  it('keeps the parent execution history constant in the number of parts (distributed Map)', () => {
    const { perPart, atMax } = extrapolate((m) => m.parent);
    // 1, 5 and 20 parts give the same parent history: the items live in child executions.
    expect(perPart).toBe(0);
    expect(atMax).toBeLessThan(HISTORY_LIMIT);
    expect(measured.get(20)?.parent).toBeLessThan(50);
  });

  it('gives each part its own child history of fixed size plus EVENTS_PER_POLL per poll', () => {
    const fixed = new Set<number>();
    for (const m of measured.values()) {
      expect(m.children).toHaveLength(m.parts);
      for (const child of m.children) {
        expect(child.polls).toBeGreaterThanOrEqual(1);
        fixed.add(child.events - child.polls * EVENTS_PER_POLL);
      }
    }
    // Every part, whatever the file, costs the same events besides its polls.
    expect(fixed.size).toBe(1);
  });

  it('holds a part to 25,000 events over the longest jobs and the most resubmissions allowed', () => {
    const sample = measured.get(1)?.children[0] as { events: number; polls: number };
    const perAttempt = sample.events - sample.polls * EVENTS_PER_POLL;
    // The poll ceiling is configurable (POLL_MAX_WAIT_SECONDS): take the least favourable one.
    let pollsPerJob = 0;
    for (const maxWait of [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]) {
      pollsPerJob = Math.max(pollsPerJob, pollsToCover(JOB_HORIZON_SECONDS, maxWait));
    }
    // Upload and Collect may each be retried up to the ASL's MaxAttempts (3 events per attempt).
    const asl = readFileSync(new URL('../../statemachine/pipeline.asl.json', import.meta.url), 'utf8');
    const states = JSON.parse(asl).States['Load Parts'].ItemProcessor.States as Record<
      string,
      { Retry?: { MaxAttempts?: number }[] }
    >;
    const retries = (name: string) =>
      (states[name]?.Retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
    const retryEvents = 3 * (retries('Upload Part') + retries('Collect Results'));
    const perJob = perAttempt + pollsPerJob * EVENTS_PER_POLL + retryEvents;
    expect(pollsPerJob).toBeLessThan(400);
    // The most resubmissions config.ts accepts, and one more that it refuses.
    expect(() => readConfig({ MAX_RESUBMITS: String(MAX_RESUBMITS_CEILING) }).maxResubmits).not.toThrow();
    expect(() => readConfig({ MAX_RESUBMITS: String(MAX_RESUBMITS_CEILING + 1) }).maxResubmits).toThrow(
      ConfigError,
    );
    const worstPart = (1 + MAX_RESUBMITS_CEILING) * perJob;
    expect(worstPart, `${perJob} events per job`).toBeLessThan(HISTORY_LIMIT);
    // With a fifth of the limit to spare, should a state or a retry be added to a part.
    expect(worstPart).toBeLessThan(0.8 * HISTORY_LIMIT);
  });

  it(`fits the state carrying the parts list of ${MAX_PARTS} parts within 256 KB`, () => {
    const { perPart, atMax } = extrapolate((m) => m.loadingPayload);
    // About 370 bytes per part: ids and keys (the Bulk header, ~100 bytes here, is not repeated).
    expect(perPart).toBeGreaterThan(0);
    expect(perPart).toBeLessThan(400);
    expect(atMax, `${Math.round(perPart)} bytes per part`).toBeLessThan(PAYLOAD_LIMIT);
  });

  /**
   * Report Run adds the run's outcome at `$.report` to a state that already carries the parts list.
   * The run report lists one entry (~180 bytes) per job, and each resubmission is one more job: were
   * it returned whole, the output would pass 256 KB at about 430 parts (States.DataLimitExceeded, which
   * States.ALL does not catch, after every row was loaded). The ResultSelector keeps what the states
   * and the execution output read, so the output grows with the parts list only.
   */
  it(`fits Report Run's output for ${MAX_PARTS} parts within 256 KB`, () => {
    const { perPart, atMax } = extrapolate((m) => m.reportPayload);
    expect(atMax, `${Math.round(perPart)} bytes per part`).toBeLessThan(PAYLOAD_LIMIT);
    // No more per part than the parts list itself: the jobs list is not in the state.
    expect(perPart).toBeLessThanOrEqual(extrapolate((m) => m.loadingPayload).perPart + 1);
  });
});

describe('merging the results of many parts', () => {
  /**
   * Report merges each part's succeeded and failed files into the run's. One pipeline from an async
   * generator over the sources (functions/report/report-run.ts) keeps one set of listeners on the
   * merged output; a pipeline per part into it with `end: false` left one set per part, and Node
   * warned (MaxListenersExceededWarning) from 11 parts on.
   */
  it('adds no listener per part to the merged output (no MaxListenersExceededWarning)', () => {
    expect(measured.get(20)?.parts).toBe(20);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual(
      [],
    );
  });
});

describe('a job that takes many polls', () => {
  it('adds exactly EVENTS_PER_POLL events to its part per poll', async () => {
    const base = measured.get(1) ?? (await measure(1));
    const fixed = (base.children[0]?.events ?? 0) - (base.children[0]?.polls ?? 0) * EVENTS_PER_POLL;
    // Slow processing (per internal batch) keeps the job InProgress across several polls.
    e2e.emulator.context.faults.set('processingMs=250');
    try {
      const slow = await measure(1, 'slow-job');
      const child = slow.children[0] as { events: number; polls: number };
      expect(child.polls).toBeGreaterThan(3);
      expect(child.events).toBe(fixed + child.polls * EVENTS_PER_POLL);
    } finally {
      e2e.emulator.context.faults.set('processingMs=1');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createFaults } from '../../local/emulator/faults.ts';
import { createApiLimits, totalRequestsExceeded } from '../../local/emulator/limits.ts';

function fakeClock(start = Date.parse('2026-03-01T09:00:00Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

const HOUR = 3_600_000;

describe('daily API allocation', () => {
  it('counts every consumed request in the Sforce-Limit-Info value', () => {
    const limits = createApiLimits(createFaults('apiLimit=100'), fakeClock().now);
    expect(limits.usageHeader()).toBe('api-usage=0/100');
    for (let i = 0; i < 3; i++) expect(limits.consume()).toBe(true);
    expect(limits.usageHeader()).toBe('api-usage=3/100');
  });

  it('refuses requests past the allocation without counting them', () => {
    const limits = createApiLimits(createFaults('apiLimit=2'), fakeClock().now);
    expect([limits.consume(), limits.consume(), limits.consume(), limits.consume()]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(limits.usageHeader()).toBe('api-usage=2/2');
    expect(limits.snapshot().DailyApiRequests).toEqual({ Max: 2, Remaining: 0 });
  });

  it('refuses everything when the allocation is zero', () => {
    const limits = createApiLimits(createFaults('apiLimit=0'), fakeClock().now);
    expect(limits.consume()).toBe(false);
  });

  it('follows a run-time change of apiLimit', () => {
    const faults = createFaults('apiLimit=1');
    const limits = createApiLimits(faults, fakeClock().now);
    expect(limits.consume()).toBe(true);
    expect(limits.consume()).toBe(false);
    faults.set('apiLimit=5');
    expect(limits.consume()).toBe(true);
    expect(limits.usageHeader()).toBe('api-usage=2/5');
  });

  it('starts a fresh allocation 24 hours after the window opened', () => {
    const clock = fakeClock();
    const limits = createApiLimits(createFaults('apiLimit=1'), clock.now);
    expect(limits.consume()).toBe(true);
    clock.advance(23 * HOUR);
    expect(limits.consume()).toBe(false);
    clock.advance(HOUR);
    expect(limits.consume()).toBe(true);
    expect(limits.usageHeader()).toBe('api-usage=1/1');
  });

  it('builds the 403 error the server sends once the allocation is used up', () => {
    const err = totalRequestsExceeded();
    expect([err.status, err.errorCode, err.message]).toEqual([
      403,
      'REQUEST_LIMIT_EXCEEDED',
      'TotalRequests Limit exceeded.',
    ]);
  });
});

describe('Bulk API allocations and the /limits body', () => {
  it('counts internal batches against DailyBulkApiBatches and records against the 150M allowance', () => {
    const limits = createApiLimits(createFaults(), fakeClock().now);
    limits.recordBatch(10_000);
    limits.recordBatch(2_500);
    expect(limits.snapshot().DailyBulkApiBatches).toEqual({ Max: 15_000, Remaining: 14_998 });
    expect(limits.bulkAllowance()).toEqual({
      batchesRemaining: 14_998,
      recordsRemaining: 150_000_000 - 12_500,
    });
  });

  it('resets the Bulk counters with the 24-hour window', () => {
    const clock = fakeClock();
    const limits = createApiLimits(createFaults(), clock.now);
    limits.recordBatch(10_000);
    clock.advance(24 * HOUR);
    expect(limits.bulkAllowance()).toEqual({ batchesRemaining: 15_000, recordsRemaining: 150_000_000 });
  });

  it('reports a real-looking set of org limits in alphabetical order', () => {
    const limits = createApiLimits(createFaults(), fakeClock().now);
    limits.consume();
    const body = limits.snapshot();
    expect(body.DailyApiRequests).toEqual({ Max: 15_000, Remaining: 14_999 });
    for (const name of [
      'ConcurrentAsyncGetReportInstances',
      'DailyAsyncApexExecutions',
      'DailyBulkApiBatches',
      'DailyBulkV2QueryFileStorageMB',
      'DailyBulkV2QueryJobs',
      'DataStorageMB',
      'FileStorageMB',
      'HourlyODataCallout',
      'SingleEmail',
    ]) {
      expect(body[name], name).toEqual({ Max: expect.any(Number), Remaining: expect.any(Number) });
    }
    expect(body.DailyBulkV2QueryJobs).toEqual({ Max: 10_000, Remaining: 10_000 });
    const names = Object.keys(body);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});

import { describe, expect, it } from 'vitest';
import { createFaults, DEFAULT_FAULT_SPEC, parseFaultSpec } from '../../local/emulator/faults.ts';

describe('fault spec parsing', () => {
  it('reads every documented setting', () => {
    expect(
      parseFaultSpec('throttle=0.1,http5xx=0.2,lock=0.05,tokenTtl=60,apiLimit=100,processingMs=0,seed=42'),
    ).toEqual({
      throttle: 0.1,
      http5xx: 0.2,
      lock: 0.05,
      tokenTtl: 60,
      apiLimit: 100,
      processingMs: 0,
      seed: 42,
    });
  });

  it('ignores blanks around items and empty items, and an empty spec means no change', () => {
    expect(parseFaultSpec(' throttle = 1 , ,lock=0 ')).toEqual({ throttle: 1, lock: 0 });
    expect(parseFaultSpec('')).toEqual({});
  });

  it.each([
    [
      'throtle=0.1',
      /Unknown fault "throtle" in "throtle=0\.1"; expected one of throttle, http5xx, lock, tokenTtl/,
    ],
    ['Throttle=0.1', /Unknown fault "Throttle"/],
    ['throttle', /Fault spec item "throttle" is not name=value; names: throttle, http5xx/],
    ['throttle=1.5', /Bad value for fault "throttle" in "throttle=1\.5": expected a ratio between 0 and 1/],
    ['http5xx=-0.1', /Bad value for fault "http5xx" in "http5xx=-0\.1": expected a ratio between 0 and 1/],
    ['lock=abc', /Bad value for fault "lock" in "lock=abc": expected a ratio/],
    ['lock=', /Bad value for fault "lock" in "lock=": expected a ratio/],
    ['tokenTtl=0', /Bad value for fault "tokenTtl" in "tokenTtl=0": expected a whole number of seconds >= 1/],
    ['tokenTtl=1.5', /Bad value for fault "tokenTtl".*whole number of seconds/],
    [
      'apiLimit=-1',
      /Bad value for fault "apiLimit" in "apiLimit=-1": expected a whole number of requests >= 0/,
    ],
    ['apiLimit=0x10', /Bad value for fault "apiLimit" in "apiLimit=0x10"/],
    ['processingMs=fast', /Bad value for fault "processingMs".*whole number of milliseconds >= 0/],
    [
      'seed=4294967296',
      /Bad value for fault "seed" in "seed=4294967296": expected a whole number between 0 and 4294967295/,
    ],
    ['throttle=0.1,throttle=0.2', /Fault "throttle" is given more than once/],
  ])('rejects %s with a message naming the item and the allowed values', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  it('validates a parsed spec given programmatically too', () => {
    expect(() => createFaults({ throttle: 2 })).toThrow(
      /Bad value for fault "throttle": 2; expected a ratio/,
    );
    expect(() => createFaults({ bogus: 1 } as never)).toThrow(/Unknown fault "bogus"/);
  });
});

describe('fault injection', () => {
  const requestOutcomes = (faults: ReturnType<typeof createFaults>, n: number) =>
    Array.from(
      { length: n },
      () => faults.requestFault('GET', '/services/data/v62.0/jobs/ingest')?.status ?? 0,
    );
  const rowOutcomes = (faults: ReturnType<typeof createFaults>, n: number) =>
    Array.from({ length: n }, () => faults.rowLocked());

  it('injects nothing by default, with Developer Edition allocations', () => {
    const faults = createFaults();
    expect(faults.spec()).toEqual(DEFAULT_FAULT_SPEC);
    expect(faults.spec()).toMatchObject({ apiLimit: 15_000, tokenTtl: 7200, seed: 1 });
    expect(requestOutcomes(faults, 1000).every((s) => s === 0)).toBe(true);
    expect(rowOutcomes(faults, 1000).some(Boolean)).toBe(false);
  });

  it('repeats the same sequence for the same seed and a different one for another seed', () => {
    const spec = 'throttle=0.2,http5xx=0.2,lock=0.3,seed=7';
    const a = createFaults(spec);
    const b = createFaults(spec);
    expect(requestOutcomes(a, 200)).toEqual(requestOutcomes(b, 200));
    expect(rowOutcomes(a, 500)).toEqual(rowOutcomes(b, 500));
    const c = createFaults('throttle=0.2,http5xx=0.2,lock=0.3,seed=8');
    expect(requestOutcomes(c, 200)).not.toEqual(requestOutcomes(createFaults(spec), 200));
  });

  it('keeps locked rows where they are however many requests were made in between', () => {
    const quiet = createFaults('throttle=0.5,lock=0.25,seed=3');
    const chatty = createFaults('throttle=0.5,lock=0.25,seed=3');
    requestOutcomes(chatty, 137);
    expect(rowOutcomes(chatty, 400)).toEqual(rowOutcomes(quiet, 400));
  });

  it('injects faults at roughly the configured ratios', () => {
    const faults = createFaults('throttle=0.1,http5xx=0.2,lock=0.05,seed=11');
    const statuses = requestOutcomes(faults, 10_000);
    const throttled = statuses.filter((s) => s === 403).length;
    const serverErrors = statuses.filter((s) => s >= 500).length;
    expect(throttled / 10_000).toBeCloseTo(0.1, 1);
    expect(serverErrors / 10_000).toBeCloseTo(0.2, 1);
    expect(rowOutcomes(faults, 20_000).filter(Boolean).length / 20_000).toBeCloseTo(0.05, 1);
  });

  it('answers a throttled request with the transient concurrency limit error', () => {
    const faults = createFaults('throttle=1');
    expect(faults.requestFault('POST', '/services/data/v62.0/jobs/ingest')).toEqual({
      status: 403,
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
    });
  });

  it('answers injected server errors mostly with 503 SERVER_UNAVAILABLE and sometimes 500 with an ErrorId', () => {
    const faults = createFaults('http5xx=1,seed=5');
    const seen = Array.from({ length: 400 }, () => faults.requestFault('GET', '/x'));
    const unavailable = seen.filter((f) => f?.status === 503);
    const unexpected = seen.filter((f) => f?.status === 500);
    expect(unavailable.length + unexpected.length).toBe(400);
    expect(unavailable.length).toBeGreaterThan(unexpected.length);
    expect(unavailable[0]).toEqual({
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'Server Unavailable',
    });
    expect(unexpected[0]?.errorCode).toBe('UNKNOWN_EXCEPTION');
    expect(unexpected[0]?.message).toMatch(
      /^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(-?\d+\)$/,
    );
  });

  it('turns faults on and off at run time and re-seeds so the sequence after set() is reproducible', () => {
    const faults = createFaults('seed=9');
    expect(requestOutcomes(faults, 50).every((s) => s === 0)).toBe(true);
    faults.set('throttle=0.5');
    const first = requestOutcomes(faults, 100);
    expect(first.some((s) => s === 403)).toBe(true);
    faults.set({ throttle: 0.5 });
    expect(requestOutcomes(faults, 100)).toEqual(first);
    faults.set('throttle=0');
    expect(requestOutcomes(faults, 100).every((s) => s === 0)).toBe(true);
    expect(faults.spec()).toMatchObject({ throttle: 0, seed: 9 });
  });

  it('refuses a bad run-time change and keeps the previous settings', () => {
    const faults = createFaults('lock=0.1');
    expect(() => faults.set('lock=7')).toThrow(/Bad value for fault "lock"/);
    expect(faults.spec().lock).toBe(0.1);
  });
});

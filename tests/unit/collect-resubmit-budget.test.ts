/**
 * MAX_RESUBMITS, the Collect step's budget of resubmissions per part, is bounded: each resubmission is
 * one more job in the part's child execution, whose history Step Functions caps at 25,000 events
 * (the arithmetic is in functions/shared/config.ts; tests/e2e/history.test.ts measures it).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, MAX_RESUBMITS_CEILING, readConfig } from '../../functions/shared/config.ts';

const maxResubmits = (raw: string | undefined) => readConfig({ MAX_RESUBMITS: raw }).maxResubmits;

describe('MAX_RESUBMITS', () => {
  it('defaults to 3 resubmissions', () => {
    expect(maxResubmits(undefined)).toBe(3);
    expect(maxResubmits(' ')).toBe(3);
  });

  it.each(['0', '1', '5'])('accepts %s', (raw) => {
    expect(maxResubmits(raw)).toBe(Number(raw));
  });

  it('allows at most 5 resubmissions (6 jobs a part)', () => {
    expect(MAX_RESUBMITS_CEILING).toBe(5);
  });

  it.each(['6', '8', '100', '-1', '2.5', 'three'])(
    'refuses %s naming the variable and the range 0 to 5',
    (raw) => {
      expect(() => maxResubmits(raw)).toThrow(ConfigError);
      expect(() => maxResubmits(raw)).toThrow(
        `Environment variable MAX_RESUBMITS must be an integer from 0 to 5, got "${raw}"`,
      );
    },
  );

  it('keeps the open-ended range of the other integer settings', () => {
    expect(() => readConfig({ MAX_PART_RECORDS: '0' }).maxPartRecords).toThrow(
      'Environment variable MAX_PART_RECORDS must be an integer ≥ 1, got "0"',
    );
    expect(readConfig({ MAX_PART_RECORDS: '1000000' }).maxPartRecords).toBe(1_000_000);
  });
});

import { describe, expect, it } from 'vitest';
import type { CsvRow } from '../../functions/shared/csv.ts';
import { InvalidFileError, RejectThresholdError } from '../../functions/shared/errors.ts';
import type { Reject } from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import type { RejectThreshold } from '../../functions/shared/mapping/types.ts';
import {
  checkRejectThreshold,
  exceedsThreshold,
  validateRows,
} from '../../functions/validate/validate-file.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const plan = await planMapping(
  parseMapping(
    'object: Task\noperation: insert\nrejectThreshold: 1\nfields:\n  Subject: { column: s, required: true }\n',
    't.yaml',
  ),
  defaultOrgDescribe(),
);

async function* rows(...records: string[][]): AsyncIterable<CsvRow> {
  let line = 1;
  for (const fields of records) yield { line: line++, fields };
}

describe('validateRows', () => {
  it('counts data rows and rejected rows, passing every reject on', async () => {
    const rejects: Reject[] = [];
    const counts = await validateRows({
      plan,
      rows: rows(['s'], ['Call'], [''], ['a', 'b'], ['Email']),
      fileLabel: 'f.csv',
      onReject: async (reject) => void rejects.push(reject),
    });
    expect(counts).toEqual({ total: 4, rejected: 2 });
    expect(rejects.map((r) => [r.line, r.rule])).toEqual([
      [3, 'required'],
      [4, 'columnCount'],
    ]);
  });

  it('fails on an empty file', async () => {
    await expect(
      validateRows({ plan, rows: rows(), fileLabel: 'f.csv', onReject: async () => {} }),
    ).rejects.toThrow(
      new InvalidFileError('f.csv:1: the file is empty; it needs a header row naming its columns'),
    );
  });
});

describe('reject threshold', () => {
  it.each<[RejectThreshold | undefined, number, number, boolean]>([
    [undefined, 100, 100, false],
    [{ kind: 'count', value: 0 }, 100, 0, false],
    [{ kind: 'count', value: 0 }, 100, 1, true],
    [{ kind: 'count', value: 5 }, 100, 5, false],
    [{ kind: 'count', value: 5 }, 100, 6, true],
    [{ kind: 'ratio', value: 0.05 }, 100, 5, false],
    [{ kind: 'ratio', value: 0.05 }, 100, 6, true],
    [{ kind: 'ratio', value: 0.05 }, 0, 0, false],
  ])('threshold %j with %i rows and %i rejected: exceeded %s', (threshold, total, rejected, expected) => {
    expect(exceedsThreshold(threshold, { total, rejected })).toBe(expected);
  });

  it('names the figures and where the reasons are', () => {
    expect(() =>
      checkRejectThreshold(plan, { total: 40, rejected: 2 }, 'f.csv', 's3://w/runs/r/rejected.csv'),
    ).toThrow(
      new RejectThresholdError(
        'f.csv: 2 of 40 rows rejected (5%), more than the rejectThreshold of 1 row in t.yaml; nothing was loaded. Reasons: s3://w/runs/r/rejected.csv',
      ),
    );
  });
});

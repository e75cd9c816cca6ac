import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openCsv } from '../../functions/shared/csv.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { type GroupSink, transformRows } from '../../functions/transform/transform-rows.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const plan = await planMapping(
  parseMapping(readFileSync('mappings/care-tasks.yaml', 'utf8'), 'care-tasks.yaml'),
  defaultOrgDescribe(),
);

function memorySinks() {
  const groups = new Map<string, { header: string[]; rows: string[][]; closed: boolean; aborted?: Error }>();
  const openGroup = async (groupId: string, columns: string[]): Promise<GroupSink> => {
    const group = { header: columns, rows: [] as string[][], closed: false } as {
      header: string[];
      rows: string[][];
      closed: boolean;
      aborted?: Error;
    };
    groups.set(groupId, group);
    return {
      write: async (fields) => void group.rows.push([...fields]),
      close: async () => {
        group.closed = true;
      },
      abort: (error) => {
        group.aborted = error;
      },
    };
  };
  return { groups, openGroup };
}

describe('transformRows', () => {
  it('routes rows to groups by who_type and skips the rows Validate rejects', async () => {
    const { rows } = await openCsv(Readable.from([readFileSync('tests/fixtures/pipeline/care-tasks.csv')]), {
      fileLabel: 'care-tasks.csv',
    });
    const { groups, openGroup } = memorySinks();

    const result = await transformRows({ plan, rows, fileLabel: 'care-tasks.csv', openGroup });

    expect(result).toMatchObject({ total: 7, skipped: 2 });
    expect(result.groups.map((g) => [g.groupId, g.rows])).toEqual([
      ['task-upsert-whoid-contact', 3],
      ['task-upsert-whoid-lead', 2],
    ]);
    expect(groups.get('task-upsert-whoid-lead')?.rows.map((r) => [r[0], r[1], r[7]])).toEqual([
      ['3', 'T-1002', 'L-101'],
      ['7', 'T-1005', 'L-102'],
    ]);
    expect([...groups.values()].every((g) => g.closed)).toBe(true);
  });

  it('aborts every open group when the source fails midway', async () => {
    async function* failing() {
      yield {
        line: 1,
        fields:
          readFileSync('tests/fixtures/pipeline/care-tasks.csv', 'utf8').split('\n')[0]?.split(',') ?? [],
      };
      yield { line: 2, fields: ['T-1', 'S', '', '', '', '', 'patient', 'P-1', ''] };
      throw new Error('connection reset');
    }
    const { groups, openGroup } = memorySinks();

    await expect(transformRows({ plan, rows: failing(), fileLabel: 'f.csv', openGroup })).rejects.toThrow(
      'connection reset',
    );
    expect(groups.get('task-upsert-whoid-contact')).toMatchObject({
      closed: false,
      aborted: new Error('connection reset'),
    });
  });
});

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
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
      ['task-upsert-whoid-contact-whatid-account', 3],
      ['task-upsert-whoid-lead-whatid-account', 2],
    ]);
    expect(groups.get('task-upsert-whoid-lead-whatid-account')?.rows.map((r) => [r[0], r[1], r[7]])).toEqual([
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
    expect(groups.get('task-upsert-whoid-contact-whatid-account')).toMatchObject({
      closed: false,
      aborted: new Error('connection reset'),
    });
  });
});

describe('transformRows memory', () => {
  it('streams a file far larger than its heap growth', async () => {
    const ROWS = 600_000;
    const header = 'task_id,subject,status,priority,due_date,notes,who_type,who_ref,practice_ref\n';
    // ~100 bytes a row, generated on demand: about 60 MB of CSV that never exists whole.
    async function* source() {
      yield Buffer.from(header);
      for (let start = 0; start < ROWS; start += 1000) {
        let chunk = '';
        for (let i = start; i < start + 1000; i++) {
          chunk += `T-${i},Follow-up call number ${i},Not Started,High,2025-06-10,"a note, quoted",${i % 2 ? 'patient' : 'prospect'},P-${i},ACC-${i % 50}\n`;
        }
        yield Buffer.from(chunk);
      }
    }
    // Live heap, not garbage: collect before each sample.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    let written = 0;
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    // Sampled from inside the pipeline: the pass is all microtasks, so a timer would not get a turn.
    const sink: GroupSink = {
      write: async () => {
        if (++written % 100_000 !== 0) return;
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
      close: async () => {},
      abort: () => {},
    };
    const { rows } = await openCsv(source(), { fileLabel: 'big.csv' });
    const result = await transformRows({ plan, rows, fileLabel: 'big.csv', openGroup: async () => sink });

    expect(result.total).toBe(ROWS);
    expect(written).toBe(ROWS);
    expect(peak - before).toBeLessThan(16 * 1024 * 1024);
  });
});

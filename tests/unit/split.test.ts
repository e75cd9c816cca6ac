import { describe, expect, it } from 'vitest';
import type { GroupRef } from '../../functions/shared/contracts.ts';
import type { CsvRow } from '../../functions/shared/csv.ts';
import { formatCsvRecord } from '../../functions/shared/csv.ts';
import { type PartSink, splitGroup } from '../../functions/split/split-group.ts';

const GROUP: GroupRef = {
  groupId: 'task-upsert-whoid-contact',
  object: 'Task',
  operation: 'upsert',
  externalIdFieldName: 'External_Id__c',
  columns: ['External_Id__c', 'Subject'],
  key: 'staging/r/groups/task-upsert-whoid-contact.csv',
  rows: 0,
};

/** Bulk bytes of the header `External_Id__c,Subject\n`. */
const HEADER_BYTES = Buffer.byteLength('External_Id__c,Subject\n');

async function* staged(records: string[][]): AsyncIterable<CsvRow> {
  yield { line: 1, fields: ['__line', ...GROUP.columns] };
  let line = 2;
  for (const fields of records) yield { line: line++, fields };
}

/** Rows `[line, id, subject]` whose Bulk form (`T-00n,S…\n`) is `size` bytes each. */
function rows(count: number, size = 10): string[][] {
  return Array.from({ length: count }, (_, i) => {
    const id = `T-${String(i + 1).padStart(3, '0')}`;
    return [String(i + 2), id, 'S'.repeat(size - id.length - 2)];
  });
}

async function split(records: string[][], maxPartBytes: number, maxPartRecords: number) {
  const written = new Map<string, string>();
  const parts = await splitGroup({
    runId: 'r',
    group: GROUP,
    records: staged(records),
    limits: { maxPartBytes, maxPartRecords },
    partKey: (partId) => `staging/r/parts/${partId}.csv`,
    openPart: async (partId): Promise<PartSink> => {
      written.set(partId, '');
      return {
        write: async (text) => void written.set(partId, (written.get(partId) ?? '') + text),
        close: async () => {},
        abort: () => {},
      };
    },
  });
  return { parts, written };
}

describe('splitGroup', () => {
  it('fills a part up to exactly the byte cap, measured on the Bulk CSV without __line', async () => {
    const cap = HEADER_BYTES + 3 * 10;
    const { parts } = await split(rows(7), cap, 1000);
    expect(parts.map((p) => p.rows)).toEqual([3, 3, 1]);
  });

  it('starts a new part when one more byte would not fit', async () => {
    const { parts } = await split(rows(6), HEADER_BYTES + 3 * 10 - 1, 1000);
    expect(parts.map((p) => p.rows)).toEqual([2, 2, 2]);
  });

  it('cuts at the record cap', async () => {
    const { parts } = await split(rows(5), 1_000_000, 2);
    expect(parts.map((p) => [p.partId, p.rows])).toEqual([
      ['task-upsert-whoid-contact-0001', 2],
      ['task-upsert-whoid-contact-0002', 2],
      ['task-upsert-whoid-contact-0003', 1],
    ]);
  });

  it('writes staged parts with __line and the header, records whole and in order', async () => {
    const records = [
      ['2', 'T-1', 'two\nlines, "quoted"'],
      ['3', 'T-2', 'plain'],
    ];
    const { parts, written } = await split(records, 1_000_000, 1);
    expect(written.get(parts[0]?.partId ?? '')).toBe(
      `__line,External_Id__c,Subject\n${formatCsvRecord(records[0] as string[])}`,
    );
    expect(parts[1]).toEqual({
      runId: 'r',
      partId: 'task-upsert-whoid-contact-0002',
      groupId: 'task-upsert-whoid-contact',
      object: 'Task',
      operation: 'upsert',
      externalIdFieldName: 'External_Id__c',
      key: 'staging/r/parts/task-upsert-whoid-contact-0002.csv',
      rows: 1,
      attempt: 0,
    });
  });

  it('gives a record larger than the cap a part of its own rather than splitting it', async () => {
    const { parts } = await split(
      [...rows(1), ['3', 'T-big', 'x'.repeat(500)], ...rows(1)],
      HEADER_BYTES + 50,
      100,
    );
    expect(parts.map((p) => p.rows)).toEqual([1, 1, 1]);
  });

  it('produces no part for an empty group', async () => {
    expect((await split([], 1000, 10)).parts).toEqual([]);
  });

  it('refuses a staged file whose header does not match the group', async () => {
    const records = (async function* () {
      yield { line: 1, fields: ['__line', 'Subject'] };
    })();
    await expect(
      splitGroup({
        runId: 'r',
        group: GROUP,
        records,
        limits: { maxPartBytes: 100, maxPartRecords: 10 },
        partKey: (id) => id,
        openPart: async () => ({ write: async () => {}, close: async () => {}, abort: () => {} }),
      }),
    ).rejects.toThrow(/has header __line,Subject/);
  });
});

/**
 * The data plane reads, maps and writes a chunk of rows at a time for speed; these check that doing so
 * changes nothing a consumer sees: the same records, the same mapped rows and groups, the same bytes.
 */
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CSV_WRITE_BATCH_CHARS,
  type CsvRow,
  CsvWriter,
  hasBatches,
  openCsv,
} from '../../functions/shared/csv.ts';
import { mapRecordBatches, mapRecords } from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const CARE_TASKS = readFileSync('tests/fixtures/pipeline/care-tasks.csv');

/** The bytes as chunks of `size` bytes, so records and characters straddle chunk ends. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('reading CSV in batches', () => {
  it('gives the same records, lines included, as reading one record at a time', async () => {
    const text = Buffer.from('a,b\n1,"x\ny"\r\n\n2,é\n3,"q""t"\n4,last');
    const oneByOne = await collect((await openCsv(chunked(text, 3), { fileLabel: 'f.csv' })).rows);
    const opened = await openCsv(chunked(text, 3), { fileLabel: 'f.csv' });
    expect(hasBatches(opened.rows)).toBe(true);
    const batches = await collect(opened.rows.batches());

    expect(batches.flat()).toEqual(oneByOne);
    expect(oneByOne.map((r) => r.line)).toEqual([1, 2, 5, 6, 7]);
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
  });

  it('still fails at the line of a broken quote', async () => {
    const opened = await openCsv(chunked(Buffer.from('a,b\n1,2\n3,"open\n'), 4), { fileLabel: 'f.csv' });
    await expect(collect(opened.rows.batches())).rejects.toThrow('f.csv:3: a quoted value is never closed');
  });
});

const plan = await planMapping(
  parseMapping(readFileSync('mappings/care-tasks.yaml', 'utf8'), 'care-tasks.yaml'),
  defaultOrgDescribe(),
);

describe('mapping in batches', () => {
  it('maps every record as mapRecords does, from batched and from plain row sources', async () => {
    const expected = await collect(
      mapRecords(plan, (await openCsv(chunked(CARE_TASKS, 7), { fileLabel: 'c.csv' })).rows, 'c.csv'),
    );
    const batched = await collect(
      mapRecordBatches(plan, (await openCsv(chunked(CARE_TASKS, 7), { fileLabel: 'c.csv' })).rows, 'c.csv'),
    );
    async function* plainRows(): AsyncIterable<CsvRow> {
      yield* (await openCsv(chunked(CARE_TASKS, 7), { fileLabel: 'c.csv' })).rows;
    }
    const unbatched = await collect(mapRecordBatches(plan, plainRows(), 'c.csv'));

    expect(batched.flat()).toEqual(expected);
    expect(unbatched.flat()).toEqual(expected);
    expect(unbatched.every((batch) => batch.length === 1)).toBe(true);
    // Rows of the same job signature share one group string.
    const groups = expected.flatMap(({ result }) => (result.ok ? [result.group] : []));
    expect(new Set(groups)).toEqual(new Set(['0.0', '1.0']));
  });

  it('fails an empty file as mapRecords does', async () => {
    const empty = await openCsv(Readable.from([]), { fileLabel: 'e.csv' });
    await expect(collect(mapRecordBatches(plan, empty.rows, 'e.csv'))).rejects.toThrow(
      'e.csv:1: the file is empty',
    );
  });
});

describe('CsvWriter batching', () => {
  function recorder() {
    const writes: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, callback) {
        writes.push(String(chunk));
        callback();
      },
    });
    return { writes, out };
  }

  it('hands records to the stream in batches of about 64 KB, the rest on end', async () => {
    const { writes, out } = recorder();
    const writer = new CsvWriter(out);
    const record = ['x'.repeat(99)]; // 100 characters with the line break
    for (let i = 0; i < 1000; i++) await writer.write(record);
    expect(writes).toHaveLength(Math.floor((1000 * 100) / CSV_WRITE_BATCH_CHARS));
    expect(
      writes.every((w) => w.length >= CSV_WRITE_BATCH_CHARS && w.length < CSV_WRITE_BATCH_CHARS + 100),
    ).toBe(true);
    await writer.end();
    await new Promise((resolve) => out.on('finish', resolve));
    expect(writes.join('')).toBe(`${'x'.repeat(99)}\n`.repeat(1000));
    expect(writer.records).toBe(1000);
    expect(writer.bytes).toBe(100_000);
  });

  it('counts bytes, not characters, of what it has not written yet', async () => {
    const { out } = recorder();
    const writer = new CsvWriter(out);
    await writer.write(['é', 'ü']);
    expect(writer.bytes).toBe(Buffer.byteLength('é,ü\n'));
  });

  it('ends an empty file without writing anything', async () => {
    const { writes, out } = recorder();
    const writer = new CsvWriter(out);
    await writer.end();
    await new Promise((resolve) => out.on('finish', resolve));
    expect(writes).toEqual([]);
  });
});

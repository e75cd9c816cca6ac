/**
 * Collect Results' and Report's result files: rows go to the object in large batches rather than one
 * stream write each (small writes pin Node's shared buffer pool while an upload fills its part), in
 * the same RFC 4180 form as every staged file (a lone CR is quoted too, so a resubmitted part reads
 * back exactly like the part it came from).
 */
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { UNPROCESSED_HEADER } from '../../functions/collect-results/collect.ts';
import { CsvSink, type ObjectSink } from '../../functions/collect-results/csv-sink.ts';
import { formatCsvRecord } from '../../functions/shared/csv.ts';

/** An object that records every write it is handed and the bytes it ends up holding. */
function countingObject() {
  const chunks: Buffer[] = [];
  const opened: string[] = [];
  let writes = 0;
  const open = (key: string): ObjectSink => {
    opened.push(key);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes++;
        chunks.push(chunk);
        callback();
      },
    });
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    // As writeObjectStream's: a writer that fails first may never await `done`.
    done.catch(() => {});
    return { stream, done };
  };
  return { open, opened, writes: () => writes, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The file as one write per record would have made it: header first, each record on its own. */
const unbatched = (header: string[], rows: (string | number)[][]) =>
  [header, ...rows].map((row) => formatCsvRecord(row.map(String))).join('');

const AWKWARD_VALUES = [
  '',
  ' padded ',
  'comma, inside',
  'say "hi"',
  '"',
  'two\nlines',
  'crlf\r\nbreak',
  'lone\rreturn',
  'trailing\r',
  'é ü 漢字 😀',
  '=1+2',
  '-5',
  '\t',
  '#N/A',
];

describe('CsvSink', () => {
  it('writes many rows in far fewer stream writes, with the same bytes as one write per row', async () => {
    const object = countingObject();
    const sink = new CsvSink('results/unprocessed.csv', UNPROCESSED_HEADER, object.open);
    const rows: (string | number)[][] = [];
    for (let line = 2; line < 20_002; line++) {
      const reason = AWKWARD_VALUES[line % AWKWARD_VALUES.length] as string;
      rows.push([line, 'Task', 'insert', '750000000000000001', reason]);
    }
    for (const row of rows) await sink.write(row);

    expect(await sink.end()).toBe('results/unprocessed.csv');
    expect(sink.rows).toBe(20_000);
    expect(object.text()).toBe(unbatched(UNPROCESSED_HEADER, rows));
    expect(object.writes()).toBeGreaterThan(1);
    expect(object.writes()).toBeLessThan(rows.length / 100);
  });

  it.each(AWKWARD_VALUES.map((value) => [JSON.stringify(value), value]))(
    'writes %s so that a CSV reader gets it back unchanged',
    async (_label, value) => {
      const object = countingObject();
      const sink = new CsvSink('results/failed.csv', ['a', 'b', 'c', 'd'], object.open);
      await sink.write([value, 7, value, '']);
      await sink.end();
      expect(parse(object.text(), { relax_quotes: false })).toEqual([
        ['a', 'b', 'c', 'd'],
        [value, '7', value, ''],
      ]);
    },
  );

  it('creates no object when no row is written', async () => {
    const object = countingObject();
    const sink = new CsvSink('results/failed.csv', ['line'], object.open);

    expect(await sink.end()).toBeUndefined();
    expect(object.opened).toEqual([]);
  });

  it('fails the next write, rather than waiting forever, once the upload has failed', async () => {
    let stream: Writable | undefined;
    const sink = new CsvSink('results/succeeded.csv', ['line', 'id'], () => {
      const object = countingObject().open('results/succeeded.csv');
      stream = object.stream;
      return object;
    });
    await sink.write([2, '00T000000000001']);
    stream?.destroy(new Error('upload aborted'));
    // The error is emitted and gone before the sink next hands the stream a batch.
    await new Promise((resolve) => setImmediate(resolve));

    await expect(
      (async () => {
        for (let line = 3; line < 100_000; line++) await sink.write([line, 'x'.repeat(100)]);
      })(),
    ).rejects.toThrow('upload aborted');
  });
});

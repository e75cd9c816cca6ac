/**
 * Collect Results' and Report's result files: rows go to the object in large batches rather than one
 * stream write each (small writes pin Node's shared buffer pool while an upload fills its part), and
 * the bytes are exactly what csv-stringify wrote when each row was its own write.
 */
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { UNPROCESSED_HEADER } from '../../functions/collect-results/collect.ts';
import { CsvSink, formatResultRecord, type ObjectSink } from '../../functions/collect-results/csv-sink.ts';

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

/** What the sink wrote before batching: csv-stringify, LF records, header first. */
const stringified = (header: string[], rows: (string | number)[][]) =>
  stringify([header, ...rows.map((row) => row.map(String))], { record_delimiter: '\n' });

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
    expect(object.text()).toBe(stringified(UNPROCESSED_HEADER, rows));
    expect(object.writes()).toBeGreaterThan(1);
    expect(object.writes()).toBeLessThan(rows.length / 100);
  });

  it.each(AWKWARD_VALUES.map((value) => [JSON.stringify(value), value]))(
    'formats %s exactly as csv-stringify did',
    (_label, value) => {
      const record = [value, 7, value, ''];
      expect(formatResultRecord(record)).toBe(stringify([record.map(String)], { record_delimiter: '\n' }));
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

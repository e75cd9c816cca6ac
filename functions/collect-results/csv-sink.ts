import type { Writable } from 'node:stream';
import { CsvWriter } from '../shared/csv.ts';

export interface ObjectSink {
  stream: Writable;
  done: Promise<void>;
}

const NEEDS_QUOTES = /[",\n]/;

/**
 * One record as these files have always been written (csv-stringify with an LF record delimiter):
 * quoted only for a comma, a quote or an LF, quotes doubled. Unlike `formatCsvRecord`, a lone CR
 * stays unquoted, so result files and resubmitted parts keep their exact bytes.
 */
export function formatResultRecord(fields: readonly (string | number)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const value = String(fields[i]);
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return `${line}\n`;
}

/**
 * A CSV object written with backpressure, created only when its first row arrives (so a part with no
 * failures leaves no empty failed.csv behind). Rows go out in CsvWriter's ~64 KB batches, not one
 * stream write each: each small write would be a slice of Node's shared 8 KB buffer pool, and an
 * upload still filling its 5 MiB part keeps alive every slab holding one of its rows, the other
 * files' rows included — Collect writes up to four files at once.
 */
export class CsvSink {
  readonly key: string;
  rows = 0;
  private readonly header: string[];
  private readonly open: (key: string) => ObjectSink;
  private csv: CsvWriter | undefined;
  private sink: ObjectSink | undefined;

  constructor(key: string, header: string[], open: (key: string) => ObjectSink) {
    this.key = key;
    this.header = header;
    this.open = open;
  }

  async write(row: readonly (string | number)[]): Promise<void> {
    if (!this.sink || !this.csv) {
      this.sink = this.open(this.key);
      this.csv = new CsvWriter(this.sink.stream);
      await this.csv.writeRaw(formatResultRecord(this.header));
    }
    // A failed upload destroys its stream; writing to it then would wait for a 'drain' that never comes.
    const failure = this.sink.stream.errored;
    if (failure) throw failure;
    this.rows++;
    await this.csv.writeRaw(formatResultRecord(row));
  }

  /** Finishes the object; the key when anything was written, else undefined. */
  async end(): Promise<string | undefined> {
    if (!this.csv || !this.sink) return undefined;
    await this.csv.end();
    await this.sink.done;
    return this.key;
  }
}

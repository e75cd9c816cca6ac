import type { Writable } from 'node:stream';
import { CsvWriter, formatCsvRecord } from '../shared/csv.ts';

export interface ObjectSink {
  stream: Writable;
  done: Promise<void>;
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
      await this.csv.writeRaw(formatCsvRecord(this.header));
    }
    this.rows++;
    await this.csv.writeRaw(formatCsvRecord(row.map(String)));
  }

  /** Finishes the object; the key when anything was written, else undefined. */
  async end(): Promise<string | undefined> {
    if (!this.csv || !this.sink) return undefined;
    await this.csv.end();
    await this.sink.done;
    return this.key;
  }
}

import { once } from 'node:events';
import { pipeline, type Writable } from 'node:stream';
import { type Stringifier, stringify } from 'csv-stringify';

export interface ObjectSink {
  stream: Writable;
  done: Promise<void>;
}

/**
 * A CSV object written row by row with backpressure, created only when its first row arrives (so a
 * part with no failures leaves no empty failed.csv behind).
 */
export class CsvSink {
  readonly key: string;
  rows = 0;
  private readonly header: string[];
  private readonly open: (key: string) => ObjectSink;
  private csv: Stringifier | undefined;
  private sink: ObjectSink | undefined;

  constructor(key: string, header: string[], open: (key: string) => ObjectSink) {
    this.key = key;
    this.header = header;
    this.open = open;
  }

  async write(row: (string | number)[]): Promise<void> {
    if (!this.csv) {
      this.sink = this.open(this.key);
      this.csv = stringify({ record_delimiter: '\n' });
      // pipeline carries an upload failure back to `csv`, so a pending 'drain' wait rejects.
      pipeline(this.csv, this.sink.stream, () => {});
      this.csv.write(this.header);
    }
    this.rows++;
    if (!this.csv.write(row.map(String))) await once(this.csv, 'drain');
  }

  /** Finishes the object; the key when anything was written, else undefined. */
  async end(): Promise<string | undefined> {
    if (!this.csv || !this.sink) return undefined;
    this.csv.end();
    await this.sink.done;
    return this.key;
  }
}

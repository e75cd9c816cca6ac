import { type FileHandle, open, truncate } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';

/**
 * Appends CSV rows to a result file in Salesforce's results format (reference §3): `sf__` header names
 * quoted, the uploaded header names as they were, every value quoted, LF line endings, the job's delimiter.
 */
export class ResultsWriter {
  private readonly handle: FileHandle;
  private readonly delimiter: string;
  bytes: number;

  private constructor(handle: FileHandle, delimiter: string, bytes: number) {
    this.handle = handle;
    this.delimiter = delimiter;
    this.bytes = bytes;
  }

  /** Opens for appending; `resumeAt` cuts off anything written after the last checkpoint. */
  static async open(file: string, delimiter: string, resumeAt?: number): Promise<ResultsWriter> {
    if (resumeAt !== undefined) await truncate(file, resumeAt);
    const handle = await open(file, resumeAt === undefined ? 'w' : 'a');
    return new ResultsWriter(handle, delimiter, resumeAt ?? 0);
  }

  async writeHeader(names: readonly string[]): Promise<void> {
    await this.append(
      stringify([names as string[]], {
        delimiter: this.delimiter,
        record_delimiter: 'unix',
        quoted_match: /^sf__/,
      }),
    );
  }

  async writeRows(rows: readonly string[][]): Promise<void> {
    if (rows.length === 0) return;
    await this.append(
      stringify(rows as string[][], {
        delimiter: this.delimiter,
        record_delimiter: 'unix',
        quoted: true,
        quoted_empty: true,
      }),
    );
  }

  private async append(text: string): Promise<void> {
    const buffer = Buffer.from(text, 'utf8');
    await this.handle.write(buffer);
    this.bytes += buffer.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export interface CsvRecord {
  cells: string[];
  /** Line of the file where the record ends (1-based). */
  line: number;
  /** Set when the row could not be parsed (e.g. a space after a closing quote): a row-level failure. */
  parseError?: string;
}

export interface CsvReadOptions {
  delimiter: string;
  /** LF or CRLF as the job says; undefined lets the parser detect it (seed files). */
  recordDelimiter?: string;
}

/**
 * Streams the records of a CSV file as uploaded: no trimming, no type casting, blank lines skipped. A
 * malformed row does not stop the file; it is yielded with `parseError` and no cells (Salesforce fails
 * only that row). The header is always the first record yielded.
 */
export async function* readCsvRecords(file: string, options: CsvReadOptions): AsyncGenerator<CsvRecord> {
  const skipped: CsvRecord[] = [];
  let lastSkippedLine = -1;
  const parser = createReadStream(file).pipe(
    parse({
      delimiter: options.delimiter,
      ...(options.recordDelimiter === undefined ? {} : { record_delimiter: options.recordDelimiter }),
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (err) => {
        const line = Number(err?.lines ?? 0);
        // csv-parse can report one bad record more than once; it is one row.
        if (line === lastSkippedLine) return;
        lastSkippedLine = line;
        skipped.push({ cells: [], line, parseError: err?.message ?? 'unparseable row' });
      },
    }),
  );
  let headerSeen = false;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (headerSeen) while (skipped.length > 0) yield skipped.shift() as CsvRecord;
    headerSeen = true;
    yield { cells: item.record, line: item.info.lines };
  }
  while (skipped.length > 0) yield skipped.shift() as CsvRecord;
}

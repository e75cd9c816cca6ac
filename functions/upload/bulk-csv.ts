import { pipeline, type Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

export const LINE_COLUMN = '__line';

/**
 * A staged part (`__line,<Bulk columns>`) as the CSV Salesforce gets: the same rows without the
 * `__line` column, comma-delimited, LF line endings (the job is created with exactly these settings).
 * Row by row, so memory stays flat whatever the part's size.
 */
export function toBulkCsv(part: Readable): Readable {
  let header = true;
  const dropLineColumn = new Transform({
    objectMode: true,
    transform(row: string[], _encoding, callback) {
      if (header) {
        header = false;
        if (row[0] !== LINE_COLUMN) {
          callback(new Error(`Staged part does not start with the ${LINE_COLUMN} column`));
          return;
        }
      }
      callback(null, row.slice(1));
    },
  });
  const out = stringify({ record_delimiter: '\n' });
  // pipeline destroys every stream on failure, so the reader of `out` sees the error.
  pipeline(part, parse({ bom: true }), dropLineColumn, out, () => {});
  return out;
}

/** A staged part opened for reading: its Bulk columns, from its own header, and then its rows. */
export interface StagedPart {
  /** The Bulk CSV header: the part file's header without `__line`. */
  columns: string[];
  /** The rows as arrays `[__line, ...values]`, once. */
  rows: AsyncIterable<string[]>;
}

/**
 * Reads a staged part's header and hands over the rest as rows. The header is the source of truth for
 * the columns: state carries no column list (functions/shared/contracts.ts, PartRef).
 */
export async function readPart(part: Readable): Promise<StagedPart> {
  const parser = parse({ bom: true });
  // pipeline destroys the parser when the object's stream fails, so the rows' reader sees the error.
  pipeline(part, parser, () => {});
  const records = (parser as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  const first = await records.next();
  const header = first.done ? undefined : first.value;
  if (header?.[0] !== LINE_COLUMN) {
    parser.destroy();
    throw new Error(`Staged part does not start with the ${LINE_COLUMN} column`);
  }
  return { columns: header.slice(1), rows: { [Symbol.asyncIterator]: () => records } };
}

/** The rows of a staged part as arrays `[__line, ...values]`, header skipped. */
export async function* partRows(part: Readable): AsyncIterable<string[]> {
  let header = true;
  for await (const row of part.pipe(parse({ bom: true })) as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      continue;
    }
    yield row;
  }
}

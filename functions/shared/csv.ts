/**
 * Streaming CSV: reading source files (UTF-8 check, BOM, delimiter sniffing, physical line numbers)
 * and writing Bulk API CSV (RFC 4180 quoting, LF). Nothing here holds a whole file.
 */
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type Stringifier, stringify } from 'csv-stringify';
import { InvalidFileError } from './errors.ts';

/** One record and the physical line it starts on (the header is line 1). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** The delimiters Bulk API 2.0 accepts (`columnDelimiter`), in order of preference on a tie. */
export const DELIMITERS = [',', ';', '\t', '|', '^', '`'] as const;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 5;

export interface OpenCsvOptions {
  /** Fixed delimiter; sniffed from the first lines when absent. */
  delimiter?: string;
  /** Names the file in error messages, e.g. `s3://landing/incoming/care-tasks/x.csv`. */
  fileLabel: string;
}

/**
 * Records that can also be read a chunk's worth at a time: a consumer doing little per record (the
 * mapping) saves the async-iteration cost of one `await` per row. Either way of reading consumes the
 * same source, so read one of them, once.
 */
export interface CsvRows extends AsyncIterable<CsvRow> {
  batches(): AsyncIterable<CsvRow[]>;
}

/** Whether `rows` can be read in batches (rows from `openCsv` and `parseOwnCsv` can). */
export function hasBatches(rows: AsyncIterable<CsvRow>): rows is CsvRows {
  return typeof (rows as Partial<CsvRows>).batches === 'function';
}

export interface OpenedCsv {
  delimiter: string;
  /** Records in file order, the header first; blank lines are skipped but still counted. */
  rows: CsvRows;
}

/**
 * Opens a CSV byte stream: strips a UTF-8 BOM, fails with InvalidFileError (file, line, byte) on the
 * first byte sequence that is not UTF-8, sniffs the delimiter unless given, and parses records with
 * their physical start line. Rows of any width come through; checking the width is the caller's rule.
 */
export async function openCsv(
  source: AsyncIterable<Buffer | string>,
  options: OpenCsvOptions,
): Promise<OpenedCsv> {
  const { head, rest } = await peekHead(source, SNIFF_BYTES);
  const body = head.subarray(0, 3).equals(UTF8_BOM) ? head.subarray(3) : head;
  const delimiter = options.delimiter ?? sniffDelimiter(body.toString('utf8'));
  const bytes = checkUtf8(prepend(body, rest), options.fileLabel);
  return { delimiter, rows: parseRows(bytes, delimiter, options.fileLabel) };
}

/**
 * The most frequent Bulk API delimiter outside double quotes in the first complete lines (comma when
 * none appears, e.g. a one-column file).
 */
export function sniffDelimiter(sample: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let lines = 0;
  for (let i = 0; i < sample.length && lines < SNIFF_LINES; i++) {
    const char = sample[i] as string;
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && char === '\n') lines++;
    else if (!inQuotes && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: string = ',';
  let bestCount = 0;
  for (const [delimiter, count] of counts) {
    if (count > bestCount) [best, bestCount] = [delimiter, count];
  }
  return best;
}

/** Reads at least `bytes` bytes (or the whole stream if shorter) and hands back the rest unread. */
export async function peekHead(
  source: AsyncIterable<Buffer | string>,
  bytes: number,
): Promise<{ head: Buffer; rest: AsyncIterator<Buffer | string> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer | string>): AsyncIterable<Buffer> {
  if (head.length > 0) yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield toBuffer(next.value);
}

/**
 * Passes bytes through unchanged, failing at the first invalid UTF-8 sequence with its physical line.
 * A multi-byte character split across chunks is carried to the next chunk, not mistaken for an error.
 */
export async function* checkUtf8(source: AsyncIterable<Buffer>, fileLabel: string): AsyncIterable<Buffer> {
  let carry = Buffer.alloc(0);
  let line = 1;
  let offset = 0;
  for await (const chunk of source) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const complete = bytes.length - incompleteTail(bytes);
    const checked = bytes.subarray(0, complete);
    if (!isUtf8(checked)) throw invalidUtf8(fileLabel, checked, line, offset);
    line += countNewlines(checked);
    offset += complete;
    carry = Buffer.from(bytes.subarray(complete));
    if (checked.length > 0) yield checked;
  }
  if (carry.length > 0) throw invalidUtf8(fileLabel, carry, line, offset, true);
}

/** Bytes at the end that start a multi-byte character which the chunk does not finish. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

function invalidUtf8(fileLabel: string, bytes: Buffer, line: number, offset: number, truncated = false) {
  const at = truncated ? 0 : firstInvalidByte(bytes);
  const lineAt = line + countNewlines(bytes.subarray(0, at));
  return new InvalidFileError(
    `${fileLabel}:${lineAt}: the file is not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${offset + at}${truncated ? ', truncated character at end of file' : ''}); save it as UTF-8`,
  );
}

function firstInvalidByte(bytes: Buffer): number {
  // Binary search on the longest valid prefix; cutting inside a character only makes that prefix invalid.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    const prefix = bytes.subarray(0, middle);
    if (isUtf8(prefix.subarray(0, prefix.length - incompleteTail(prefix)))) low = middle;
    else high = middle - 1;
  }
  return low - incompleteTail(bytes.subarray(0, low));
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * RFC 4180 records with the physical line each starts on. Own scanner rather than csv-parse: its
 * `info.lines` counts CR and LF separately inside quotes and miscounts CRLF blank lines, and exact
 * lines are what users get in rejected.csv. Accepts LF and CRLF (even mixed); skips blank lines.
 */
function parseRows(bytes: AsyncIterable<Buffer>, delimiter: string, fileLabel: string): CsvRows {
  const batches = parseRowBatches(bytes, delimiter, fileLabel);
  return {
    batches: () => batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) yield* batch;
    },
  };
}

/** The records each chunk of text completes, one array per chunk (empty chunks yield nothing). */
async function* parseRowBatches(
  bytes: AsyncIterable<Buffer>,
  delimiter: string,
  fileLabel: string,
): AsyncIterable<CsvRow[]> {
  const scanner = new CsvScanner(delimiter, fileLabel);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of bytes) {
    const rows = scanner.push(decoder.write(chunk));
    if (rows.length > 0) yield rows;
  }
  const tail = scanner.push(decoder.end());
  if (tail.length > 0) yield tail;
  const last = scanner.finish();
  if (last.length > 0) yield last;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Incremental CSV scanner: feed text chunks, collect finished records. */
export class CsvScanner {
  readonly #delimiter: number;
  readonly #fileLabel: string;
  #fields: string[] = [];
  #field = '';
  #state: 'start' | 'unquoted' | 'quoted' | 'quoteInQuoted' = 'start';
  #wasQuoted = false;
  #line = 1;
  #recordLine = 1;

  constructor(delimiter: string, fileLabel: string) {
    if (delimiter.length !== 1)
      throw new InvalidFileError(`${fileLabel}: the delimiter must be one character`);
    this.#delimiter = delimiter.charCodeAt(0);
    this.#fileLabel = fileLabel;
  }

  push(text: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const delimiter = this.#delimiter;
    const length = text.length;
    // The state lives in a local while scanning (a private field read per character is slower).
    let state = this.#state;
    let runStart = 0; // start of the not yet copied run of plain characters in `text`
    for (let i = 0; i < length; i++) {
      let code = text.charCodeAt(i);
      if (state === 'start') {
        if (code === QUOTE) {
          state = 'quoted';
          this.#wasQuoted = true;
          runStart = i + 1;
          continue;
        }
        state = 'unquoted';
        runStart = i;
      }
      if (state === 'unquoted') {
        // A quote inside an unquoted value (`5" tall`) is kept as a literal; output re-quotes it.
        while (code !== delimiter && code !== LF) {
          if (++i === length) break;
          code = text.charCodeAt(i);
        }
        if (i === length) break;
        this.#field += text.slice(runStart, i);
        if (code === delimiter) this.#endField();
        else {
          if (this.#field.endsWith('\r')) this.#field = this.#field.slice(0, -1);
          this.#endRecord(rows);
        }
        state = 'start';
      } else if (state === 'quoted') {
        while (code !== QUOTE) {
          if (code === LF) this.#line++;
          if (++i === length) break;
          code = text.charCodeAt(i);
        }
        if (i === length) break;
        this.#field += text.slice(runStart, i);
        state = 'quoteInQuoted';
      } else if (code === QUOTE) {
        this.#field += '"';
        state = 'quoted';
        runStart = i + 1;
      } else if (code === delimiter) {
        this.#endField();
        state = 'start';
      } else if (code === LF) {
        this.#endRecord(rows);
        state = 'start';
      } else if (code === CR && (i + 1 === length || text.charCodeAt(i + 1) === LF)) {
        // CRLF after a closing quote (at a chunk end, its LF comes with the next chunk)
      } else {
        throw this.#error(
          this.#line,
          'unexpected character after a closing quote (quote a value whole, without spaces around the quotes)',
        );
      }
    }
    this.#state = state;
    if (state === 'unquoted' || state === 'quoted') this.#field += text.slice(runStart);
    return rows;
  }

  /** Records left at the end of input (a last line without a line break). */
  finish(): CsvRow[] {
    if (this.#state === 'quoted') {
      throw this.#error(this.#recordLine, 'a quoted value is never closed (missing ")');
    }
    const rows: CsvRow[] = [];
    if (this.#field.endsWith('\r') && this.#state === 'unquoted') this.#field = this.#field.slice(0, -1);
    this.#endRecord(rows);
    return rows;
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
    this.#state = 'start';
    this.#wasQuoted = false;
  }

  /** Ends the record at a line break (or the end of input) and moves to the next line. */
  #endRecord(rows: CsvRow[]): void {
    const blank = this.#fields.length === 0 && this.#field === '' && !this.#wasQuoted;
    this.#endField();
    if (!blank) rows.push({ line: this.#recordLine, fields: this.#fields });
    this.#fields = [];
    this.#line++;
    this.#recordLine = this.#line;
  }

  #error(line: number, message: string): InvalidFileError {
    return new InvalidFileError(`${this.#fileLabel}:${line}: ${message}`);
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One record as Bulk API CSV (comma, LF): a value is quoted only when it holds a comma, a quote or a
 * line break, with embedded quotes doubled. Values are never trimmed.
 */
export function formatCsvRecord(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const value = fields[i] as string;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return `${line}\n`;
}

/** Characters a CsvWriter collects before handing them to its stream in one write. */
export const CSV_WRITE_BATCH_CHARS = 64 * 1024;

const WRITTEN = Promise.resolve();

/**
 * Writes CSV records to a writable with backpressure: records are collected into one string of about
 * 64 KB and written together, and `write` then resolves once the destination can take more, so a
 * producer awaiting it never buffers more than that batch plus the stream's high-water mark.
 * Batching matters for speed (one stream write per row was the largest cost of staging) and for memory:
 * each small write became a slice of Node's shared 8 KB buffer pool, and a multipart upload still
 * collecting its 5 MB part kept alive every pool slab holding one of its rows, with the other groups'
 * rows in them — so memory grew with the number of files written at once.
 */
export class CsvWriter {
  readonly #out: Writable;
  #pending = '';
  #flushedBytes = 0;
  #records = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  /** Bytes written so far (including the batch not yet handed to the stream). */
  get bytes(): number {
    return this.#flushedBytes + Buffer.byteLength(this.#pending);
  }

  /** Records written so far (a header counts). */
  get records(): number {
    return this.#records;
  }

  write(fields: readonly string[]): Promise<void> {
    return this.writeRaw(formatCsvRecord(fields));
  }

  /** Writes an already formatted record (with its line break). */
  writeRaw(text: string): Promise<void> {
    // A failed upload destroys its stream: stop at the next record rather than batching more for it.
    const failure = this.#out.errored;
    if (failure) return Promise.reject(failure);
    this.#records++;
    this.#pending += text;
    return this.#pending.length >= CSV_WRITE_BATCH_CHARS ? this.#flush() : WRITTEN;
  }

  async #flush(): Promise<void> {
    const chunk = this.#pending;
    this.#pending = '';
    this.#flushedBytes += Buffer.byteLength(chunk);
    if (!this.#out.write(chunk)) await once(this.#out, 'drain');
  }

  /** Writes what is left and ends the stream. */
  async end(): Promise<void> {
    const chunk = this.#pending;
    this.#pending = '';
    this.#flushedBytes += Buffer.byteLength(chunk);
    if (chunk !== '') this.#out.end(chunk);
    else this.#out.end();
  }
}

/** A csv-stringify stream writing Bulk-style CSV (comma, LF, quoting only when needed). */
export function stringifyCsv(header?: readonly string[]): Stringifier {
  return stringify({
    delimiter: ',',
    record_delimiter: 'unix',
    ...(header ? { header: true, columns: [...header] } : {}),
  });
}

/** Splits a Readable of CSV bytes into rows without the UTF-8 and sniffing checks (our own files). */
export function parseOwnCsv(input: Readable, delimiter = ','): CsvRows {
  return parseRows(checkUtf8(input, 'staged file'), delimiter, 'staged file');
}

import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvWriter, formatCsvRecord, openCsv, sniffDelimiter } from '../../functions/shared/csv.ts';
import { InvalidFileError } from '../../functions/shared/errors.ts';

/** Reads a CSV given as chunks (strings or bytes), returning [line, fields] pairs. */
async function read(chunks: (string | Buffer)[], delimiter?: string) {
  const source = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  const opened = await openCsv(source, { fileLabel: 'f.csv', ...(delimiter ? { delimiter } : {}) });
  const rows: [number, string[]][] = [];
  for await (const row of opened.rows) rows.push([row.line, row.fields]);
  return { delimiter: opened.delimiter, rows };
}

async function readError(chunks: (string | Buffer)[]): Promise<string> {
  const error = await read(chunks).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidFileError);
  return (error as Error).message;
}

describe('openCsv', () => {
  it('gives each record the physical line it starts on, across quoted line breaks and blank lines', async () => {
    const { rows } = await read(['a,b\r\n1,"x\r\ny\nz"\r\n\r\n3,4\n\n5,"\n"\n6,7']);
    expect(rows).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'x\r\ny\nz']],
      [6, ['3', '4']],
      [8, ['5', '\n']],
      [10, ['6', '7']],
    ]);
  });

  it('reads the same records whatever the chunk boundaries', async () => {
    const text = 'id,note\r\n1,"say ""hi"", then\r\nleave"\r\n2,é€😀\r\n';
    const whole = await read([text]);
    const bytes = Buffer.from(text);
    const oneByteChunks = await read([...bytes].map((b) => Buffer.from([b])));
    expect(oneByteChunks.rows).toEqual(whole.rows);
    expect(whole.rows[1]).toEqual([2, ['1', 'say "hi", then\r\nleave']]);
    expect(whole.rows[2]).toEqual([4, ['2', 'é€😀']]);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const { rows } = await read([Buffer.from([0xef, 0xbb, 0xbf]), '"id",name\n1,a\n']);
    expect(rows[0]).toEqual([1, ['id', 'name']]);
  });

  it('sniffs the delimiter outside quotes and honours a fixed one', async () => {
    expect((await read(['a;b;c\n"x,y,z";2;3\n'])).delimiter).toBe(';');
    expect((await read(['a\tb\n1\t2\n'])).rows[1]).toEqual([2, ['1', '2']]);
    expect((await read(['a;b\n1,2;3\n'], ',')).rows[1]).toEqual([2, ['1', '2;3']]);
    expect(sniffDelimiter('single_column\nvalue\n')).toBe(',');
  });

  it('fails on bytes that are not UTF-8, naming the line', async () => {
    expect(await readError(['a,b\n1,2\n', Buffer.from([0x33, 0x2c, 0xe9, 0x0a])])).toBe(
      'f.csv:3: the file is not valid UTF-8 (byte 0xe9 at offset 10); save it as UTF-8',
    );
  });

  it('fails on a character cut off at the end of the file', async () => {
    expect(await readError(['a\n', Buffer.from([0xe2, 0x82])])).toMatch(/^f\.csv:2: .*truncated character/);
  });

  it('fails on a quote that is never closed, naming the line where it opened', async () => {
    expect(await readError(['a,b\n1,2\n3,"open\n\n'])).toBe(
      'f.csv:3: a quoted value is never closed (missing ")',
    );
  });

  it('fails on text after a closing quote', async () => {
    expect(await readError(['a,b\n"x" ,2\n'])).toMatch(
      /^f\.csv:2: unexpected character after a closing quote/,
    );
  });

  it('keeps a quote inside an unquoted value as a literal', async () => {
    expect((await read(['h,w\nbox,5" tall\n'])).rows[1]).toEqual([2, ['box', '5" tall']]);
  });
});

describe('formatCsvRecord', () => {
  it.each([
    [['a', 'b'], 'a,b\n'],
    [['x,y', 'say "hi"'], '"x,y","say ""hi"""\n'],
    [['two\nlines', ' padded '], '"two\nlines", padded \n'],
    [['', '#N/A'], ',#N/A\n'],
  ])('formats %j as Bulk CSV', (fields, expected) => {
    expect(formatCsvRecord(fields)).toBe(expected);
  });
});

describe('CsvWriter', () => {
  it('waits for the destination to drain instead of buffering', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk, _encoding, callback) {
        received.push(String(chunk));
        setTimeout(callback, 1);
      },
    });
    const writer = new CsvWriter(slow);
    for (let i = 0; i < 50; i++) {
      await writer.write([String(i), 'value']);
      expect(slow.writableLength).toBeLessThanOrEqual(32);
    }
    await writer.end();
    await new Promise((resolve) => slow.on('finish', resolve));
    expect(received.join('')).toContain('49,value\n');
    expect(writer.records).toBe(50);
  });

  it('fails the next batch instead of waiting forever once the destination has failed', async () => {
    const failed = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    failed.on('error', () => {});
    // The upload behind the stream was refused before this batch: a destroyed stream never drains.
    failed.destroy(new Error('upload refused'));
    const writer = new CsvWriter(failed);
    const row = ['x'.repeat(1000)];
    await expect(
      (async () => {
        for (let i = 0; i < 1000; i++) await writer.write(row);
      })(),
    ).rejects.toThrow('upload refused');
  });
});

/**
 * A staged part's header is the source of truth for its Bulk columns: the state carries none
 * (PartRef), so Upload and Collect Results read them from the file.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readPart, toBulkCsv } from '../../functions/upload/bulk-csv.ts';

const chunked = (text: string, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
      Buffer.from(text.slice(i * size, (i + 1) * size)),
    ),
  );

const collect = async <T>(rows: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
};

describe('readPart', () => {
  const part =
    '__line,Subject,"Notes, long",Contact:Who.Patient_Id__c\n2,Call,"a ""b""",P-1\n4,"two\nlines",,P-2\n';

  it.each([1, 5, 1 << 16])(
    'reads the columns from the header, then the rows (chunks of %i bytes)',
    async (size) => {
      const staged = await readPart(chunked(part, size));
      expect(staged.columns).toEqual(['Subject', 'Notes, long', 'Contact:Who.Patient_Id__c']);
      expect(await collect(staged.rows)).toEqual([
        ['2', 'Call', 'a "b"', 'P-1'],
        ['4', 'two\nlines', '', 'P-2'],
      ]);
    },
  );

  it('skips a byte-order mark before the header', async () => {
    const staged = await readPart(Readable.from([Buffer.from(`\uFEFF${part}`)]));
    expect(staged.columns[0]).toBe('Subject');
  });

  it('gives the columns of a part with no rows', async () => {
    const staged = await readPart(Readable.from(['__line,Id\n']));
    expect(staged.columns).toEqual(['Id']);
    expect(await collect(staged.rows)).toEqual([]);
  });

  it.each([
    ['a file without the __line column', 'Subject\nCall\n'],
    ['an empty file', ''],
  ])('refuses %s', async (_, text) => {
    await expect(readPart(Readable.from([text]))).rejects.toThrow(
      'Staged part does not start with the __line column',
    );
  });

  it('fails the rows when the object stream fails mid-way', async () => {
    const source = new Readable({ read() {} });
    source.push('__line,Subject\n2,a\n');
    const staged = await readPart(source);
    const reading = collect(staged.rows);
    source.destroy(new Error('connection reset'));
    await expect(reading).rejects.toThrow('connection reset');
  });

  it('sends Salesforce the same columns, without __line', async () => {
    const bulk = (await collect(toBulkCsv(chunked(part, 7)) as AsyncIterable<Buffer>)).join('');
    expect(bulk.split('\n')[0]).toBe('Subject,"Notes, long",Contact:Who.Patient_Id__c');
  });
});

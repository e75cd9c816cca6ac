/**
 * Split Into Parts' core: cuts a staged group into parts that each fit one ingest job, measuring what
 * Salesforce will receive — the Bulk CSV without `__line`, header included — and never splitting a
 * record. Streams: one record in hand at a time.
 */

import type { GroupRef, PartRef } from '../shared/contracts.ts';
import { type CsvRow, formatCsvRecord } from '../shared/csv.ts';
import { InvalidFileError } from '../shared/errors.ts';
import { LINE_COLUMN } from '../transform/transform-rows.ts';

export interface PartSink {
  /** One formatted staged record (`__line` included) with its line break. */
  write(text: string): Promise<void>;
  close(): Promise<void>;
  abort(error: Error): void;
}

export interface SplitLimits {
  /** Upload bytes per part, Bulk CSV header included (the API's limit is 100 MB raw). */
  maxPartBytes: number;
  /** Records per part. */
  maxPartRecords: number;
}

/** `task-upsert-whoid-contact-0001`: zero-padded so parts list in order. */
export function partIdOf(groupId: string, index: number): string {
  return `${groupId}-${String(index).padStart(4, '0')}`;
}

/**
 * Splits one group. `records` are the staged file's rows, its header first; `openPart` creates a part
 * (the caller knows where it goes) and `partKey` names it in the PartRef.
 */
export async function splitGroup(input: {
  runId: string;
  group: GroupRef;
  records: AsyncIterable<CsvRow>;
  limits: SplitLimits;
  openPart: (partId: string) => Promise<PartSink>;
  partKey: (partId: string) => string;
}): Promise<PartRef[]> {
  const { group, limits } = input;
  const stagedHeader = formatCsvRecord([LINE_COLUMN, ...group.columns]);
  const headerBytes = Buffer.byteLength(formatCsvRecord(group.columns));
  const parts: PartRef[] = [];
  let sink: PartSink | undefined;
  let current: PartRef | undefined;
  let bytes = 0;
  let sawHeader = false;

  const closeCurrent = async () => {
    if (sink) await sink.close();
    sink = undefined;
  };

  try {
    for await (const record of input.records) {
      if (!sawHeader) {
        sawHeader = true;
        checkHeader(record, group);
        continue;
      }
      const recordBytes = Buffer.byteLength(formatCsvRecord(record.fields.slice(1)));
      const full =
        current !== undefined &&
        (current.rows + 1 > limits.maxPartRecords || bytes + recordBytes > limits.maxPartBytes);
      if (!current || full) {
        await closeCurrent();
        const partId = partIdOf(group.groupId, parts.length + 1);
        current = {
          runId: input.runId,
          partId,
          groupId: group.groupId,
          object: group.object,
          operation: group.operation,
          ...(group.externalIdFieldName !== undefined
            ? { externalIdFieldName: group.externalIdFieldName }
            : {}),
          key: input.partKey(partId),
          rows: 0,
          attempt: 0,
        };
        parts.push(current);
        sink = await input.openPart(partId);
        await sink.write(stagedHeader);
        bytes = headerBytes;
      }
      // A record larger than a part on its own still gets a part: Salesforce names its error per row.
      await sink?.write(formatCsvRecord(record.fields));
      current.rows++;
      bytes += recordBytes;
    }
    await closeCurrent();
  } catch (error) {
    sink?.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  if (!sawHeader) throw new InvalidFileError(`staged group ${group.key} is empty (no header)`);
  return parts;
}

function checkHeader(record: CsvRow, group: GroupRef): void {
  const expected = [LINE_COLUMN, ...group.columns];
  if (record.fields.length !== expected.length || record.fields.some((name, i) => name !== expected[i])) {
    throw new InvalidFileError(
      `staged group ${group.key} has header ${record.fields.join(',')}, not ${expected.join(',')}`,
    );
  }
}

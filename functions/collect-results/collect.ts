import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { PartRef, PartState, PartSummary } from '../shared/contracts.ts';
import type { ResultKind, SalesforcePort } from '../shared/salesforce-port.ts';
import { LINE_COLUMN, readPart } from '../upload/bulk-csv.ts';
import { classifyRowError, parseSfError } from './classify-error.ts';
import { CsvSink, type ObjectSink } from './csv-sink.ts';
import { LineIndex, planJoin } from './join-results.ts';

export const SUCCEEDED_HEADER = ['line', 'object', 'operation', 'jobId', 'id', 'created'];
export const FAILED_HEADER = [
  'line',
  'object',
  'operation',
  'jobId',
  'errorCode',
  'message',
  'fields',
  'attempts',
];
export const UNPROCESSED_HEADER = ['line', 'object', 'operation', 'jobId', 'reason'];
export const NOT_RETURNED_REASON = 'not returned by Salesforce';

export interface CollectPorts {
  salesforce: SalesforcePort;
  openObject(key: string): Promise<Readable>;
  createObject(key: string): ObjectSink;
  warn?(message: string, attributes: Record<string, unknown>): void;
}

export interface CollectOutcome {
  state: PartState;
  summary: PartSummary;
}

export const resultsPrefix = (part: PartRef) =>
  `staging/${part.runId}/results/${part.partId}-a${part.attempt}`;

/**
 * Streams a finished job's result sets into the part's result files, each row joined back to its
 * source line; resubmits transient failures as a new part while the budget lasts; and accounts for
 * every row of the part exactly once (rows Salesforce never mentions become unprocessed). The caller
 * writes the summary after this returns: its presence means the attempt is fully accounted for.
 */
export async function collectResults(
  state: PartState,
  ports: CollectPorts,
  settings: { maxResubmits: number },
): Promise<CollectOutcome> {
  const { part, job } = state;
  if (!job || !['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
    throw new Error(`Collect Results needs a finished job, got ${job ? job.state : 'none'}`);
  }
  const prefix = resultsPrefix(part);
  const open = (key: string) => ports.createObject(key);
  const succeeded = new CsvSink(`${prefix}/succeeded.csv`, SUCCEEDED_HEADER, open);
  const failed = new CsvSink(`${prefix}/failed.csv`, FAILED_HEADER, open);
  const unprocessed = new CsvSink(`${prefix}/unprocessed.csv`, UNPROCESSED_HEADER, open);
  const matched = new Set<number>();
  const resubmitLines = new Set<number>();
  const indexes = new Map<string, LineIndex>();
  let orphans = 0;
  const jobReason = job.errorMessage ?? `Job ${job.state}`;

  // The part's columns come from its file's header, read with the first index built from it.
  let columns: string[] | undefined;
  const indexFor = async (header: string[]): Promise<LineIndex> => {
    const staged = columns === undefined ? await readPart(await ports.openObject(part.key)) : undefined;
    columns ??= staged?.columns ?? [];
    const plan = planJoin({ ...part, columns }, header);
    const signature = `${plan.mode}:${plan.partColumns.join(',')}`;
    let index = indexes.get(signature);
    if (!index) {
      const rows = staged?.rows ?? (await readPart(await ports.openObject(part.key))).rows;
      index = await LineIndex.build(plan, rows, matched);
      indexes.set(signature, index);
    }
    return index;
  };

  const kinds: ResultKind[] =
    job.state === 'JobComplete'
      ? ['successfulResults', 'failedResults']
      : ['successfulResults', 'failedResults', 'unprocessedrecords'];
  for (const kind of kinds) {
    const rows = (await ports.salesforce.results(job.id, kind)).pipe(
      parse({ bom: true, relax_column_count: true }),
    );
    let index: LineIndex | undefined;
    let header: string[] = [];
    for await (const row of rows as AsyncIterable<string[]>) {
      if (!index) {
        header = row;
        index = await indexFor(header);
        continue;
      }
      const record: Record<string, string> = {};
      header.forEach((column, i) => {
        record[column] = row[i] ?? '';
      });
      const line = index.take(record, matched);
      if (line === undefined) {
        orphans++;
        continue;
      }
      matched.add(line);
      const where = [line, part.object, part.operation, job.id];
      if (kind === 'successfulResults') {
        await succeeded.write([...where, record.sf__Id ?? '', record.sf__Created ?? '']);
      } else if (kind === 'failedResults') {
        const error = parseSfError(record.sf__Error ?? '');
        if (classifyRowError(error, part.attempt, settings.maxResubmits) === 'resubmit')
          resubmitLines.add(line);
        else
          await failed.write([
            ...where,
            error.errorCode,
            error.message,
            error.fields.join(','),
            part.attempt + 1,
          ]);
      } else {
        await unprocessed.write([...where, jobReason]);
      }
    }
  }
  if (orphans > 0) {
    // Counts only: the rows themselves are data and stay out of the logs.
    ports.warn?.('Result rows matched no source line', { orphans, jobId: job.id });
  }

  // Second pass over the part: rows Salesforce never mentioned, and the rows to resubmit.
  let resubmit: PartRef | undefined;
  if (matched.size < part.rows || resubmitLines.size > 0) {
    const nextKey = `staging/${part.runId}/parts/${part.partId}-a${part.attempt + 1}.csv`;
    const staged = await readPart(await ports.openObject(part.key));
    // The resubmitted part gets the same header: its file is all Upload and Collect will know of it.
    const retry = new CsvSink(nextKey, [LINE_COLUMN, ...staged.columns], open);
    for await (const row of staged.rows) {
      const line = Number(row[0]);
      if (resubmitLines.has(line)) await retry.write(row);
      else if (!matched.has(line)) {
        const reason = job.state === 'JobComplete' ? NOT_RETURNED_REASON : jobReason;
        await unprocessed.write([line, part.object, part.operation, job.id, reason]);
      }
    }
    if ((await retry.end()) !== undefined) {
      resubmit = { ...part, key: nextKey, rows: retry.rows, attempt: part.attempt + 1 };
    }
  }

  const files: PartSummary['files'] = {};
  const succeededKey = await succeeded.end();
  const failedKey = await failed.end();
  const unprocessedKey = await unprocessed.end();
  if (succeededKey) files.succeeded = succeededKey;
  if (failedKey) files.failed = failedKey;
  if (unprocessedKey) files.unprocessed = unprocessedKey;

  const summary: PartSummary = {
    partId: part.partId,
    attempt: part.attempt,
    job: { ...job, object: part.object, operation: part.operation },
    counts: {
      succeeded: succeeded.rows,
      failed: failed.rows,
      unprocessed: unprocessed.rows,
      resubmitted: resubmit?.rows ?? 0,
    },
    files,
  };
  const next: PartState = { part, job, done: true };
  if (resubmit) next.resubmit = resubmit;
  return { state: next, summary };
}

export const summaryKeyOf = (part: PartRef) =>
  `staging/${part.runId}/summaries/${part.partId}-a${part.attempt}.json`;

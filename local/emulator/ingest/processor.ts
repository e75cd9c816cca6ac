import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { planColumns, type RowPlan } from './column-plan.ts';
import { COLUMN_DELIMITERS, LINE_ENDINGS } from './csv-format.ts';
import { type CsvRecord, readCsvRecords } from './csv-records.ts';
import type { IngestJob } from './job.ts';
import { ResultsWriter } from './results-writer.ts';
import { applyRow, type RowEngineDeps, type RowOutcome } from './row-engine.ts';
import { scanUpload } from './scan-upload.ts';
import type { IngestService, JobRun } from './service.ts';
import { sfError } from './sf-error.ts';

/** failedResults carries `sf__Id` only from API v53.0 (reference §3). */
export function failedResultsHaveId(apiVersion: string): boolean {
  return Number(apiVersion) >= 53;
}

/**
 * Processes a closed job: UploadComplete → InProgress → JobComplete (row failures included) or Failed
 * (job-level errors, validated before any row is written). Streams the upload in internal batches, one
 * store transaction and one checkpoint per batch, writing results as it goes, so memory stays flat.
 */
export async function processJob(service: IngestService, job: IngestJob, run: JobRun): Promise<void> {
  const { repo } = service;
  if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
  const resumeFrom = job.state === 'InProgress' ? job.checkpoint : undefined;
  const clock = {
    startedAt: performance.now() - job.totalProcessingTime,
    active: job.apiActiveProcessingTime,
  };
  if (job.state === 'UploadComplete') {
    job.state = 'InProgress';
    touch(service, job, clock);
  }
  try {
    await processUpload(service, job, run, resumeFrom, clock);
  } catch (err) {
    if (run.cancelled || !repo.get(job.id)) return;
    failJob(
      service,
      job,
      `InternalServerError : ${err instanceof Error ? err.message : String(err)}`,
      clock,
      false,
    );
  }
}

interface Clock {
  startedAt: number;
  /** Milliseconds spent applying rows (apiActiveProcessingTime). */
  active: number;
}

async function processUpload(
  service: IngestService,
  job: IngestJob,
  run: JobRun,
  resumeFrom: IngestJob['checkpoint'],
  clock: Clock,
): Promise<void> {
  const { ctx, repo, settings } = service;
  const upload = repo.path(job.id, 'upload');
  // UNCONFIRMED: closing a job that never received data.
  if (!existsSync(upload))
    return failJob(service, job, 'InvalidBatch : No data was uploaded for this job', clock, false);
  const scanError = await scanIfFresh(service, job, resumeFrom);
  if (scanError) return failJob(service, job, scanError, clock, true);

  const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
  const records = readCsvRecords(upload, { delimiter, recordDelimiter: LINE_ENDINGS[job.lineEnding] });
  const first = await records.next();
  if (first.done)
    return failJob(service, job, 'InvalidBatch : No data was uploaded for this job', clock, true);
  const header = first.value.cells;
  const object = ctx.schema.object(job.object);
  if (!object) return failJob(service, job, `InvalidJob : Unable to find object: ${job.object}`, clock, true);
  const planned = planColumns(ctx.schema, object, job.operation, job.externalIdFieldName, header, ctx.quirks);
  if (!planned.ok) {
    await records.return(undefined);
    return failJob(service, job, planned.errorMessage, clock, true);
  }

  const writers = await openWriters(service, job, header, delimiter, resumeFrom);
  try {
    const deps: RowEngineDeps = {
      schema: ctx.schema,
      store: ctx.store,
      rowLocked: () => ctx.faults.rowLocked(),
      userId: job.createdById,
    };
    let toSkip = resumeFrom?.rowsDone ?? 0;
    let batch: CsvRecord[] = [];
    for await (const record of records) {
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      batch.push(record);
      if (batch.length < settings.batchSize) continue;
      const outcome = await runBatch(service, job, run, planned.plan, deps, batch, writers, clock);
      batch = [];
      if (outcome === 'stop') return;
      if (outcome === 'aborted') return await drainUnprocessed(service, job, records, writers);
    }
    if (batch.length > 0) {
      const outcome = await runBatch(service, job, run, planned.plan, deps, batch, writers, clock);
      if (outcome === 'stop') return;
      if (outcome === 'aborted') return await drainUnprocessed(service, job, records, writers);
    }
    if (job.state === 'InProgress') {
      job.state = 'JobComplete';
      touch(service, job, clock);
    }
  } finally {
    await Promise.all([writers.success.close(), writers.failed.close(), writers.unprocessed.close()]);
  }
}

async function scanIfFresh(service: IngestService, job: IngestJob, resumeFrom: IngestJob['checkpoint']) {
  if (resumeFrom) return undefined;
  return scanUpload(
    service.repo.path(job.id, 'upload'),
    job.lineEnding,
    service.ctx.quirks.rejectEmbeddedNewline,
  );
}

interface Writers {
  success: ResultsWriter;
  failed: ResultsWriter;
  unprocessed: ResultsWriter;
  width: number;
}

async function openWriters(
  service: IngestService,
  job: IngestJob,
  header: string[],
  delimiter: string,
  resumeFrom: IngestJob['checkpoint'],
): Promise<Writers> {
  const { repo } = service;
  const [success, failed, unprocessed] = await Promise.all([
    ResultsWriter.open(repo.path(job.id, 'successfulResults'), delimiter, resumeFrom?.successBytes),
    ResultsWriter.open(repo.path(job.id, 'failedResults'), delimiter, resumeFrom?.failedBytes),
    ResultsWriter.open(repo.path(job.id, 'unprocessedrecords'), delimiter, resumeFrom?.unprocessedBytes),
  ]);
  if (!resumeFrom) {
    await success.writeHeader(['sf__Id', 'sf__Created', ...header]);
    await failed.writeHeader(
      failedResultsHaveId(job.apiVersion) ? ['sf__Id', 'sf__Error', ...header] : ['sf__Error', ...header],
    );
    await unprocessed.writeHeader(header);
  }
  return { success, failed, unprocessed, width: header.length };
}

type BatchOutcome = 'done' | 'aborted' | 'stop';

async function runBatch(
  service: IngestService,
  job: IngestJob,
  run: JobRun,
  plan: RowPlan,
  deps: RowEngineDeps,
  batch: CsvRecord[],
  writers: Writers,
  clock: Clock,
): Promise<BatchOutcome> {
  const { ctx } = service;
  const delay = ctx.faults.spec().processingMs;
  if (delay > 0) await sleep(delay);
  if (run.cancelled || run.suspend) return 'stop';
  if (job.state === 'Aborted') {
    await writeUnprocessed(job, writers, batch);
    return 'aborted';
  }
  const allowance = (
    ctx.limits as { bulkAllowance?: () => { batchesRemaining: number; recordsRemaining: number } }
  ).bulkAllowance?.();
  if (allowance && (allowance.batchesRemaining < 1 || allowance.recordsRemaining < batch.length)) {
    // Documented: past the daily allocation the rest is not processed and the job fails. Text UNCONFIRMED.
    await writeUnprocessed(job, writers, batch);
    failJob(
      service,
      job,
      'ExceededQuota : The daily Bulk API batch or record allocation is exhausted',
      clock,
      false,
    );
    return 'aborted';
  }
  const began = performance.now();
  // The sqlite store stamps CreatedById/LastModifiedById from its acting user.
  (ctx.store as { setActingUser?: (id: string) => void }).setActingUser?.(job.createdById);
  const outcomes = ctx.store.transaction(() =>
    batch.map(
      (record): RowOutcome =>
        record.parseError === undefined
          ? applyRow(deps, plan, record.cells)
          : // UNCONFIRMED wording: a row the CSV parser could not read.
            {
              ok: false,
              id: '',
              error: sfError('INVALID_FIELD', `Failed to parse CSV row: ${record.parseError}`),
            },
    ),
  );
  clock.active += performance.now() - began;

  const succeeded: string[][] = [];
  const failed: string[][] = [];
  const withId = failedResultsHaveId(job.apiVersion);
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) {
      succeeded.push([outcome.id, outcome.created ? 'true' : 'false', ...pad(outcome.echo, writers.width)]);
    } else {
      const cells = pad(batch[i]?.cells ?? [], writers.width);
      failed.push(withId ? [outcome.id, outcome.error, ...cells] : [outcome.error, ...cells]);
    }
  });
  if (ctx.quirks.shuffleResults) {
    shuffle(succeeded);
    shuffle(failed);
  }
  await writers.success.writeRows(succeeded);
  await writers.failed.writeRows(failed);

  job.numberRecordsProcessed += batch.length;
  job.numberRecordsFailed += failed.length;
  job.successRows += succeeded.length;
  job.failedRows += failed.length;
  ctx.limits.recordBatch(batch.length);
  job.checkpoint = {
    rowsDone: (job.checkpoint?.rowsDone ?? 0) + batch.length,
    successBytes: writers.success.bytes,
    failedBytes: writers.failed.bytes,
    unprocessedBytes: writers.unprocessed.bytes,
  };
  if (run.cancelled) return 'stop';
  touch(service, job, clock);
  return 'done';
}

/** After an abort (or the daily allocation running out): every row not yet processed is unprocessed. */
async function drainUnprocessed(
  service: IngestService,
  job: IngestJob,
  records: AsyncIterable<CsvRecord>,
  writers: Writers,
): Promise<void> {
  let batch: CsvRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= service.settings.batchSize) {
      await writeUnprocessed(job, writers, batch);
      batch = [];
    }
  }
  await writeUnprocessed(job, writers, batch);
  service.repo.save(job);
}

async function writeUnprocessed(job: IngestJob, writers: Writers, batch: CsvRecord[]): Promise<void> {
  await writers.unprocessed.writeRows(batch.map((r) => pad(r.cells, writers.width)));
  job.unprocessedRows += batch.length;
}

/**
 * Ends the job as Failed (reference §1.3). When it fails before any row ran the counters are 0/0 and
 * unprocessedrecords is the upload itself.
 */
function failJob(
  service: IngestService,
  job: IngestJob,
  errorMessage: string,
  clock: Clock,
  beforeRows: boolean,
): void {
  if (job.state === 'Aborted') return;
  job.state = 'Failed';
  job.errorMessage = errorMessage;
  if (beforeRows) {
    job.numberRecordsProcessed = 0;
    job.numberRecordsFailed = 0;
    job.unprocessedIsUpload = true;
  }
  touch(service, job, clock);
}

function touch(service: IngestService, job: IngestJob, clock: Clock): void {
  job.systemModstamp = service.ctx.now().getTime();
  job.totalProcessingTime = Math.round(performance.now() - clock.startedAt);
  job.apiActiveProcessingTime = Math.round(clock.active);
  if (service.repo.get(job.id)) service.repo.save(job);
}

function pad(cells: readonly string[], width: number): string[] {
  const padded = cells.slice(0, Math.max(width, cells.length));
  while (padded.length < width) padded.push('');
  return padded;
}

/** Salesforce returns results in no particular order; shuffling keeps clients from relying on one. */
function shuffle<T>(rows: T[]): void {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as T, rows[i] as T];
  }
}

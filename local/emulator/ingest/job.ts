import type { ColumnDelimiter, LineEnding } from './csv-format.ts';

export const OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
export type Operation = (typeof OPERATIONS)[number];

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

/** Where a processing run stopped: enough to resume after a restart without replaying committed rows. */
export interface Checkpoint {
  /** Data rows (not counting the header) whose effects are committed and whose results are written. */
  rowsDone: number;
  successBytes: number;
  failedBytes: number;
  unprocessedBytes: number;
}

/** An ingest job as persisted in `<dataDir>/ingest-jobs/<id>/job.json`. */
export interface IngestJob {
  id: string;
  operation: Operation;
  object: string;
  createdById: string;
  /** Epoch ms. */
  createdDate: number;
  systemModstamp: number;
  state: JobState;
  externalIdFieldName?: string;
  assignmentRuleId?: string;
  /** As in the create request's path, e.g. "62.0". */
  apiVersion: string;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  retries: number;
  totalProcessingTime: number;
  apiActiveProcessingTime: number;
  apexProcessingTime: number;
  errorMessage?: string;
  /** PUTs accepted so far (the quirk `secondUpload: 'rejectClose'` lets a second one through). */
  uploads: number;
  uploadBytes: number;
  /** Result rows written, for the `emptyResults` quirk. */
  successRows: number;
  failedRows: number;
  unprocessedRows: number;
  /** Failed before any row ran (or aborted before processing): unprocessed records are the upload itself. */
  unprocessedIsUpload: boolean;
  checkpoint?: Checkpoint;
}

/** Salesforce's date format in job JSON: `2022-01-02T21:33:43.000+0000` (seconds precision, no colon). */
export function formatSfDate(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('Z', '+0000');
}

/** The job id's first 15 characters, as in the "multipe contents" message. */
export function id15(id: string): string {
  return id.slice(0, 15);
}

/** JSON text for a number that must print with one decimal (`"apiVersion":62.0`). */
class JsonNumberText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Entry = [string, string | number | JsonNumberText | null | undefined];

function objectText(entries: Entry[]): string {
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    parts.push(
      `${JSON.stringify(key)}:${value instanceof JsonNumberText ? value.text : JSON.stringify(value)}`,
    );
  }
  return `{${parts.join(',')}}`;
}

function head(job: IngestJob): Entry[] {
  return [
    ['id', job.id],
    ['operation', job.operation],
    ['object', job.object],
    ['createdById', job.createdById],
    ['createdDate', formatSfDate(job.createdDate)],
    ['systemModstamp', formatSfDate(job.systemModstamp)],
    ['state', job.state],
    ['externalIdFieldName', job.externalIdFieldName],
    ['assignmentRuleId', job.assignmentRuleId],
    ['concurrencyMode', 'Parallel'],
    ['contentType', 'CSV'],
    ['apiVersion', new JsonNumberText(Number(job.apiVersion).toFixed(1))],
  ];
}

export function contentUrl(job: IngestJob): string {
  return `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
}

/**
 * JobInfo JSON in the shapes of reference §1.2: `create` for the POST response, `full` for GET
 * (contentUrl only while Open, counters once closed, errorMessage only when Failed), `short` for the
 * PATCH response, `list` for GET /jobs/ingest rows.
 */
export function jobInfoText(job: IngestJob, shape: 'create' | 'full' | 'short' | 'list'): string {
  if (shape === 'short') return objectText(head(job));
  if (shape === 'create') {
    return objectText([
      ...head(job),
      ['contentUrl', job.state === 'Open' ? contentUrl(job) : undefined],
      ['lineEnding', job.lineEnding],
      ['columnDelimiter', job.columnDelimiter],
    ]);
  }
  const entries: Entry[] = [
    ...head(job),
    ['jobType', 'V2Ingest'],
    ['contentUrl', shape === 'full' && job.state === 'Open' ? contentUrl(job) : undefined],
    ['lineEnding', job.lineEnding],
    ['columnDelimiter', job.columnDelimiter],
  ];
  if (shape === 'list') return objectText(entries);
  if (job.state !== 'Open') {
    entries.push(
      ['numberRecordsProcessed', job.numberRecordsProcessed],
      ['numberRecordsFailed', job.numberRecordsFailed],
    );
  }
  entries.push(
    ['retries', job.retries],
    ['totalProcessingTime', job.totalProcessingTime],
    ['apiActiveProcessingTime', job.apiActiveProcessingTime],
    ['apexProcessingTime', job.apexProcessingTime],
    ['errorMessage', job.state === 'Failed' ? job.errorMessage : undefined],
  );
  return objectText(entries);
}

/** The body of GET /jobs/ingest: `{done, records, nextRecordsUrl}`. */
export function jobListText(jobs: IngestJob[], nextRecordsUrl: string | null): string {
  return `{"done":${nextRecordsUrl === null},"records":[${jobs.map((j) => jobInfoText(j, 'list')).join(',')}],"nextRecordsUrl":${JSON.stringify(nextRecordsUrl)}}`;
}

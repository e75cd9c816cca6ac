/**
 * The payloads that pass between the state machine's states. They carry S3 keys, ids and counts —
 * never rows, never column lists per part — so they stay below Step Functions' 256 KB state limit:
 * only the parts list grows with the file, by its ids (docs/architecture.md, State size).
 */

export type Operation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

/** The S3 object that started a run. */
export interface SourceObject {
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
}

/** Input of the execution, written by the trigger; every state receives it under `$.run`. */
export interface RunInput {
  /** Also the execution name: `<pipeline>-<hash of bucket, key and version/etag>` (idempotent start). */
  runId: string;
  pipeline: string;
  source: SourceObject;
  /** ISO time the trigger saw the object. */
  startedAt: string;
  /** Map concurrency over parts (template parameter, passed so the ASL needs no numeric substitution). */
  maxConcurrency: number;
}

/** Output of Validate File, at `$.validation`. */
export interface ValidationOutput {
  /** Data rows in the file (header excluded). */
  total: number;
  rejected: number;
  /** Work-bucket key of rejected.csv (line, column, value, rule, message); absent when none. */
  rejectedKey?: string;
  /** Work-bucket key of the mapping snapshot this run uses (so a mapping edit mid-run changes nothing). */
  mappingKey: string;
}

/** One job signature: all rows that can share one Bulk API ingest job. */
export interface GroupRef {
  groupId: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  /** The exact Bulk CSV header (without the leading `__line` column of staged files). */
  columns: string[];
  /** Work-bucket key of the staged CSV: `__line,<columns...>`. */
  key: string;
  rows: number;
}

/** Output of Transform Rows, at `$.transform`. */
export interface TransformOutput {
  groups: GroupRef[];
}

/**
 * A part of a group, sized for one ingest job (≤ 100 MB raw, ≤ the configured record cap). The parts
 * list travels in the state (`$.split.parts`), so a PartRef carries no column list: its size must not
 * grow with the mapping's width (docs/architecture.md, State size). The part file's own header is the
 * source of truth for its columns.
 */
export interface PartRef {
  runId: string;
  partId: string;
  groupId: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  /**
   * Work-bucket key of the part file, `__line,<Bulk columns...>` (its group's columns); Upload strips
   * `__line` while streaming to Salesforce, Collect Results reads the columns from this header.
   */
  key: string;
  rows: number;
  /** 0 for the first job; n for the n-th resubmission of transient row failures. */
  attempt: number;
}

/** Output of Split Into Parts, at `$.split`. The parts list is also saved as the run manifest. */
export interface SplitOutput {
  parts: PartRef[];
  manifestKey: string;
}

/** Job state as Polyload tracks it between polls. */
export interface JobRef {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  recordsProcessed: number;
  recordsFailed: number;
  errorMessage?: string;
}

/** Polling schedule, computed by code (Poll Job) and read by the Wait state. */
export interface PollSchedule {
  attempt: number;
  waitSeconds: number;
}

/** Input and output of each iteration's states (Map item processor). */
export interface PartState {
  part: PartRef;
  job?: JobRef;
  poll?: PollSchedule;
  /** Set by Poll Job: the job reached a terminal state. */
  done?: boolean;
  /** Set by Collect Results: a new part with transient failures to resubmit, or absent. */
  resubmit?: PartRef;
  /** Salesforce API requests made for this part attempt so far (Upload, Poll, Collect add theirs). */
  apiCalls?: number;
}

/** Per-part outcome written by Collect Results to `staging/<runId>/summaries/<partId>-a<attempt>.json`. */
export interface PartSummary {
  partId: string;
  attempt: number;
  job: JobRef & { object: string; operation: Operation };
  counts: { succeeded: number; failed: number; unprocessed: number; resubmitted: number };
  files: { succeeded?: string; failed?: string; unprocessed?: string };
  /** Salesforce API requests this attempt made (Upload + Poll + Collect), for the report's apiCalls. */
  apiCalls?: number;
}

export type RunStatus = 'SUCCEEDED' | 'FAILED';

/** The run report (design.md §5), written to `runs/<runId>/report.json` and returned by the CLI. */
export interface RunReport {
  runId: string;
  status: RunStatus;
  source: SourceObject;
  pipeline: string;
  counts: { total: number; succeeded: number; failed: number; rejected: number; unprocessed: number };
  jobs: {
    id: string;
    object: string;
    operation: Operation;
    state: string;
    recordsProcessed: number;
    recordsFailed: number;
  }[];
  files: { succeeded?: string; failed?: string; rejected?: string; unprocessed?: string };
  apiCalls: number;
  durationMs: number;
  error?: { name: string; message: string };
}

/** What a Catch hands to Report Failure, at `$.failure` (Step Functions' Error/Cause pair). */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

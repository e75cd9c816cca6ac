/**
 * End-to-end harness: the whole local stack (s3rver, the SSM and Step Functions endpoints, the real
 * ASL and handlers, the Salesforce emulator), a run started only by an upload into the landing bucket,
 * and readers for what a user would check afterwards: the report and result files in S3, and the
 * records in the org (SOQL).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import jsforce from 'jsforce';
import { expect } from 'vitest';
import type { RunReport } from '../../functions/shared/contracts.ts';
import { generateDemoData } from '../../local/demo/generate.ts';
import type { Emulator, EmulatorOptions } from '../../local/emulator/index.ts';
import {
  LOCAL_CLIENT_ID,
  LOCAL_CLIENT_SECRET,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
  type TriggerRecord,
} from '../../local/stack/index.ts';
import { localS3ClientConfig } from '../../local/stack/s3.ts';
import type { ExecutionDescription, TaskHandlers } from '../../local/stack/step-functions.ts';

export const API_VERSION = '62.0';
export const CARE_TASKS_MAPPING = readFileSync(
  new URL('../../mappings/care-tasks.yaml', import.meta.url),
  'utf8',
);
export const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/e2e/${name}`, import.meta.url), 'utf8');

/** Parents seeded into the org: PAT-00001.. (Contacts), PROS-00001.. (Leads), PRAC-01..06 (Accounts). */
export const SEEDED = { patients: 40, prospects: 20, practices: 6 } as const;

export interface E2eStack {
  stack: LocalStack;
  emulator: Emulator;
  s3: S3Client;
  /** A jsforce connection to the emulator with its own client-credentials token. */
  connection(): Promise<jsforce.Connection>;
  stop(): Promise<void>;
}

export interface E2eOptions {
  /** Handler environment (MAX_PART_RECORDS, MAX_RESUBMITS, ...). */
  env?: Record<string, string>;
  faults?: EmulatorOptions['faults'];
  /** Task handlers by state name, e.g. a wrapper that acts between steps; real handlers otherwise. */
  handlers?: TaskHandlers;
  onEvent?: NonNullable<LocalStackOptions['stateMachine']>['onEvent'];
  maxConcurrency?: number;
}

/**
 * Starts the stack with the org seeded with patients, prospects and practices. Waits and retry
 * intervals are cut to milliseconds (the emulator finishes a job in a few); the schedule the Poll step
 * computes is still what the Wait state reads, only its duration is overridden.
 */
export async function startE2eStack(options: E2eOptions = {}): Promise<E2eStack> {
  const seedDir = mkdtempSync(join(tmpdir(), 'polyload-e2e-seed-'));
  const seed = generateDemoData(seedDir, {
    patients: SEEDED.patients,
    prospects: SEEDED.prospects,
    tasks: 0,
  }).seeds;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      applyEnv: true,
      logLevel: 'ERROR',
      emulator: { seed, faults: options.faults ?? 'processingMs=1' },
      env: options.env ?? {},
      maxConcurrency: options.maxConcurrency ?? 4,
      stateMachine: {
        waitTimeOverrides: 5,
        retryIntervalOverrides: 5,
        ...(options.handlers ? { handlers: options.handlers } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      },
    });
  } finally {
    rmSync(seedDir, { recursive: true, force: true });
  }
  const emulator = stack.emulator;
  if (!emulator) throw new Error('the e2e stack runs the embedded emulator');
  const s3 = new S3Client(localS3ClientConfig(stack.endpoints.s3));
  return {
    stack,
    emulator,
    s3,
    async connection() {
      // A fresh token each time: tests expire sessions on purpose.
      const response = await fetch(`${emulator.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: LOCAL_CLIENT_ID,
          client_secret: LOCAL_CLIENT_SECRET,
        }),
      });
      if (response.status !== 200) throw new Error(`token request failed: ${response.status}`);
      const { access_token: accessToken } = (await response.json()) as { access_token: string };
      return new jsforce.Connection({ instanceUrl: emulator.url, accessToken, version: API_VERSION });
    },
    async stop() {
      s3.destroy();
      await stack.stop();
    },
  };
}

export async function putMapping(e2e: E2eStack, pipeline: string, yaml: string): Promise<void> {
  await e2e.s3.send(
    new PutObjectCommand({
      Bucket: e2e.stack.s3.buckets.work,
      Key: `mappings/${pipeline}.yaml`,
      Body: yaml,
      ContentType: 'application/yaml',
    }),
  );
}

/**
 * The one way a run starts in these tests: an object under incoming/<pipeline>/ in the landing bucket.
 * Returns the upload's ETag.
 */
export async function uploadSource(e2e: E2eStack, key: string, csv: string): Promise<string> {
  const { ETag } = await e2e.s3.send(
    new PutObjectCommand({
      Bucket: e2e.stack.s3.buckets.landing,
      Key: key,
      Body: csv,
      ContentType: 'text/csv',
    }),
  );
  if (!ETag) throw new Error(`the upload of ${key} returned no ETag`);
  return ETag;
}

export async function readText(e2e: E2eStack, bucket: string, key: string): Promise<string> {
  const response = await e2e.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await response.Body?.transformToString('utf8')) ?? '';
}

/** Uploads and waits for the trigger's handling of *this* upload and the run it started. */
export async function uploadAndWait(
  e2e: E2eStack,
  key: string,
  csv: string,
  timeoutMs = 50_000,
): Promise<{ trigger: TriggerRecord; execution: ExecutionDescription }> {
  const etag = await uploadSource(e2e, key, csv);
  const { trigger, execution } = await e2e.stack.waitForRunOf(key, { etag, timeoutMs });
  expect(trigger.error, 'the trigger handled the upload').toBeUndefined();
  expect(trigger.output?.outcome, 'a new object version starts a new run').toBe('started');
  if (!execution) throw new Error(`no run started for ${key}: ${JSON.stringify(trigger.output)}`);
  return { trigger, execution };
}

export interface RunOutcome {
  runId: string;
  key: string;
  trigger: TriggerRecord;
  execution: ExecutionDescription;
  report: RunReport;
  files: ResultFiles;
}

/** Uploads `csv` as incoming/<pipeline>/<name>, waits for the run it triggers, reads back its results. */
export async function runFile(
  e2e: E2eStack,
  pipeline: string,
  name: string,
  csv: string,
  timeoutMs = 50_000,
): Promise<RunOutcome> {
  const key = `incoming/${pipeline}/${name}`;
  const { trigger, execution } = await uploadAndWait(e2e, key, csv, timeoutMs);
  const runId = trigger.output?.runId as string;
  const report = JSON.parse(
    await readText(e2e, e2e.stack.s3.buckets.work, `runs/${runId}/report.json`),
  ) as RunReport;
  return { runId, key, trigger, execution, report, files: await readResultFiles(e2e, report) };
}

export type ResultRow = Record<string, string>;
export interface ResultFiles {
  succeeded: ResultRow[];
  failed: ResultRow[];
  rejected: ResultRow[];
  unprocessed: ResultRow[];
}

export const RESULT_HEADERS = {
  succeeded: ['line', 'object', 'operation', 'jobId', 'id', 'created'],
  failed: ['line', 'object', 'operation', 'jobId', 'errorCode', 'message', 'fields', 'attempts'],
  rejected: ['line', 'column', 'value', 'rule', 'message'],
  unprocessed: ['line', 'object', 'operation', 'jobId', 'reason'],
} as const;

/** The four result files the report names, parsed; a file the report does not name is empty. */
export async function readResultFiles(e2e: E2eStack, report: RunReport): Promise<ResultFiles> {
  const files: ResultFiles = { succeeded: [], failed: [], rejected: [], unprocessed: [] };
  for (const kind of Object.keys(files) as (keyof ResultFiles)[]) {
    const location = report.files[kind];
    if (!location) continue;
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    const text = await readText(e2e, match?.[1] ?? e2e.stack.s3.buckets.work, match?.[2] ?? location);
    const [header, ...rows] = parse(text, { bom: true }) as string[][];
    expect(header, `${kind}.csv header (docs/architecture.md)`).toEqual(RESULT_HEADERS[kind]);
    files[kind] = rows.map((row) => Object.fromEntries((header ?? []).map((h, i) => [h, row[i] ?? ''])));
  }
  return files;
}

/**
 * Design invariant 1: `total = succeeded + failed + rejected + unprocessed`, the total is the file's
 * data rows, and each source line 2..total+1 is in exactly one result file (rejected.csv may list a
 * line once per broken rule, so it counts distinct lines).
 */
export function expectEveryRowAccountedFor(outcome: RunOutcome, dataRows: number): void {
  const { report, files } = outcome;
  const { counts } = report;
  expect(counts.total, 'report total = data rows in the file').toBe(dataRows);
  expect(counts.succeeded + counts.failed + counts.rejected + counts.unprocessed).toBe(counts.total);
  const rejectedLines = [...new Set(files.rejected.map((r) => Number(r.line)))];
  expect(files.succeeded.length, 'succeeded.csv rows').toBe(counts.succeeded);
  expect(files.failed.length, 'failed.csv rows').toBe(counts.failed);
  expect(rejectedLines.length, 'rejected.csv distinct lines').toBe(counts.rejected);
  expect(files.unprocessed.length, 'unprocessed.csv rows').toBe(counts.unprocessed);

  const lines = [
    ...files.succeeded.map((r) => Number(r.line)),
    ...files.failed.map((r) => Number(r.line)),
    ...rejectedLines,
    ...files.unprocessed.map((r) => Number(r.line)),
  ].sort((a, b) => a - b);
  const duplicates = lines.filter((line, i) => i > 0 && lines[i - 1] === line);
  expect(duplicates, 'lines in more than one result row').toEqual([]);
  expect(lines).toEqual(Array.from({ length: dataRows }, (_, i) => i + 2));
  for (const row of [...files.failed, ...files.rejected]) {
    expect(row.message, `line ${row.line} has a reason`).not.toBe('');
  }
  for (const row of files.unprocessed) expect(row.reason, `line ${row.line} has a reason`).not.toBe('');
}

/** One row of a care-task file (mappings/care-tasks.yaml's columns). */
export interface TaskRow {
  task_id: string;
  subject: string;
  status: string;
  priority: string;
  due_date: string;
  notes: string;
  who_type: string;
  who_ref: string;
  practice_ref: string;
}

const TASK_COLUMNS: (keyof TaskRow)[] = [
  'task_id',
  'subject',
  'status',
  'priority',
  'due_date',
  'notes',
  'who_type',
  'who_ref',
  'practice_ref',
];
const SUBJECTS = ['Follow-up call', 'Medication review', 'Book screening', 'Care plan review'];
const STATUSES = ['Not Started', 'In Progress', 'Completed'];

/**
 * `count` care tasks with ids `<prefix>-00001`...: about one in three for a prospect (Lead), the rest
 * for a patient (Contact), every practice used, some notes with commas and quotes. Deterministic.
 */
export function taskRows(prefix: string, count: number, options: { leadEvery?: number } = {}): TaskRow[] {
  const leadEvery = options.leadEvery ?? 3;
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    const lead = leadEvery > 0 && i % leadEvery === 0;
    return {
      task_id: `${prefix}-${String(i).padStart(5, '0')}`,
      subject: SUBJECTS[i % SUBJECTS.length] as string,
      status: STATUSES[i % STATUSES.length] as string,
      priority: i % 7 === 0 ? 'High' : 'Normal',
      due_date: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      notes: i % 10 === 0 ? 'Asked for a call, "after 5pm"' : '',
      who_type: lead ? 'prospect' : 'patient',
      who_ref: lead
        ? `PROS-${String(1 + (i % SEEDED.prospects)).padStart(5, '0')}`
        : `PAT-${String(1 + (i % SEEDED.patients)).padStart(5, '0')}`,
      practice_ref: `PRAC-${String(1 + (i % SEEDED.practices)).padStart(2, '0')}`,
    };
  });
}

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export function tasksCsv(rows: TaskRow[]): string {
  const lines = [TASK_COLUMNS.join(',')];
  for (const row of rows) lines.push(TASK_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

/** A SOQL query with every page fetched. */
export async function queryAll<T extends Record<string, unknown>>(
  conn: jsforce.Connection,
  soql: string,
): Promise<T[]> {
  const records: T[] = [];
  let result = await conn.query<T>(soql);
  records.push(...result.records);
  while (!result.done && result.nextRecordsUrl) {
    result = await conn.queryMore<T>(result.nextRecordsUrl);
    records.push(...result.records);
  }
  return records;
}

export interface LandedTask {
  Id: string;
  External_Id__c: string;
  WhoId: string;
  WhatId: string;
  Who: { Type: string } | null;
  What: { Type: string; Name: string } | null;
}

/** The Tasks whose External_Id__c starts with `prefix`, by External_Id__c. */
export async function landedTasks(e2e: E2eStack, prefix: string): Promise<Map<string, LandedTask>> {
  const conn = await e2e.connection();
  const rows = await queryAll<LandedTask & Record<string, unknown>>(
    conn,
    `SELECT Id, External_Id__c, WhoId, WhatId, Who.Type, What.Type, What.Name FROM Task WHERE External_Id__c LIKE '${prefix}-%'`,
  );
  return new Map(rows.map((row) => [row.External_Id__c, row]));
}

/** Record Ids of the seeded parents by their external id (Patient_Id__c, Prospect_Id__c, External_Id__c). */
export async function parentIds(e2e: E2eStack): Promise<Map<string, string>> {
  const conn = await e2e.connection();
  const ids = new Map<string, string>();
  for (const [object, field] of [
    ['Contact', 'Patient_Id__c'],
    ['Lead', 'Prospect_Id__c'],
    ['Account', 'External_Id__c'],
  ] as const) {
    for (const row of await queryAll<Record<string, string>>(conn, `SELECT Id, ${field} FROM ${object}`)) {
      if (row[field]) ids.set(row[field] as string, row.Id as string);
    }
  }
  return ids;
}

/**
 * Checks that every row of `rows` whose line is in succeeded.csv landed as the file said: the Task
 * with that External_Id__c has the Id succeeded.csv gives, its Who is a Contact or a Lead as the row's
 * who_type said and is that very patient or prospect, and its What is the practice (an Account).
 */
export async function expectTasksLandedAsFileSaid(
  e2e: E2eStack,
  prefix: string,
  rows: TaskRow[],
  outcome: RunOutcome,
): Promise<void> {
  const tasks = await landedTasks(e2e, prefix);
  const parents = await parentIds(e2e);
  const succeededByLine = new Map(outcome.files.succeeded.map((r) => [Number(r.line), r]));
  expect(tasks.size, 'one Task per succeeded row').toBe(succeededByLine.size);
  rows.forEach((row, index) => {
    const result = succeededByLine.get(index + 2);
    if (!result) return;
    const task = tasks.get(row.task_id);
    expect(task, `Task ${row.task_id} (line ${index + 2})`).toBeDefined();
    expect(result.id, `succeeded.csv line ${index + 2} → ${row.task_id}`).toBe(task?.Id);
    expect(result.object).toBe('Task');
    const whoType = row.who_type === 'prospect' ? 'Lead' : 'Contact';
    expect(task?.Who?.Type, `Who of ${row.task_id}`).toBe(whoType);
    expect(task?.WhoId).toBe(parents.get(row.who_ref));
    expect(task?.What?.Type, `What of ${row.task_id}`).toBe('Account');
    expect(task?.WhatId).toBe(parents.get(row.practice_ref));
  });
}

/** Ingest jobs the org has, all pages. */
export async function ingestJobs(e2e: E2eStack): Promise<{ id: string; state: string; object: string }[]> {
  const conn = await e2e.connection();
  const jobs: { id: string; state: string; object: string }[] = [];
  let url: string | null = `/services/data/v${API_VERSION}/jobs/ingest`;
  while (url) {
    const page: { records: { id: string; state: string; object: string }[]; nextRecordsUrl?: string | null } =
      await conn.request(url);
    jobs.push(...page.records);
    url = page.nextRecordsUrl ?? null;
  }
  return jobs;
}

import jsforce from 'jsforce';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../local/emulator/index.ts';

export const API_VERSION = '62.0';

/** jsforce's ingest job class (not exported by name from the package root). */
export type IngestJob = ReturnType<jsforce.Connection['bulk2']['createJob']>;

export interface TestOrg {
  emu: Emulator;
  accessToken: string;
  conn: jsforce.Connection;
  /** `${emu.url}/services/data/v62.0${path}` */
  api(path: string, version?: string): string;
  /** Bearer authorization header for plain fetch calls. */
  auth: { Authorization: string };
  stop(): Promise<void>;
}

/** A client-credentials token from the emulator's OAuth endpoint, as the pipeline gets one. */
export async function fetchToken(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=polyload-local&client_secret=polyload-local-secret',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Starts an emulator on a free loopback port with a token and a jsforce connection. Processing delay
 * defaults to 0 ms per internal batch so tests run fast; pass `faults` to change it.
 */
export async function startTestOrg(options: EmulatorOptions = {}): Promise<TestOrg> {
  const emu = await startEmulator({ port: 0, faults: 'processingMs=0', ...options });
  const accessToken = await fetchToken(emu.url);
  const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken, version: API_VERSION });
  return {
    emu,
    accessToken,
    conn,
    api: (path, version = API_VERSION) => `${emu.url}/services/data/v${version}${path}`,
    auth: { Authorization: `Bearer ${accessToken}` },
    stop: () => emu.stop(),
  };
}

const TERMINAL = new Set(['JobComplete', 'Failed', 'Aborted']);

/** Polls `job.check()` until the job is terminal, as the pipeline's Poll step does (no `job.poll()`). */
export async function waitForJob(job: IngestJob, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await job.check();
    if (TERMINAL.has(info.state)) return info;
    if (Date.now() > deadline) throw new Error(`job ${info.id} still ${info.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface IngestRun {
  job: IngestJob;
  info: Awaited<ReturnType<typeof waitForJob>>;
}

/** createJob → open → uploadData → close → check until terminal. */
export async function runIngestJob(
  conn: jsforce.Connection,
  options: {
    object: string;
    operation: 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
    externalIdFieldName?: string;
    columnDelimiter?: 'BACKQUOTE' | 'CARET' | 'COMMA' | 'PIPE' | 'SEMICOLON' | 'TAB';
    lineEnding?: 'LF' | 'CRLF';
  },
  csv: string,
): Promise<IngestRun> {
  const job = conn.bulk2.createJob(options);
  await job.open();
  await job.uploadData(csv);
  await job.close();
  return { job, info: await waitForJob(job) };
}

type Row = Record<string, string>;

/** successfulResults parsed by jsforce, typed as the string maps they are. */
export async function successRows(job: IngestJob): Promise<Row[]> {
  return (await job.getSuccessfulResults()) as unknown as Row[];
}

/** failedResults parsed by jsforce. */
export async function failedRows(job: IngestJob): Promise<Row[]> {
  return (await job.getFailedResults()) as unknown as Row[];
}

/** unprocessedrecords parsed by jsforce. */
export async function unprocessedRows(job: IngestJob): Promise<Row[]> {
  return (await job.getUnprocessedRecords()) as unknown as Row[];
}

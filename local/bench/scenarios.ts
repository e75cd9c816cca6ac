/**
 * What each child process measures. A scenario times only its measured part (servers and module
 * loading excluded); its process's memory peak is taken by child.ts around the whole of it.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import jsforce from 'jsforce';
import type { RunInput, RunReport } from '../../functions/shared/contracts.ts';
import { getJson, putText, readObjectStream, writeObjectStream } from '../../functions/shared/s3.ts';
import { startEmulator } from '../emulator/index.ts';
import {
  DEFAULT_API_VERSION,
  LOCAL_CLIENT_ID,
  LOCAL_CLIENT_SECRET,
  startLocalStack,
} from '../stack/index.ts';
import { createLambdaInvoker, importRealHandler } from '../stack/step-functions.ts';
import type { ScenarioResult } from './lib.ts';

export type ScenarioName = keyof typeof SCENARIOS;

const seconds = (since: number) => (performance.now() - since) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One Contact insert job of `rows` rows through the emulator: jsforce streams the file into the single
 * PUT, the job is checked until complete, and successfulResults is streamed back with plain fetch and
 * counted (jsforce's result getters would buffer every row).
 */
async function emulatorIngest(params: { file: string; rows: number }): Promise<ScenarioResult> {
  const emu = await startEmulator({ faults: 'processingMs=0' });
  try {
    const conn = new jsforce.Connection({
      instanceUrl: emu.url,
      accessToken: await clientCredentialsToken(emu.url),
      version: DEFAULT_API_VERSION,
    });
    const started = performance.now();
    const job = conn.bulk2.createJob({ object: 'Contact', operation: 'insert', lineEnding: 'LF' });
    await job.open();
    await job.uploadData(createReadStream(params.file));
    await job.close();
    const upload = seconds(started);

    let info = await job.check();
    while (info.state !== 'JobComplete' && info.state !== 'Failed' && info.state !== 'Aborted') {
      await sleep(50);
      info = await job.check();
    }
    const processed = seconds(started);
    if (info.state !== 'JobComplete' || info.numberRecordsFailed !== 0) {
      throw new Error(
        `job ${info.id} ended ${info.state}: ${info.numberRecordsFailed} failed, ${info.errorMessage ?? ''}`,
      );
    }

    const response = await fetch(
      `${emu.url}/services/data/v${DEFAULT_API_VERSION}/jobs/ingest/${info.id}/successfulResults`,
      { headers: { Authorization: `Bearer ${conn.accessToken}`, Accept: 'text/csv' } },
    );
    if (!response.ok || !response.body) throw new Error(`successfulResults: HTTP ${response.status}`);
    const resultRows = (await countLines(response.body)) - 1;
    if (resultRows !== params.rows)
      throw new Error(`${resultRows} successful results for ${params.rows} rows`);
    return {
      rows: params.rows,
      seconds: seconds(started),
      details: {
        uploadSeconds: upload,
        processSeconds: processed - upload,
        resultsSeconds: seconds(started) - processed,
      },
    };
  } finally {
    await emu.stop();
  }
}

async function clientCredentialsToken(url: string): Promise<string> {
  const response = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: LOCAL_CLIENT_ID,
      client_secret: LOCAL_CLIENT_SECRET,
    }),
  });
  if (!response.ok) throw new Error(`token request failed: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Line breaks in a byte stream (results quote every value; the generated data has no embedded breaks). */
async function countLines(body: AsyncIterable<Uint8Array>): Promise<number> {
  let lines = 0;
  for await (const chunk of body) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

/** The local stack's environment (started by the parent), set before any handler module loads. */
interface StackParams {
  env: Record<string, string>;
}

/** The baseline: read the source from S3, csv-parse it, csv-stringify it back to S3; no mapping. */
async function plainPass(params: StackParams & { run: RunInput }): Promise<ScenarioResult> {
  Object.assign(process.env, params.env);
  const { bucket, key } = params.run.source;
  const started = performance.now();
  const parser = parse({ bom: true });
  const writer = writeObjectStream(
    params.env.WORK_BUCKET as string,
    `bench/${params.run.runId}/plain-pass.csv`,
    'text/csv',
  );
  await Promise.all([
    pipeline(await readObjectStream(bucket, key), parser, stringify(), writer.stream),
    writer.done,
  ]);
  return { rows: parser.info.records - 1, seconds: seconds(started) };
}

/** One pipeline step's real handler, invoked as Lambda would with the state the ASL gives it. */
function stepScenario(step: 'validate' | 'transform' | 'split') {
  return async (
    params: StackParams & { state: Record<string, unknown>; rows: number },
  ): Promise<ScenarioResult> => {
    Object.assign(process.env, params.env);
    const functionName = `polyload-${step}`;
    await importRealHandler(functionName);
    const invoke = createLambdaInvoker({
      functionName,
      resolve: () => importRealHandler(functionName),
      timeoutMs: 15 * 60_000,
    });
    const started = performance.now();
    const output = await invoke(params.state);
    return { rows: params.rows, seconds: seconds(started), details: { output } };
  };
}

/**
 * The whole pipeline as `polyload run` drives it: the local stack in this process with the real
 * trigger and state machine, the emulator seeded with the records the tasks refer to, one upload,
 * then the run's report.
 */
async function fullPipeline(params: {
  file: string;
  rows: number;
  seeds: string[];
  mapping: string;
}): Promise<ScenarioResult> {
  const stack = await startLocalStack({
    applyEnv: true,
    logLevel: 'ERROR',
    emulator: { seed: params.seeds },
    stateMachine: { waitTimeOverrides: 100, retryIntervalOverrides: 100 },
  });
  try {
    const work = stack.s3.buckets.work;
    await putText(work, 'mappings/care-tasks.yaml', readFileSync(params.mapping, 'utf8'), 'application/yaml');
    const key = `incoming/care-tasks/care-tasks-${params.rows}.csv`;
    const started = performance.now();
    const writer = writeObjectStream(stack.s3.buckets.landing, key, 'text/csv');
    await Promise.all([pipeline(createReadStream(params.file), writer.stream), writer.done]);
    const { trigger, execution } = await stack.waitForRunOf(key, { timeoutMs: 3600_000 });
    const elapsed = seconds(started);
    const runId = trigger.output?.runId;
    if (!runId || !execution)
      throw new Error(`no run started: ${trigger.error?.message ?? trigger.output?.outcome}`);
    const report = await getJson<RunReport>(work, `runs/${runId}/report.json`);
    if (report.status !== 'SUCCEEDED' || report.counts.succeeded !== params.rows) {
      throw new Error(
        `run ${runId} ${report.status}: ${JSON.stringify(report.counts)} ${report.error?.message ?? ''}`,
      );
    }
    return {
      rows: params.rows,
      seconds: elapsed,
      details: {
        apiCalls: report.apiCalls,
        jobs: report.jobs.length,
        reportDurationMs: report.durationMs,
        largestHistory: stack.stateMachine.historyCounts(execution.executionArn).largest,
      },
    };
  } finally {
    await stack.stop();
  }
}

export const SCENARIOS = {
  'emulator-ingest': emulatorIngest,
  'plain-pass': plainPass,
  validate: stepScenario('validate'),
  transform: stepScenario('transform'),
  split: stepScenario('split'),
  pipeline: fullPipeline,
};

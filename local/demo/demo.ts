/**
 * The demo as a function: generates the dataset, starts one local stack (s3rver, the real state machine
 * and handlers, the emulator seeded with what the org already holds), then loads the patients and the
 * care tasks one after the other through the landing bucket, as two pipelines. One stack for both
 * loads because the second needs the Contacts the first one created; `polyload run` starts a fresh
 * emulator per call. Result files and each report go to `<out>/<pipeline>/`.
 */
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RunReport } from '../../functions/shared/contracts.ts';
import { getJson, putText, readObjectStream, writeObjectStream } from '../../functions/shared/s3.ts';
import { ProgressReporter } from '../cli/progress.ts';
import { type LocalStack, startLocalStack } from '../stack/index.ts';
import { type DemoDataset, type DemoLoadFile, type DemoSizes, generateDemo } from './generate.ts';

const root = resolve(import.meta.dirname, '../..');

export interface DemoLoad {
  pipeline: string;
  mapping: string;
  data: DemoLoadFile;
  report: RunReport;
  /** The directory holding this load's result CSVs and report.json. */
  out: string;
}

export interface DemoOptions {
  /** Data goes to `<dir>/data`, results to `<dir>/results/<pipeline>`. */
  dir: string;
  sizes?: DemoSizes;
  /** Progress and summaries; none when absent. */
  log?: Writable & { isTTY?: boolean; columns?: number };
}

/** The two loads, in order: the tasks' Contacts first. */
export const DEMO_PIPELINES = [
  { pipeline: 'patients', mapping: join(root, 'mappings', 'patients.yaml'), file: 'patients' },
  { pipeline: 'care-tasks', mapping: join(root, 'mappings', 'care-tasks.yaml'), file: 'tasks' },
] as const;

export async function runDemo(options: DemoOptions): Promise<{ data: DemoDataset; loads: DemoLoad[] }> {
  const data = generateDemo(join(options.dir, 'data'), options.sizes);
  let progress: ProgressReporter | undefined;
  const stack = await startLocalStack({
    applyEnv: true,
    logLevel: process.env.POLYLOAD_LOG_LEVEL ?? 'ERROR',
    emulator: { seed: data.seeds },
    stateMachine: {
      onEvent: (execution, event) => progress?.onEvent(execution, event),
      // The emulator finishes a job in milliseconds; the production poll backoff would only slow the demo.
      waitTimeOverrides: 50,
      retryIntervalOverrides: 50,
    },
  });
  const loads: DemoLoad[] = [];
  try {
    for (const { pipeline: name, mapping, file } of DEMO_PIPELINES) {
      const load = data[file];
      progress = new ProgressReporter(options.log ?? process.stderr, options.log !== undefined);
      const started = Date.now();
      const report = await loadFile(stack, name, mapping, load.file, progress);
      progress.finish();
      const out = join(options.dir, 'results', name);
      await downloadResults(stack, report, out);
      options.log?.write(summary(name, report, Date.now() - started));
      loads.push({ pipeline: name, mapping, data: load, report, out });
    }
  } finally {
    await stack.stop();
  }
  return { data, loads };
}

/** One run as a user starts it: the mapping in the work bucket, the file into incoming/<pipeline>/. */
async function loadFile(
  stack: LocalStack,
  name: string,
  mapping: string,
  file: string,
  progress: ProgressReporter,
): Promise<RunReport> {
  await putText(
    stack.s3.buckets.work,
    `mappings/${name}.yaml`,
    readFileSync(mapping, 'utf8'),
    'application/yaml',
  );
  const key = `incoming/${name}/${basename(file)}`;
  progress.note(`uploading ${basename(file)} to s3://${stack.s3.buckets.landing}/${key}`);
  const writer = writeObjectStream(stack.s3.buckets.landing, key, 'text/csv');
  await Promise.all([pipeline(createReadStream(file), writer.stream), writer.done]);
  const { trigger, execution } = await stack.waitForRunOf(key, { timeoutMs: 600_000 });
  const runId = trigger.output?.runId;
  if (!runId) {
    throw new Error(
      `the trigger did not start a run for ${key}: ${trigger.error?.message ?? trigger.output?.outcome}`,
    );
  }
  try {
    return await getJson<RunReport>(stack.s3.buckets.work, `runs/${runId}/report.json`);
  } catch (cause) {
    throw new Error(`run ${runId} ended ${execution?.status ?? 'unknown'} without a report`, { cause });
  }
}

async function downloadResults(stack: LocalStack, report: RunReport, out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  for (const [kind, location] of Object.entries(report.files)) {
    if (!location) continue;
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    const [bucket, key] = m ? [m[1] as string, m[2] as string] : [stack.s3.buckets.work, location];
    await pipeline(await readObjectStream(bucket, key), createWriteStream(join(out, `${kind}.csv`)));
  }
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

const n = (x: number) => x.toLocaleString('en-US');

function summary(name: string, report: RunReport, elapsedMs: number): string {
  const c = report.counts;
  return [
    '',
    `${name}: run ${report.runId} ${report.status}${report.error ? ` (${report.error.name}: ${report.error.message})` : ''}`,
    `  total ${n(c.total)} = succeeded ${n(c.succeeded)} + failed ${n(c.failed)} + rejected ${n(c.rejected)} + unprocessed ${n(c.unprocessed)}`,
    `  ${report.jobs.length} job(s), ${n(report.apiCalls)} Salesforce API calls, ${(elapsedMs / 1000).toFixed(1)} s`,
    ...report.jobs.map(
      (j) =>
        `    ${j.id} ${j.object} ${j.operation} ${j.state}: ${n(j.recordsProcessed)} processed, ${n(j.recordsFailed)} failed`,
    ),
    '',
  ].join('\n');
}

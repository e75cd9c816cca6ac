/**
 * The demo as a function: generates the dataset, starts one local stack (s3rver, the real state machine
 * and handlers, the emulator seeded with what the org already holds), then loads the patients and the
 * care tasks one after the other through the landing bucket, as two pipelines. One stack for both
 * loads because the second needs the Contacts the first one created; `polyload run` starts a fresh
 * emulator per call. Result files and each report go to `<out>/<pipeline>/`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { RunReport } from '../../functions/shared/contracts.ts';
import { downloadResults, formatSummary, loadFile, putMapping } from '../cli/load-on-stack.ts';
import { ProgressReporter } from '../cli/progress.ts';
import { startLocalStack } from '../stack/index.ts';
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
      await putMapping(stack, name, readFileSync(mapping, 'utf8'));
      const report = await loadFile(stack, name, load.file, progress);
      progress.finish();
      const out = join(options.dir, 'results', name);
      await downloadResults(stack, report, out);
      options.log?.write(formatSummary(report, Date.now() - started, `${name}: run ${report.runId}`));
      loads.push({ pipeline: name, mapping, data: load, report, out });
    }
  } finally {
    await stack.stop();
  }
  return { data, loads };
}

/**
 * One run as a user starts it, on a running local stack: the mapping into the work bucket, the file
 * streamed into `incoming/<pipeline>/` of the landing bucket, then the run the real trigger started,
 * its report from S3 and its result files. Shared by `polyload run` and the demo.
 */
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunReport } from '../../functions/shared/contracts.ts';
import { getJson, putText, readObjectStream, writeObjectStream } from '../../functions/shared/s3.ts';
import type { LocalStack } from '../stack/index.ts';
import type { ProgressReporter } from './progress.ts';

/** Why no report came back: the trigger ignored the file, or the run died before reporting. */
export class RunNotReportedError extends Error {
  override name = 'RunNotReportedError';
}

export async function putMapping(stack: LocalStack, pipelineName: string, text: string): Promise<void> {
  await putText(stack.s3.buckets.work, `mappings/${pipelineName}.yaml`, text, 'application/yaml');
}

/** Uploads `file` as a new object and waits for the run it triggers; returns that run's report. */
export async function loadFile(
  stack: LocalStack,
  pipelineName: string,
  file: string,
  progress: ProgressReporter,
): Promise<RunReport> {
  const key = `incoming/${pipelineName}/${basename(file)}`;
  progress.note(`uploading ${basename(file)} to s3://${stack.s3.buckets.landing}/${key}`);
  // Streamed, so a multi-GB file never sits in memory.
  const writer = writeObjectStream(stack.s3.buckets.landing, key, 'text/csv');
  await Promise.all([pipeline(createReadStream(file), writer.stream), writer.done]);
  const { trigger, execution } = await stack.waitForRunOf(key, { timeoutMs: 24 * 3600_000 });
  const runId = trigger.output?.runId;
  if (trigger.error || !runId) {
    throw new RunNotReportedError(
      `the trigger did not start a run for ${key}: ${trigger.error?.message ?? trigger.output?.outcome}`,
    );
  }
  try {
    return await getJson<RunReport>(stack.s3.buckets.work, `runs/${runId}/report.json`);
  } catch {
    throw new RunNotReportedError(
      `run ${runId} ended ${execution?.status ?? 'unknown'} without a report: ${execution?.error ?? ''} ${execution?.cause ?? ''}`.trim(),
    );
  }
}

/** Copies the run's result CSVs (`<kind>.csv`) and `report.json` into `outDir`. */
export async function downloadResults(stack: LocalStack, report: RunReport, outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  for (const [kind, location] of Object.entries(report.files)) {
    if (!location) continue;
    // Report files are work-bucket keys, or s3:// URIs when they live elsewhere.
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    const [bucket, key] = m ? [m[1] as string, m[2] as string] : [stack.s3.buckets.work, location];
    await pipeline(await readObjectStream(bucket, key), createWriteStream(join(outDir, `${kind}.csv`)));
  }
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

const n = (x: number) => x.toLocaleString('en-US');

/** The human summary of a report: status, the counts that add up, jobs, API calls and time. */
export function formatSummary(report: RunReport, elapsedMs: number, title = `Run ${report.runId}`): string {
  const c = report.counts;
  return [
    '',
    `${title}: ${report.status}${report.error ? ` (${report.error.name}: ${report.error.message})` : ''}`,
    `  total ${n(c.total)} = succeeded ${n(c.succeeded)} + failed ${n(c.failed)} + rejected ${n(c.rejected)} + unprocessed ${n(c.unprocessed)}`,
    `  ${report.jobs.length} job(s), ${n(report.apiCalls)} Salesforce API calls, ${(elapsedMs / 1000).toFixed(1)} s`,
    ...report.jobs.map(
      (j) =>
        `    ${j.id} ${j.object} ${j.operation} ${j.state}: ${n(j.recordsProcessed)} processed, ${n(j.recordsFailed)} failed`,
    ),
    '',
  ].join('\n');
}

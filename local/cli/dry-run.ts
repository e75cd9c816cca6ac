import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import type { RunInput, TransformOutput, ValidationOutput } from '../../functions/shared/contracts.ts';
import { formatCsvRecord } from '../../functions/shared/csv.ts';
import { readObjectStream, s3Client, writeObjectStream } from '../../functions/shared/s3.ts';
import type { LocalStack } from '../stack/index.ts';
import { createLambdaInvoker, importRealHandler } from '../stack/step-functions.ts';
import type { ProgressReporter } from './progress.ts';

const SAMPLE_ROWS = 3;
const SAMPLE_REJECTS = 10;

export interface DryRunPlan {
  runId: string;
  pipeline: string;
  counts: { total: number; rejected: number; accepted: number };
  groups: {
    groupId: string;
    object: string;
    operation: string;
    externalIdFieldName?: string;
    header: string;
    rows: number;
    sample: string[];
  }[];
  rejects: { sample: string[]; file?: string };
}

/**
 * The plan without creating a job: the real Validate and Transform handlers run against the org's
 * describe, then the staged groups show the exact Bulk CSV header and rows each job would get.
 */
export async function dryRun(input: {
  stack: LocalStack;
  file: string;
  pipeline: string;
  json: boolean;
  progress: ProgressReporter;
}): Promise<number> {
  const { stack, file, pipeline: pipelineName, progress } = input;
  const bucket = stack.s3.buckets.landing;
  // Outside incoming/, so the upload starts no run.
  const key = `dry-run/${pipelineName}/${basename(file)}`;
  const writer = writeObjectStream(bucket, key, 'text/csv');
  await Promise.all([pipeline(createReadStream(file), writer.stream), writer.done]);
  const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const run: RunInput = {
    runId: `${pipelineName}-dry-run-${Date.now().toString(36)}`,
    pipeline: pipelineName,
    source: { bucket, key, etag: (head.ETag ?? '').replaceAll('"', ''), size: statSync(file).size },
    startedAt: new Date().toISOString(),
    maxConcurrency: 1,
  };
  const invoke = (step: string) =>
    createLambdaInvoker({
      functionName: `polyload-${step}`,
      resolve: () => importRealHandler(`polyload-${step}`),
      timeoutMs: 15 * 60_000,
    });
  progress.note('validating');
  let validation: ValidationOutput;
  let transform: TransformOutput;
  try {
    validation = (await invoke('validate')({ run })) as ValidationOutput;
    progress.note(`validated ${validation.total} rows, ${validation.rejected} rejected; transforming`);
    transform = (await invoke('transform')({ run, validation })) as TransformOutput;
  } catch (err) {
    progress.finish();
    process.stderr.write(`polyload: dry run stopped: ${describeTaskError(err)}\n`);
    return 1;
  }
  const work = stack.s3.buckets.work;
  const plan: DryRunPlan = {
    runId: run.runId,
    pipeline: pipelineName,
    counts: {
      total: validation.total,
      rejected: validation.rejected,
      accepted: validation.total - validation.rejected,
    },
    groups: [],
    rejects: {
      sample: validation.rejectedKey
        ? await headRecords(work, validation.rejectedKey, SAMPLE_REJECTS + 1)
        : [],
    },
  };
  for (const group of transform.groups) {
    const lines = await headRecords(work, group.key, SAMPLE_ROWS + 1, true);
    plan.groups.push({
      groupId: group.groupId,
      object: group.object,
      operation: group.operation,
      ...(group.externalIdFieldName ? { externalIdFieldName: group.externalIdFieldName } : {}),
      header: group.columns.join(','),
      rows: group.rows,
      // Without the staged `__line` column: exactly what Salesforce would get.
      sample: lines.slice(1),
    });
  }
  progress.finish();
  if (input.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else printPlan(plan);
  return 0;
}

/**
 * The first `count` CSV records of an object, each re-serialised as one Bulk CSV line, parsed properly
 * so a quoted value with a line break (a street address) stays one record; `dropFirst` removes the
 * staged files' `__line` column.
 */
async function headRecords(bucket: string, key: string, count: number, dropFirst = false): Promise<string[]> {
  const stream = await readObjectStream(bucket, key);
  const parser = stream.pipe(parse({ relax_column_count: true }));
  const lines: string[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      lines.push(formatCsvRecord(dropFirst ? record.slice(1) : record).replace(/\n$/, ''));
      if (lines.length >= count) break;
    }
  } finally {
    stream.destroy();
  }
  return lines;
}

function describeTaskError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  try {
    const cause = JSON.parse(err.message) as { errorType?: string; errorMessage?: string };
    return `${cause.errorType ?? err.name}: ${cause.errorMessage ?? ''}`;
  } catch {
    return `${err.name}: ${err.message}`;
  }
}

function printPlan(plan: DryRunPlan): void {
  const out: string[] = [
    `Dry run of pipeline ${plan.pipeline}: no job was created.`,
    `  rows: ${plan.counts.total} total, ${plan.counts.accepted} to load, ${plan.counts.rejected} rejected`,
  ];
  for (const g of plan.groups) {
    out.push(
      '',
      `  job ${g.groupId}: ${g.operation} ${g.object}${g.externalIdFieldName ? ` by ${g.externalIdFieldName}` : ''}, ${g.rows} rows`,
      `    ${g.header}`,
      ...g.sample.map((row) => `    ${row}`),
    );
  }
  if (plan.rejects.sample.length > 1) {
    out.push('', '  rejects (first lines of rejected.csv):', ...plan.rejects.sample.map((l) => `    ${l}`));
  }
  process.stderr.write(`${out.join('\n')}\n`);
}

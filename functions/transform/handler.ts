import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { GroupRef, RunInput, TransformOutput, ValidationOutput } from '../shared/contracts.ts';
import { CsvWriter } from '../shared/csv.ts';
import { InvalidFileError } from '../shared/errors.ts';
import { cachedDescribe, cachedDescribeGlobal } from '../shared/mapping/describe-cache.ts';
import { loadPlan, openSourceCsv, sourceLabel, workKeys } from '../shared/mapping/run-files.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { writeObjectStream } from '../shared/s3.ts';
import { salesforce } from '../shared/salesforce.ts';
import { type GroupSink, LINE_COLUMN, transformRows } from './transform-rows.ts';

/**
 * Applies the run's mapping snapshot and stages one CSV per job signature. Describe comes from the
 * cache Validate just refreshed, so Salesforce is only asked if that copy is gone.
 */
export async function transformHandler(input: {
  run: RunInput;
  validation: ValidationOutput;
}): Promise<TransformOutput> {
  const { workBucket, salesforceApiVersion } = config('workBucket', 'salesforceApiVersion');
  const { run, validation } = input;
  logger.appendKeys({ runId: run.runId, pipeline: run.pipeline });

  const cache = { bucket: workBucket, apiVersion: salesforceApiVersion, mode: 'preferCache' } as const;
  const describe = cachedDescribe(
    { describe: async (object) => (await salesforce()).describe(object) },
    cache,
  );
  const describeGlobal = cachedDescribeGlobal(
    { describeGlobal: async () => (await salesforce()).describeGlobal() },
    cache,
  );
  const plan = await loadPlan(workBucket, validation.mappingKey, describe, {
    apiVersion: salesforceApiVersion,
    describeGlobal,
  });
  const fileLabel = sourceLabel(run.source);
  const { rows } = await openSourceCsv(run.source, plan);
  const result = await transformRows({
    plan,
    rows,
    fileLabel,
    openGroup: (groupId, columns) => openStagedGroup(workBucket, workKeys.group(run.runId, groupId), columns),
  });

  // Same file, same mapping, same function: any difference means the source changed under the run.
  if (result.total !== validation.total || result.skipped !== validation.rejected) {
    throw new InvalidFileError(
      `${fileLabel}: the file changed after validation (${result.total} rows and ${result.skipped} rejects now, ` +
        `${validation.total} and ${validation.rejected} then); upload it again to start a new run`,
    );
  }

  const groups: GroupRef[] = result.groups.map((group) => ({
    groupId: group.groupId,
    object: plan.object,
    operation: plan.operation,
    ...(plan.externalIdFieldName !== undefined ? { externalIdFieldName: plan.externalIdFieldName } : {}),
    columns: group.columns,
    key: workKeys.group(run.runId, group.groupId),
    rows: group.rows,
  }));
  logger.info('Rows staged', { groups: groups.map((g) => ({ groupId: g.groupId, rows: g.rows })) });
  return { groups };
}

/**
 * One group's staged file. One part in flight per group: a file can produce many groups (nine for two
 * polymorphic fields), each holding the part it fills and the part it sends, so memory is about
 * 10 MiB a group rather than 15; the groups' uploads overlap each other, so one part at a time costs
 * little speed (less for the one-group file, which then waits while its part is sent).
 */
async function openStagedGroup(bucket: string, key: string, columns: string[]): Promise<GroupSink> {
  const upload = writeObjectStream(bucket, key, 'text/csv; charset=utf-8', { queueSize: 1 });
  const writer = new CsvWriter(upload.stream);
  await writer.write([LINE_COLUMN, ...columns]);
  return {
    write: (fields) => writer.write(fields),
    async close() {
      await writer.end();
      await upload.done;
    },
    abort: (error) => upload.stream.destroy(error),
  };
}

export const handler = middy<{ run: RunInput; validation: ValidationOutput }, TransformOutput>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(transformHandler);

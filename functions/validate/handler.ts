import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { RunInput, ValidationOutput } from '../shared/contracts.ts';
import { CsvWriter } from '../shared/csv.ts';
import { cachedDescribe, cachedDescribeGlobal } from '../shared/mapping/describe-cache.ts';
import type { Reject } from '../shared/mapping/map-row.ts';
import { parseMapping } from '../shared/mapping/parse-mapping.ts';
import { planMapping } from '../shared/mapping/plan-mapping.ts';
import {
  openSourceCsv,
  REJECTED_COLUMNS,
  readMappingText,
  sourceLabel,
  workKeys,
} from '../shared/mapping/run-files.ts';
import { MetricName } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { type ObjectWriter, putText, writeObjectStream } from '../shared/s3.ts';
import { observeSalesforce } from '../shared/salesforce/observe.ts';
import { checkRejectThreshold, validateRows } from './validate-file.ts';

/**
 * Snapshots the pipeline's mapping for this run, preflights it against the org, and reads the source
 * once: rejects go to runs/<runId>/rejected.csv, and too many of them stop the run here.
 */
export async function validateHandler(input: { run: RunInput }): Promise<ValidationOutput> {
  const { workBucket, salesforceApiVersion } = config('workBucket', 'salesforceApiVersion');
  const { run } = input;
  logger.appendKeys({ runId: run.runId, pipeline: run.pipeline });

  const mappingText = await readMappingText(workBucket, workKeys.pipelineMapping(run.pipeline));
  const mapping = parseMapping(mappingText, `${run.pipeline}.yaml`);
  // The snapshot is what Transform reads: a mapping edited mid-run changes nothing for this run.
  const mappingKey = workKeys.mappingSnapshot(run.runId);
  await putText(workBucket, mappingKey, mappingText, 'application/yaml');

  const { result: plan } = await observeSalesforce((port) => {
    const cache = { bucket: workBucket, apiVersion: salesforceApiVersion, mode: 'refresh' } as const;
    return planMapping(mapping, cachedDescribe(port, cache), {
      apiVersion: salesforceApiVersion,
      describeGlobal: cachedDescribeGlobal(port, cache),
    });
  });

  const fileLabel = sourceLabel(run.source);
  const rejectedKey = workKeys.rejected(run.runId);
  const rejected = lazyRejectedFile(workBucket, rejectedKey);
  let counts: Awaited<ReturnType<typeof validateRows>>;
  try {
    const { rows, delimiter } = await openSourceCsv(run.source, plan);
    logger.info('Validating source', { delimiter: JSON.stringify(delimiter), size: run.source.size });
    counts = await validateRows({ plan, rows, fileLabel, onReject: rejected.write });
    await rejected.close();
  } catch (error) {
    rejected.abort(error);
    throw error;
  }

  metrics.addMetadata('runId', run.runId);
  metrics.addMetric(MetricName.RowsValidated, MetricUnit.Count, counts.total);
  metrics.addMetric(MetricName.RowsRejected, MetricUnit.Count, counts.rejected);
  logger.info('Source validated', { ...counts });
  checkRejectThreshold(plan, counts, fileLabel, `s3://${workBucket}/${rejectedKey}`);
  return { ...counts, ...(counts.rejected > 0 ? { rejectedKey } : {}), mappingKey };
}

/** rejected.csv, created on the first reject so a clean file leaves none behind. */
function lazyRejectedFile(bucket: string, key: string) {
  let upload: ObjectWriter | undefined;
  let writer: CsvWriter | undefined;
  return {
    async write(reject: Reject): Promise<void> {
      if (!writer) {
        upload = writeObjectStream(bucket, key, 'text/csv; charset=utf-8');
        writer = new CsvWriter(upload.stream);
        await writer.write(REJECTED_COLUMNS);
      }
      await writer.write([String(reject.line), reject.column, reject.value, reject.rule, reject.message]);
    },
    async close(): Promise<void> {
      if (!writer || !upload) return;
      await writer.end();
      await upload.done;
    },
    abort(error: unknown): void {
      upload?.stream.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  };
}

export const handler = middy<{ run: RunInput }, ValidationOutput>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(validateHandler);

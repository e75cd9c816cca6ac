import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { RunReport } from '../shared/contracts.ts';
import { MetricName } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import {
  getJson,
  listKeys,
  objectExists,
  putJson,
  readObjectStream,
  tagObject,
  writeObjectStream,
} from '../shared/s3.ts';
import { observeSalesforce } from '../shared/salesforce/observe.ts';
import { type ReportInput, reportRun } from './report-run.ts';

/**
 * Report Run and Report Failure. Never throws for Salesforce: the report must be written even when
 * Salesforce is the reason the run failed, so the usage reading is best effort.
 */
export async function reportHandler(input: ReportInput): Promise<RunReport> {
  const { workBucket } = config('workBucket');
  const { run } = input;
  logger.appendKeys({ runId: run.runId });

  let ownCalls = 0;
  try {
    // One /limits call per run: the daily usage is worth a metric, bulk responses may not carry it.
    ({ apiCalls: ownCalls } = await observeSalesforce((sf) => sf.fetchApiUsage()));
  } catch (error) {
    logger.warn('API usage not read', { error: (error as Error).name });
  }

  const report = await reportRun(
    input,
    {
      listKeys: (prefix) => listKeys(workBucket, prefix),
      getJson: (key) => getJson(workBucket, key),
      openObject: (key) => readObjectStream(workBucket, key),
      openSource: () => readObjectStream(run.source.bucket, run.source.key, run.source.versionId),
      createObject: (key, contentType) => writeObjectStream(workBucket, key, contentType),
      putJson: (key, value) => putJson(workBucket, key, value),
      exists: (key) => objectExists(workBucket, key),
      now: () => new Date(),
    },
    ownCalls,
  );

  await tagObject(
    run.source.bucket,
    run.source.key,
    { 'polyload-status': report.status, 'polyload-run': run.runId },
    run.source.versionId,
  );
  if (report.status === 'FAILED') metrics.addMetric(MetricName.RunsFailed, MetricUnit.Count, 1);
  metrics.addMetric(MetricName.RecordsUnprocessed, MetricUnit.Count, report.counts.unprocessed);
  logger.info('Run reported', { status: report.status, ...report.counts, error: report.error?.name });
  return report;
}

export const handler = middy<ReportInput, RunReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(reportHandler);

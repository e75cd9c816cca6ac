import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { PartState } from '../shared/contracts.ts';
import { MetricName } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { putJson, readObjectStream, writeObjectStream } from '../shared/s3.ts';
import { observeSalesforce } from '../shared/salesforce/observe.ts';
import { collectResults, summaryKeyOf } from './collect.ts';

export async function collectHandler(state: PartState): Promise<PartState> {
  const { workBucket, maxResubmits } = config('workBucket', 'maxResubmits');
  const { part } = state;
  logger.appendKeys({ runId: part.runId, partId: part.partId, attempt: part.attempt, jobId: state.job?.id });
  const { result, apiCalls } = await observeSalesforce((salesforce) =>
    collectResults(
      state,
      {
        salesforce,
        openObject: (key) => readObjectStream(workBucket, key),
        // Up to four result files are written at once: one part in flight each bounds their buffers.
        createObject: (key) => writeObjectStream(workBucket, key, 'text/csv', { queueSize: 1 }),
        warn: (message, attributes) => logger.warn(message, attributes),
      },
      { maxResubmits },
    ),
  );
  const totalCalls = (state.apiCalls ?? 0) + apiCalls;
  const summary = { ...result.summary, apiCalls: totalCalls };
  await putJson(workBucket, summaryKeyOf(part), summary);

  metrics.addMetric(MetricName.RecordsSucceeded, MetricUnit.Count, summary.counts.succeeded);
  metrics.addMetric(MetricName.RecordsFailed, MetricUnit.Count, summary.counts.failed);
  metrics.addMetric(MetricName.RecordsResubmitted, MetricUnit.Count, summary.counts.resubmitted);
  if (summary.job.state !== 'JobComplete') metrics.addMetric(MetricName.JobsFailed, MetricUnit.Count, 1);
  logger.info('Results collected', { jobState: summary.job.state, ...summary.counts });
  return { ...result.state, apiCalls: totalCalls };
}

export const handler = middy<PartState, PartState>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(collectHandler);

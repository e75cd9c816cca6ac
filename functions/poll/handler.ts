import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { PartState } from '../shared/contracts.ts';
import { SalesforceRequestError } from '../shared/errors.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { observeSalesforce } from '../shared/salesforce/observe.ts';
import { interpretJob } from './interpret-job.ts';

/** One look at the part's job; the state machine does the waiting. */
export async function pollHandler(state: PartState): Promise<PartState> {
  const { pollMaxWaitSeconds } = config('pollMaxWaitSeconds');
  const jobId = state.job?.id;
  if (!jobId) throw new SalesforceRequestError('Poll Job needs the job that Upload Part created ($.job.id)');
  logger.appendKeys({
    runId: state.part.runId,
    partId: state.part.partId,
    attempt: state.part.attempt,
    jobId,
  });
  const { result: info, apiCalls } = await observeSalesforce((sf) => sf.jobInfo(jobId));
  const next = interpretJob(info, state, { maxWaitSeconds: pollMaxWaitSeconds });
  logger.info('Job polled', {
    state: next.job?.state,
    recordsProcessed: next.job?.recordsProcessed,
    nextWaitSeconds: next.done ? undefined : next.poll?.waitSeconds,
  });
  return { ...next, apiCalls: (state.apiCalls ?? 0) + apiCalls };
}

export const handler = middy<PartState, PartState>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(pollHandler);

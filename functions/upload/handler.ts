import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { PartState } from '../shared/contracts.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { getJson, isNotFound, putJson, readObjectStream } from '../shared/s3.ts';
import { observeSalesforce } from '../shared/salesforce/observe.ts';
import { type UploadMarker, uploadPart } from './upload-part.ts';

export async function uploadHandler(state: PartState): Promise<PartState> {
  const { workBucket } = config('workBucket');
  logger.appendKeys({ runId: state.part.runId, partId: state.part.partId, attempt: state.part.attempt });
  const { result, apiCalls } = await observeSalesforce((salesforce) =>
    uploadPart(state, {
      salesforce,
      readMarker: async (key) => {
        try {
          return await getJson<UploadMarker>(workBucket, key);
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      writeMarker: (key, marker) => putJson(workBucket, key, marker),
      openPart: (key) => readObjectStream(workBucket, key),
      log: (message, attributes) => logger.info(message, attributes),
    }),
  );
  // A fresh count per attempt: Prepare Resubmit hands over only the new part.
  return { ...result, apiCalls: (state.apiCalls ?? 0) + apiCalls };
}

export const handler = middy<PartState, PartState>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(uploadHandler);

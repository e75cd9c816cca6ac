import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { config } from '../shared/config.ts';
import type { PartRef, RunInput, SplitOutput, TransformOutput } from '../shared/contracts.ts';
import { CsvWriter, parseOwnCsv } from '../shared/csv.ts';
import { workKeys } from '../shared/mapping/run-files.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { putJson, readObjectStream, writeObjectStream } from '../shared/s3.ts';
import { type PartSink, splitGroup } from './split-group.ts';

/** Cuts every staged group into parts and saves the parts list as the run's manifest. */
export async function splitHandler(input: {
  run: RunInput;
  transform: TransformOutput;
}): Promise<SplitOutput> {
  const { workBucket, maxPartBytes, maxPartRecords } = config('workBucket', 'maxPartBytes', 'maxPartRecords');
  const { run, transform } = input;
  logger.appendKeys({ runId: run.runId, pipeline: run.pipeline });

  const parts: PartRef[] = [];
  for (const group of transform.groups) {
    const records = parseOwnCsv(await readObjectStream(workBucket, group.key));
    parts.push(
      ...(await splitGroup({
        runId: run.runId,
        group,
        records,
        limits: { maxPartBytes, maxPartRecords },
        openPart: async (partId) => openPart(workBucket, workKeys.part(run.runId, partId)),
        partKey: (partId) => workKeys.part(run.runId, partId),
      })),
    );
  }
  const manifestKey = workKeys.manifest(run.runId);
  await putJson(workBucket, manifestKey, parts);
  logger.info('Parts staged', { parts: parts.length, rows: parts.reduce((sum, p) => sum + p.rows, 0) });
  return { parts, manifestKey };
}

function openPart(bucket: string, key: string): PartSink {
  const upload = writeObjectStream(bucket, key, 'text/csv; charset=utf-8');
  const writer = new CsvWriter(upload.stream);
  return {
    write: (text) => writer.writeRaw(text),
    async close() {
      await writer.end();
      await upload.done;
    },
    abort: (error) => upload.stream.destroy(error),
  };
}

export const handler = middy<{ run: RunInput; transform: TransformOutput }, SplitOutput>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(splitHandler);

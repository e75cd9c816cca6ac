import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { config } from '../shared/config.ts';
import type { RunInput } from '../shared/contracts.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { interpretObjectCreated, type ObjectCreatedDetail } from './run-id.ts';

export type ObjectCreatedEvent = EventBridgeEvent<'Object Created', ObjectCreatedDetail>;

export interface TriggerOutput {
  outcome: 'started' | 'duplicate' | 'ignored';
  runId?: string;
  executionArn?: string;
}

let sfn: SFNClient | undefined;
// SDK v3 reads AWS_ENDPOINT_URL_SFN itself, which is how the local stack points this at its endpoint.
const sfnClient = () => (sfn ??= new SFNClient({}));

/** Starts one execution per object version; a repeated event finds the name taken and does nothing. */
export async function startRun(event: ObjectCreatedEvent): Promise<TriggerOutput> {
  const outcome = interpretObjectCreated(event.detail);
  if (outcome.kind === 'ignored') {
    logger.info('Object ignored', { key: event.detail.object.key, reason: outcome.reason });
    return { outcome: 'ignored' };
  }
  const { stateMachineArn, maxConcurrency } = config('stateMachineArn', 'maxConcurrency');
  logger.appendKeys({ runId: outcome.runId });
  const input: RunInput = {
    runId: outcome.runId,
    pipeline: outcome.pipeline,
    source: outcome.source,
    // The event's time, not ours: a redelivered event then carries an identical input.
    startedAt: event.time ? new Date(event.time).toISOString() : new Date().toISOString(),
    maxConcurrency,
  };
  try {
    const started = await sfnClient().send(
      // The ASL reads the run at `$.run` (contracts.ts: every state receives it there).
      new StartExecutionCommand({
        stateMachineArn,
        name: input.runId,
        input: JSON.stringify({ run: input }),
      }),
    );
    logger.info('Run started', { executionArn: started.executionArn, pipeline: input.pipeline });
    return { outcome: 'started', runId: input.runId, executionArn: started.executionArn };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      logger.info('Duplicate event: this object version already has a run', { pipeline: input.pipeline });
      return { outcome: 'duplicate', runId: input.runId };
    }
    throw error;
  }
}

export const handler = middy<ObjectCreatedEvent, TriggerOutput>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(startRun);

/**
 * A thin Step Functions endpoint over the local runner, so that `@aws-sdk/client-sfn` code (the
 * trigger's StartExecution, the CLI's DescribeExecution) runs unchanged with `AWS_ENDPOINT_URL_SFN`.
 */
import type { HistoryEvent } from './history.ts';
import { epochSeconds, type JsonApiServer, requireString, ServiceError, startJsonApi } from './json-api.ts';
import { LOCAL_ACCOUNT_ID } from './s3.ts';
import type { ExecutionDescription, ExecutionStatus, LocalStateMachine } from './step-functions.ts';

export interface SfnEndpointOptions {
  host?: string;
  port?: number;
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const MAX_LIST_PAGE = 1000;

export async function startSfnEndpoint(
  machine: LocalStateMachine,
  options: SfnEndpointOptions = {},
): Promise<JsonApiServer> {
  const checkMachine = (input: Record<string, unknown>) => {
    const arn = requireString(input, 'stateMachineArn');
    if (arn !== machine.arn)
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  };
  const checkExecutionArn = (input: Record<string, unknown>) => {
    const arn = requireString(input, 'executionArn');
    if (!arn.startsWith('arn:aws:states:')) throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    return arn;
  };

  return startJsonApi({
    targetPrefix: 'AWSStepFunctions',
    contentType: 'application/x-amz-json-1.0',
    host: options.host,
    port: options.port,
    operations: {
      StartExecution(input) {
        checkMachine(input);
        const started = machine.startExecution({
          ...(typeof input.name === 'string' ? { name: input.name } : {}),
          ...(typeof input.input === 'string' ? { input: input.input } : {}),
        });
        return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
      },
      DescribeExecution(input) {
        return renderDescription(machine.describeExecution(checkExecutionArn(input)));
      },
      async StopExecution(input) {
        const stopped = await machine.stopExecution(
          checkExecutionArn(input),
          typeof input.error === 'string' ? input.error : undefined,
          typeof input.cause === 'string' ? input.cause : undefined,
        );
        return { stopDate: epochSeconds(stopped.stopDate ?? new Date()) };
      },
      ListExecutions(input) {
        checkMachine(input);
        const filter = input.statusFilter as ExecutionStatus | undefined;
        if (filter !== undefined && !STATUSES.includes(filter)) {
          throw new ServiceError('ValidationException', `Invalid statusFilter '${filter}'`);
        }
        const pageSize = pageSizeOf(input.maxResults, 100);
        const start = offsetOf(input.nextToken);
        const all = machine.listExecutions(filter);
        const page = all.slice(start, start + pageSize);
        return {
          executions: page.map((execution) => ({
            executionArn: execution.executionArn,
            stateMachineArn: execution.stateMachineArn,
            name: execution.name,
            status: execution.status,
            startDate: epochSeconds(execution.startDate),
            ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
          })),
          ...(start + pageSize < all.length ? { nextToken: tokenOf(start + pageSize) } : {}),
        };
      },
      GetExecutionHistory(input) {
        const executionArn = checkExecutionArn(input);
        const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${machine.name}-role`;
        const events = machine
          .getExecutionHistory(executionArn)
          .events.map((event, index) => renderHistoryEvent(event, index + 1, roleArn));
        if (input.reverseOrder === true) events.reverse();
        const pageSize = pageSizeOf(input.maxResults, 100);
        const start = offsetOf(input.nextToken);
        return {
          events: events.slice(start, start + pageSize),
          ...(start + pageSize < events.length ? { nextToken: tokenOf(start + pageSize) } : {}),
        };
      },
    },
  });
}

function renderDescription(execution: ExecutionDescription) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined
      ? { output: execution.output, outputDetails: { included: true } }
      : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

/** One event in the service's wire shape: ids count from 1, details under `<camelType>EventDetails`. */
function renderHistoryEvent(event: HistoryEvent, id: number, roleArn: string) {
  const base = {
    id,
    previousEventId: id - 1,
    timestamp: epochSeconds(new Date(event.timestamp)),
    type: event.type,
  };
  const details = event.details ?? {};
  const failure = () => ({ error: String(details.error ?? ''), cause: json(details.cause ?? '') });
  switch (event.type) {
    case 'ExecutionStarted':
      return { ...base, executionStartedEventDetails: { input: json(details.input), roleArn } };
    case 'ExecutionSucceeded':
      return { ...base, executionSucceededEventDetails: { output: json(details.output) } };
    case 'ExecutionFailed':
      return { ...base, executionFailedEventDetails: failure() };
    case 'LambdaFunctionFailed':
      return { ...base, lambdaFunctionFailedEventDetails: failure() };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const field = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { ...base, [field]: { index: Number(details.index ?? 0) } };
    }
    default:
      if (event.type.endsWith('StateEntered')) {
        return {
          ...base,
          stateEnteredEventDetails: { name: String(details.name), input: json(details.input) },
        };
      }
      if (event.type.endsWith('StateExited')) {
        return {
          ...base,
          stateExitedEventDetails: { name: String(details.name), output: json(details.output) },
        };
      }
      return base;
  }
}

function pageSizeOf(raw: unknown, fallback: number): number {
  const size = Number(raw ?? 0);
  return size > 0 ? Math.min(size, MAX_LIST_PAGE) : fallback;
}

function offsetOf(token: unknown): number {
  if (typeof token !== 'string' || token === '') return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ServiceError('InvalidToken', 'Invalid Token');
  return offset;
}

function tokenOf(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

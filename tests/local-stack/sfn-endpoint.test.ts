import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonApiServer } from '../../local/stack/json-api.ts';
import { LOCAL_CREDENTIALS } from '../../local/stack/s3.ts';
import { startSfnEndpoint } from '../../local/stack/sfn-endpoint.ts';
import {
  createLocalStateMachine,
  type LambdaHandler,
  type LocalStateMachine,
} from '../../local/stack/step-functions.ts';

let machine: LocalStateMachine;
let endpoint: JsonApiServer;
let client: SFNClient;
let releaseSlow = () => {};

beforeAll(async () => {
  const slowGate = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
  machine = createLocalStateMachine({
    definition: JSON.stringify({
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Task', Resource: `\${GreetFunctionArn}`, ResultPath: '$.greeting', End: true },
      },
    }),
    handlers: {
      Greet: (async (event: { who: string; slow?: boolean; hold?: boolean }) => {
        if (event.hold) await new Promise(() => {});
        if (event.slow) await slowGate;
        if (event.who === 'nobody') throw new RangeError('nobody to greet');
        return `hello ${event.who}`;
      }) as LambdaHandler,
    },
  });
  endpoint = await startSfnEndpoint(machine);
  client = new SFNClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
  });
});

afterAll(async () => {
  releaseSlow();
  client.destroy();
  await endpoint.stop();
  await machine.stop();
});

const start = (name: string, input: object) =>
  client.send(
    new StartExecutionCommand({ stateMachineArn: machine.arn, name, input: JSON.stringify(input) }),
  );

describe('local Step Functions endpoint with @aws-sdk/client-sfn', () => {
  it('starts an execution and describes it once it has succeeded', async () => {
    const started = await start('greet-ada', { who: 'Ada' });
    expect(started.executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:polyload-pipeline:greet-ada',
    );
    expect(started.startDate).toBeInstanceOf(Date);
    await machine.waitForExecution('greet-ada');
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({ name: 'greet-ada', status: 'SUCCEEDED', stateMachineArn: machine.arn });
    expect(JSON.parse(described.output ?? '{}')).toEqual({ who: 'Ada', greeting: 'hello Ada' });
    expect(described.stopDate).toBeInstanceOf(Date);
  });

  it('is idempotent by name: same input while running returns the same execution, else ExecutionAlreadyExists', async () => {
    const first = await start('slow-one', { who: 'Grace', slow: true });
    const again = await start('slow-one', { who: 'Grace', slow: true });
    expect(again.executionArn).toBe(first.executionArn);
    await expect(start('slow-one', { who: 'Linus', slow: true })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    releaseSlow();
    await machine.waitForExecution('slow-one');
    // Once closed, even the same input is refused: a redelivered S3 event cannot start a second run.
    await expect(start('slow-one', { who: 'Grace', slow: true })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
  });

  it('describes a failed execution with the thrown error name', async () => {
    const { executionArn } = await start('greet-nobody', { who: 'nobody' });
    await machine.waitForExecution('greet-nobody');
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('RangeError');
    expect(JSON.parse(described.cause ?? '{}').errorMessage).toBe('nobody to greet');
  });

  it('answers unknown machines and executions with the modelled errors', async () => {
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: `${machine.arn}-other`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: `${machine.arn.replace(':stateMachine:', ':execution:')}:nope`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('stops a running execution with StopExecution, which then describes as ABORTED', async () => {
    const { executionArn } = await start('to-stop', { who: 'Edsger', slow: true, hold: true });
    const stopped = await client.send(
      new StopExecutionCommand({ executionArn, error: 'UserStopped', cause: 'Ctrl-C' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'UserStopped', cause: 'Ctrl-C' });
  });

  it('lists executions newest first, filtered by status', async () => {
    const { executions } = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machine.arn, statusFilter: 'SUCCEEDED' }),
    );
    const names = executions?.map((execution) => execution.name) ?? [];
    expect(names).toContain('greet-ada');
    expect(names).not.toContain('greet-nobody');
    expect(names.indexOf('slow-one')).toBeLessThan(names.indexOf('greet-ada'));
  });

  it('returns the execution history in the service shape', async () => {
    const { executionArn } = await start('greet-history', { who: 'Barbara' });
    await machine.waitForExecution('greet-history');
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events?.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events?.[1]?.stateEnteredEventDetails?.name).toBe('Greet');
    expect(JSON.parse(events?.[6]?.executionSucceededEventDetails?.output ?? '{}').greeting).toBe(
      'hello Barbara',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { MappingError, SalesforceThrottledError } from '../../functions/shared/errors.ts';
import {
  createLocalStateMachine,
  type LambdaHandler,
  loadDefinition,
  stepOf,
} from '../../local/stack/step-functions.ts';

/** The ASL substitution for a step's function ARN, as template.yaml's DefinitionSubstitutions name it. */
const sub = (step: string) => `\${${step}FunctionArn}`;

/** A small machine with what the pipeline uses: Retry, Catch, a distributed Map with Wait and Choice. */
const TEST_ASL = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: sub('Prepare'),
      ResultPath: '$.prepared',
      Retry: [
        {
          ErrorEquals: ['SalesforceThrottledError'],
          IntervalSeconds: 15,
          MaxAttempts: 3,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Report Failure' }],
      Next: 'Process Items',
    },
    'Process Items': {
      Type: 'Map',
      ItemsPath: '$.prepared.items',
      ItemSelector: { 'item.$': '$$.Map.Item.Value' },
      MaxConcurrencyPath: '$.maxConcurrency',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: sub('Work'), Next: 'Pause' },
          Pause: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Done?' },
          'Done?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Item Done' }],
            Default: 'Work',
          },
          'Item Done': { Type: 'Succeed' },
        },
      },
      ResultPath: '$.results',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Report Failure' }],
      Next: 'Finish',
    },
    Finish: { Type: 'Pass', End: true },
    'Report Failure': {
      Type: 'Task',
      Resource: sub('Report'),
      ResultPath: '$.report',
      Next: 'Run Failed',
    },
    'Run Failed': { Type: 'Fail', Error: 'RunFailed', Cause: 'see the report' },
  },
});

interface WorkEvent {
  item: string;
  calls?: number;
}

/** Each item needs two Work calls; the Wait between them asks for 30 s, which the test must not sleep. */
const work = (async (event: WorkEvent) => {
  const calls = (event.calls ?? 0) + 1;
  return { item: event.item, calls, done: calls >= 2, waitSeconds: 30 };
}) as LambdaHandler;

function machine(handlers: Record<string, LambdaHandler>) {
  return createLocalStateMachine({
    definition: TEST_ASL,
    handlers: { Work: work, ...handlers },
    realHandlers: false,
    waitTimeOverrides: 0,
    retryIntervalOverrides: 0,
  });
}

const input = JSON.stringify({ maxConcurrency: 2 });

describe('local state machine runner', () => {
  it('fills each <Step>FunctionArn substitution with the local polyload-<step> function', () => {
    const definition = loadDefinition();
    const text = JSON.stringify(definition);
    expect(text).not.toContain('${');
    expect(text).toContain('arn:aws:lambda:us-east-1:000000000000:function:polyload-validate');
    expect(text).toContain('function:polyload-collect-results');
    expect(stepOf('CollectResultsFunctionArn')).toBe('collect-results');
  });

  it('runs a distributed Map with Wait and Choice through to success without sleeping the waits', async () => {
    const sfn = machine({ Prepare: (async () => ({ items: ['a', 'b', 'c'] })) as LambdaHandler });
    const started = Date.now();
    const { executionArn } = sfn.startExecution({ name: 'map-run', input });
    const done = await sfn.waitForExecution('map-run');
    expect(done.executionArn).toBe(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? 'null');
    expect(output.results.map((r: { item: string; calls: number }) => [r.item, r.calls])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries a task on the error named in Retry, without the configured 15 s interval', async () => {
    let calls = 0;
    const sfn = machine({
      Prepare: (async () => {
        calls++;
        if (calls === 1) throw new SalesforceThrottledError('REQUEST_LIMIT_EXCEEDED');
        return { items: [] };
      }) as LambdaHandler,
    });
    sfn.startExecution({ name: 'retried', input });
    const done = await sfn.waitForExecution('retried');
    expect(done.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
  });

  it('hands Catch the thrown error class name as Error and Lambda-style JSON as Cause', async () => {
    let reportInput: { failure?: { Error: string; Cause: string } } | undefined;
    const sfn = machine({
      Prepare: (async () => {
        throw new MappingError('column who_type: unknown target "Account"');
      }) as LambdaHandler,
      'Report Failure': (async (event: typeof reportInput) => {
        reportInput = event;
        return { status: 'FAILED' };
      }) as LambdaHandler,
    });
    sfn.startExecution({ name: 'caught', input });
    const done = await sfn.waitForExecution('caught');
    expect(done).toMatchObject({ status: 'FAILED', error: 'RunFailed', cause: 'see the report' });
    expect(reportInput?.failure?.Error).toBe('MappingError');
    expect(JSON.parse(reportInput?.failure?.Cause ?? '{}')).toMatchObject({
      errorType: 'MappingError',
      errorMessage: 'column who_type: unknown target "Account"',
    });
  });

  it('fails the execution with the error name when nothing catches it', async () => {
    const sfn = createLocalStateMachine({
      definition: JSON.stringify({
        StartAt: 'Only',
        States: { Only: { Type: 'Task', Resource: sub('Only'), End: true } },
      }),
      handlers: {
        Only: (async () => {
          throw new SalesforceThrottledError('slow down');
        }) as LambdaHandler,
      },
    });
    sfn.startExecution({ name: 'uncaught' });
    const done = await sfn.waitForExecution('uncaught');
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('SalesforceThrottledError');
    expect(JSON.parse(done.cause ?? '{}').errorMessage).toBe('slow down');
  });

  it('invokes a handler as Lambda does: JSON in and out, and a fresh context per call', async () => {
    const contexts: { functionName: string; awsRequestId: string; remaining: number }[] = [];
    const sfn = machine({
      Prepare: (async (event: { maxConcurrency: number; extra?: unknown }, context) => {
        contexts.push({
          functionName: context.functionName,
          awsRequestId: context.awsRequestId,
          remaining: context.getRemainingTimeInMillis(),
        });
        return {
          items: ['x'],
          at: new Date(0),
          dropped: undefined,
          inputWasCopied: event.maxConcurrency === 2,
        };
      }) as LambdaHandler,
    });
    sfn.startExecution({ name: 'lambda-like', input });
    const output = JSON.parse((await sfn.waitForExecution('lambda-like')).output ?? '{}');
    expect(output.prepared).toEqual({ items: ['x'], at: '1970-01-01T00:00:00.000Z', inputWasCopied: true });
    expect(contexts[0]?.functionName).toBe('polyload-prepare');
    expect(contexts[0]?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(contexts[0]?.remaining).toBeGreaterThan(0);
    expect(contexts[0]?.remaining).toBeLessThanOrEqual(900_000);
  });

  it('fails a task whose result exceeds the 256 KB state limit with States.DataLimitExceeded', async () => {
    const sfn = machine({
      Prepare: (async () => ({ items: [], padding: 'x'.repeat(300 * 1024) })) as LambdaHandler,
      'Report Failure': (async () => ({})) as LambdaHandler,
    });
    const { executionArn } = sfn.startExecution({ name: 'too-big', input });
    await sfn.waitForExecution(executionArn);
    const history = sfn.getExecutionHistory(executionArn);
    const failed = history.events.find((event) => event.type === 'LambdaFunctionFailed');
    expect(failed?.details?.error).toBe('States.DataLimitExceeded');
  });

  it('keeps executions by name: same name and input while running is the same start, otherwise refused', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sfn = machine({
      Prepare: (async () => {
        await gate;
        return { items: [] };
      }) as LambdaHandler,
    });
    const first = sfn.startExecution({ name: 'run-1', input });
    expect(sfn.startExecution({ name: 'run-1', input })).toEqual(first);
    expect(() => sfn.startExecution({ name: 'run-1', input: '{"maxConcurrency":3}' })).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    release();
    await sfn.waitForExecution('run-1');
    expect(() => sfn.startExecution({ name: 'run-1', input })).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    expect(() => sfn.startExecution({ name: 'has space' })).toThrow(
      expect.objectContaining({ name: 'InvalidName' }),
    );
    expect(sfn.listExecutions().map((e) => e.name)).toEqual(['run-1']);
  });

  it('counts history events as Step Functions records them, per execution and per Map child', async () => {
    let calls = 0;
    const sfn = machine({
      Prepare: (async () => {
        calls++;
        if (calls === 1) throw new SalesforceThrottledError('again');
        return { items: ['a', 'b'] };
      }) as LambdaHandler,
    });
    const { executionArn } = sfn.startExecution({ name: 'counted', input });
    await sfn.waitForExecution(executionArn);
    const counts = sfn.historyCounts(executionArn);
    // Started; Prepare entered, 2 × (scheduled, started), failed, succeeded, exited; Map entered,
    // run started, run succeeded, exited; Finish entered, exited; Succeeded.
    expect(counts.execution).toBe(16);
    // Per item: Started; 2 × (Work 5, Pause 2, Done? 2); Item Done 2; Succeeded.
    expect(counts.children).toEqual([
      { mapState: 'Process Items', index: 0, events: 22 },
      { mapState: 'Process Items', index: 1, events: 22 },
    ]);
    expect(counts.largest).toBe(22);
    const types = sfn.getExecutionHistory(executionArn).events.map((event) => event.type);
    expect(types.slice(0, 7)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
    ]);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });
});

describe('the pipeline definition on the local engine', () => {
  it('runs statemachine/pipeline.asl.json end to end with stand-in handlers', async () => {
    const part = (partId: string) => ({
      runId: 'r1',
      partId,
      key: `staging/r1/parts/${partId}.csv`,
      rows: 1,
      attempt: 0,
    });
    const polls = new Map<string, number>();
    const invoked: string[] = [];
    const runReport = (status: string) => ({
      runId: 'r1',
      status,
      counts: { total: 2, succeeded: 2, failed: 0, rejected: 0, unprocessed: 0 },
      jobs: [{ id: 'j', object: 'Task', operation: 'insert', state: 'JobComplete' }],
    });
    const track = (name: string, fn: (event: Record<string, unknown>) => unknown): LambdaHandler =>
      (async (event: Record<string, unknown>) => {
        invoked.push(name);
        return fn(event);
      }) as LambdaHandler;
    const sfn = createLocalStateMachine({
      realHandlers: false,
      waitTimeOverrides: 0,
      retryIntervalOverrides: 0,
      handlers: {
        'Validate File': track('validate', () => ({
          total: 2,
          rejected: 0,
          mappingKey: 'runs/r1/mapping.yaml',
        })),
        'Transform Rows': track('transform', () => ({ groups: [] })),
        'Split Into Parts': track('split', () => ({ parts: [part('p1'), part('p2')], manifestKey: 'm' })),
        'Upload Part': track('upload', (event) => ({
          ...event,
          job: { id: 'j' },
          poll: { attempt: 0, waitSeconds: 5 },
        })),
        'Poll Job': track('poll', (event) => {
          const id = (event.part as { partId: string }).partId;
          polls.set(id, (polls.get(id) ?? 0) + 1);
          return { ...event, done: (polls.get(id) ?? 0) >= 2, poll: { attempt: 1, waitSeconds: 10 } };
        }),
        'Collect Results': track('collect', (event) => ({ part: event.part })),
        'Report Run': track('report', () => runReport('SUCCEEDED')),
        'Report Failure': track('report-failure', () => runReport('FAILED')),
      },
    });
    const runInput = { run: { runId: 'r1', pipeline: 'p', maxConcurrency: 2 } };
    const { executionArn } = sfn.startExecution({ name: 'r1', input: JSON.stringify(runInput) });
    const done = await sfn.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    // The report's ResultSelector: its per-job list stays out of the state.
    expect(JSON.parse(done.output ?? '{}').report).toEqual({
      runId: 'r1',
      status: 'SUCCEEDED',
      counts: runReport('SUCCEEDED').counts,
    });
    expect(invoked.filter((name) => name === 'poll')).toHaveLength(4);
    expect(invoked).not.toContain('report-failure');
    const counts = sfn.historyCounts(executionArn);
    expect(counts.children).toHaveLength(2);
    // Per part: Started; Upload 5; 2 × (Wait 2, Poll 5, Choice 2); Collect 5; Resubmit? 2; Part Loaded 2; Succeeded.
    expect(counts.children.map((c) => c.events)).toEqual([34, 34]);
  });
});

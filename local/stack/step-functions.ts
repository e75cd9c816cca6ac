/**
 * The pipeline's state machine run locally by aws-local-stepfunctions: the real ASL file, its Lambda
 * task states resolved to the handlers in-process and invoked the way Lambda invokes them, and
 * executions kept by name the way Step Functions keeps them (StartExecution is idempotent by name).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  buildHistory,
  countHistory,
  type EngineEvent,
  type ExecutionHistory,
  type HistoryCounts,
} from './history.ts';
import { ServiceError } from './json-api.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './s3.ts';

export const PIPELINE_DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachine/pipeline.asl.json', import.meta.url),
);
export const DEFAULT_STATE_MACHINE_NAME = 'polyload-pipeline';
/** Lambda's own ceiling; the local stand-in for each function's configured timeout. */
export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 900;
/** Step Functions' limit on a state's input or output. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * A Lambda handler as the functions export it (middy or plain async). The event is `never` so that a
 * handler of any event type fits; the runner passes the JSON the state machine hands to the task.
 */
export type LambdaHandler = (event: never, context: Context) => unknown;

/** Handlers keyed by Task state name ("Validate File", "Upload Part", ...). */
export type TaskHandlers = Record<string, LambdaHandler>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** The input as given to StartExecution (a JSON string). */
  input: string;
  /** The output as a JSON string, when it succeeded. */
  output?: string;
  error?: string;
  cause?: string;
}

export interface LocalStateMachineOptions {
  /** The definition, with `${...FunctionArn}` substitutions still in it or already applied. */
  definition?: StateMachineDefinition | string;
  /** Read when no definition is given; statemachine/pipeline.asl.json by default. */
  definitionPath?: string;
  name?: string;
  /** Handlers by Task state name; a state without one gets the real `functions/<step>/handler.ts`. */
  handlers?: TaskHandlers;
  /** Set false to fail a task that has no handler in `handlers` instead of importing the real one. */
  realHandlers?: boolean;
  /** Milliseconds every Wait state pauses (a number), or per Wait state name. */
  waitTimeOverrides?: number | Record<string, number>;
  /** Milliseconds before every retry (a number), or per state name as aws-local-stepfunctions takes it. */
  retryIntervalOverrides?: number | Record<string, number | number[]>;
  /** Each function's timeout; tasks without TimeoutSeconds run under it instead of the engine's 60 s. */
  lambdaTimeoutSeconds?: number;
  /** Every engine event as it happens, e.g. for progress output. */
  onEvent?: (execution: ExecutionDescription, event: EngineEvent) => void;
}

export interface StartExecutionInput {
  /** Generated (a UUID) when absent, as the service does. */
  name?: string;
  /** A JSON string; `{}` when absent. */
  input?: string;
}

export interface LocalStateMachine {
  arn: string;
  name: string;
  /** The definition as run, substitutions applied. */
  definition: StateMachineDefinition;
  startExecution(request: StartExecutionInput): { executionArn: string; startDate: Date };
  describeExecution(executionArn: string): ExecutionDescription;
  /** Newest first, as the service lists them. */
  listExecutions(statusFilter?: ExecutionStatus): ExecutionDescription[];
  getExecutionHistory(executionArn: string): ExecutionHistory;
  historyCounts(executionArn: string): HistoryCounts;
  /** Aborts a running execution (StopExecution); it ends ABORTED with the given error and cause. */
  stopExecution(executionArn: string, error?: string, cause?: string): Promise<ExecutionDescription>;
  /** Waits until the execution (by name or ARN) exists and has stopped. */
  waitForExecution(nameOrArn: string, options?: { timeoutMs?: number }): Promise<ExecutionDescription>;
  /** Aborts running executions and waits for them to settle. */
  stop(): Promise<void>;
}

/** `polyload-<step>` in the local account: the function a `${<Step>FunctionArn}` substitution names. */
export function localFunctionArn(substitution: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:polyload-${stepOf(substitution)}`;
}

/** `CollectResultsFunctionArn` → `collect-results`: the functions/ directory of the step. */
export function stepOf(substitution: string): string {
  const base = substitution.replace(/FunctionArn$/, '');
  return base.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Reads an ASL document and fills its `${<Step>FunctionArn}` substitutions with local function ARNs. */
export function loadDefinition(
  source: string = PIPELINE_DEFINITION_PATH,
  fromText = false,
): StateMachineDefinition {
  const text = fromText ? source : readFileSync(source, 'utf8');
  const substituted = text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    if (!name.endsWith('FunctionArn')) {
      throw new Error(
        `Unknown definition substitution \${${name}}: only <Step>FunctionArn is provided locally`,
      );
    }
    return localFunctionArn(name);
  });
  return JSON.parse(substituted) as StateMachineDefinition;
}

interface TaskBinding {
  stateName: string;
  functionName: string;
}

interface Walkable {
  Type?: string;
  Resource?: string;
  Retry?: unknown[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  ItemProcessor?: { States?: Record<string, Walkable> };
  Iterator?: { States?: Record<string, Walkable> };
  Branches?: { States?: Record<string, Walkable> }[];
}

/** Every state of the machine, nested ones included (names are unique machine-wide in ASL). */
function allStates(definition: StateMachineDefinition): [string, Walkable][] {
  const found: [string, Walkable][] = [];
  const visit = (states: Record<string, Walkable> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      found.push([name, state]);
      visit((state.ItemProcessor ?? state.Iterator)?.States);
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(definition.States as unknown as Record<string, Walkable>);
  return found;
}

function taskBindings(definition: StateMachineDefinition): TaskBinding[] {
  return allStates(definition)
    .filter(([, state]) => state.Type === 'Task')
    .map(([stateName, state]) => {
      const arn = state.Resource ?? '';
      const functionName = /:function:([^:]+)/.exec(arn)?.[1];
      if (!functionName) throw new Error(`Task state "${stateName}" does not name a Lambda function: ${arn}`);
      return { stateName, functionName };
    });
}

const realHandlerCache = new Map<string, Promise<LambdaHandler>>();

/** Imports `functions/<step>/handler.ts` once, the way a Lambda container loads its entry point. */
export function importRealHandler(functionName: string): Promise<LambdaHandler> {
  const step = functionName.replace(/^polyload-/, '');
  let loading = realHandlerCache.get(step);
  if (!loading) {
    const url = new URL(`../../functions/${step}/handler.ts`, import.meta.url);
    loading = import(url.href).then((module: { handler?: LambdaHandler }) => {
      if (typeof module.handler !== 'function') throw new Error(`${url.pathname} exports no handler`);
      return module.handler;
    });
    loading.catch(() => realHandlerCache.delete(step));
    realHandlerCache.set(step, loading);
  }
  return loading;
}

/** An error as Step Functions sees a Lambda function's failure: `Error` is the error's name. */
export class TaskError extends Error {
  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    // Lambda's Cause is the runtime's error document as JSON; Catch hands it on in `Cause`.
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
  }
}

function toTaskError(error: unknown): TaskError {
  if (error instanceof TaskError) return error;
  if (error instanceof Error) {
    const trace = (error.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
    return new TaskError(error.name || 'Error', error.message, trace);
  }
  return new TaskError('Error', String(error));
}

export interface InvokerOptions {
  functionName: string;
  /** The Task state the invocation serves, for error messages. */
  stateName?: string;
  resolve: () => Promise<LambdaHandler>;
  timeoutMs: number;
  /** Step Functions' 256 KB limit on what a task hands back; a plain Lambda invoke allows 6 MB. */
  maxResultBytes?: number;
}

/**
 * One invocation as Lambda makes it: the event and the result go through JSON (nothing that is not
 * serialisable crosses), a context with a fresh request id and a deadline, the function's timeout,
 * and a thrown error reported by its name (`TaskError`).
 */
export function createLambdaInvoker(options: InvokerOptions): (input: unknown) => Promise<never> {
  const { functionName, resolve, timeoutMs } = options;
  const invokedFunctionArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
  // One "container" per function: the log stream stays, the request id changes per invocation.
  const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
  const maxResultBytes = options.maxResultBytes ?? 6 * 1024 * 1024;
  return async (input: unknown): Promise<never> => {
    let handler: LambdaHandler;
    try {
      handler = await resolve();
    } catch (error) {
      throw new TaskError(
        'Runtime.ImportModuleError',
        error instanceof Error ? error.message : String(error),
      );
    }
    const deadline = Date.now() + timeoutMs;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    const event = JSON.parse(JSON.stringify(input ?? null)) as never;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TaskError(
              'Sandbox.Timedout',
              `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
            ),
          ),
        timeoutMs,
      );
      // The deadline alone must not keep a stopping process alive.
      timer.unref();
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(event, context)), timedOut]);
      const text = JSON.stringify(result ?? null);
      if (Buffer.byteLength(text) > maxResultBytes) {
        throw new TaskError(
          'States.DataLimitExceeded',
          `The state/task '${options.stateName ?? functionName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
        );
      }
      return JSON.parse(text) as never;
    } catch (error) {
      throw toTaskError(error);
    } finally {
      clearTimeout(timer);
    }
  };
}

interface ExecutionRecord {
  description: ExecutionDescription;
  events: EngineEvent[];
  abort: () => void;
  settled: Promise<void>;
}

/** Execution names: 1–80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or controls. */
function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80) return false;
  return [...name].every((char) => {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
    return !/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(char);
  });
}

export function createLocalStateMachine(options: LocalStateMachineOptions = {}): LocalStateMachine {
  const definition =
    typeof options.definition === 'string'
      ? loadDefinition(options.definition, true)
      : options.definition
        ? loadDefinition(JSON.stringify(options.definition), true)
        : loadDefinition(options.definitionPath ?? PIPELINE_DEFINITION_PATH);
  const name = options.name ?? DEFAULT_STATE_MACHINE_NAME;
  const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
  const timeoutSeconds = options.lambdaTimeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS;

  const states = allStates(definition);
  for (const [, state] of states) {
    // The engine cuts a task at 60 s unless told otherwise; on AWS the function's timeout governs.
    if (
      state.Type === 'Task' &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      state.TimeoutSeconds = timeoutSeconds + 60;
    }
  }
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });

  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
  for (const binding of taskBindings(definition)) {
    const own = options.handlers?.[binding.stateName];
    const resolve = own
      ? () => Promise.resolve(own)
      : options.realHandlers === false
        ? () => Promise.reject(new Error(`No handler for task state "${binding.stateName}"`))
        : () => importRealHandler(binding.functionName);
    taskResourceLocalHandlers[binding.stateName] = createLambdaInvoker({
      functionName: binding.functionName,
      stateName: binding.stateName,
      resolve,
      timeoutMs: timeoutSeconds * 1000,
      maxResultBytes: MAX_PAYLOAD_BYTES,
    });
  }
  const waitTimeOverrides =
    typeof options.waitTimeOverrides === 'number'
      ? Object.fromEntries(
          states.filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, options.waitTimeOverrides as number]),
        )
      : options.waitTimeOverrides;
  const retryIntervalOverrides =
    typeof options.retryIntervalOverrides === 'number'
      ? Object.fromEntries(
          states
            .filter(([, s]) => Array.isArray(s.Retry))
            .map(([n]) => [n, options.retryIntervalOverrides as number]),
        )
      : options.retryIntervalOverrides;

  const executions = new Map<string, ExecutionRecord>();
  const started = new EventEmitter();
  started.setMaxListeners(0);
  const executionArnOf = (executionName: string) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${name}:${executionName}`;

  const find = (executionArn: string): ExecutionRecord => {
    const record = executions.get(executionArn);
    if (!record)
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  };

  const run = (description: ExecutionDescription): ExecutionRecord => {
    const execution = machine.run(JSON.parse(description.input), {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
        ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: description.executionArn, Name: description.name, RoleArn: localRoleArn(name) },
        StateMachine: { Id: arn, Name: name },
      },
    });
    const events: EngineEvent[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        events.push(event as EngineEvent);
        options.onEvent?.(description, event as EngineEvent);
      }
    })();
    const finish = (patch: Partial<ExecutionDescription>) => {
      Object.assign(description, patch, { stopDate: new Date() });
    };
    const settled = execution.result
      .then(
        (output) => finish({ status: 'SUCCEEDED', output: JSON.stringify(output) }),
        (error: unknown) => {
          if (error instanceof ExecutionAbortedError) finish({ status: 'ABORTED' });
          else if (error instanceof ExecutionTimeoutError) {
            finish({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' });
          } else {
            const cause =
              error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
            finish({
              status: 'FAILED',
              error: cause?.name ?? 'Error',
              cause: cause?.message ?? String(error),
            });
          }
        },
      )
      // The event log closes with the execution; don't let a stuck generator hold the caller.
      .then(() => Promise.race([collecting, new Promise((resolve) => setTimeout(resolve, 1000).unref())]))
      .then(() => undefined);
    return { description, events, abort: execution.abort, settled };
  };

  return {
    arn,
    name,
    definition,
    startExecution(request) {
      const executionName = request.name ?? randomUUID();
      if (!isValidExecutionName(executionName)) {
        throw new ServiceError('InvalidName', `Invalid Name: '${executionName}'`);
      }
      const input = request.input ?? '{}';
      try {
        JSON.parse(input);
      } catch {
        throw new ServiceError(
          'InvalidExecutionInput',
          'Invalid State Machine Execution Input: the input is not JSON',
        );
      }
      if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
        throw new ServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: too large');
      }
      const executionArn = executionArnOf(executionName);
      const existing = executions.get(executionArn);
      if (existing) {
        // Standard workflows: the same name and input while it runs is the same start; anything else is refused.
        const { description } = existing;
        if (description.status === 'RUNNING' && description.input === input) {
          return { executionArn, startDate: description.startDate };
        }
        throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const description: ExecutionDescription = {
        executionArn,
        stateMachineArn: arn,
        name: executionName,
        status: 'RUNNING',
        startDate: new Date(),
        input,
      };
      const record = run(description);
      executions.set(executionArn, record);
      started.emit(executionArn);
      return { executionArn, startDate: description.startDate };
    },
    describeExecution(executionArn) {
      return { ...find(executionArn).description };
    },
    listExecutions(statusFilter) {
      return [...executions.values()]
        .map((record) => ({ ...record.description }))
        .filter((description) => !statusFilter || description.status === statusFilter)
        .reverse();
    },
    getExecutionHistory(executionArn) {
      return buildHistory(find(executionArn).events, definition);
    },
    historyCounts(executionArn) {
      return countHistory(buildHistory(find(executionArn).events, definition));
    },
    async stopExecution(executionArn, error, cause) {
      const record = find(executionArn);
      if (record.description.status === 'RUNNING') {
        record.abort();
        await record.settled;
        Object.assign(record.description, {
          ...(error !== undefined ? { error } : {}),
          ...(cause !== undefined ? { cause } : {}),
        });
      }
      return { ...record.description };
    },
    async waitForExecution(nameOrArn, waitOptions = {}) {
      const executionArn = nameOrArn.startsWith('arn:') ? nameOrArn : executionArnOf(nameOrArn);
      const timeoutMs = waitOptions.timeoutMs ?? 120_000;
      let timer: NodeJS.Timeout | undefined;
      let onStarted: (() => void) | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Execution ${nameOrArn} did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        let record = executions.get(executionArn);
        if (!record) {
          const appeared = new Promise<void>((resolve) => {
            onStarted = resolve;
            started.once(executionArn, onStarted);
          });
          await Promise.race([appeared, timeout]);
          record = find(executionArn);
        }
        await Promise.race([record.settled, timeout]);
        return { ...record.description };
      } finally {
        clearTimeout(timer);
        if (onStarted) started.off(executionArn, onStarted);
      }
    },
    async stop() {
      const running = [...executions.values()].filter((record) => record.description.status === 'RUNNING');
      for (const record of running) record.abort();
      await Promise.allSettled(running.map((record) => record.settled));
    },
  };
}

function localRoleArn(stateMachineName: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${stateMachineName}-role`;
}

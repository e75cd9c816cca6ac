/**
 * The whole pipeline on a laptop: s3rver, the SSM and Step Functions endpoints, the local state
 * machine and the Salesforce emulator, wired as in AWS: an object under `incoming/` in the landing
 * bucket → EventBridge-shaped event → the real trigger handler → StartExecution on the SFN endpoint →
 * the real ASL running the real handlers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator/index.ts';
import type { JsonApiServer } from './json-api.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalS3,
  localS3ClientConfig,
  type ObjectCreatedEvent,
  startLocalS3,
} from './s3.ts';
import { startSfnEndpoint } from './sfn-endpoint.ts';
import { type LocalSsm, type ParameterInput, startSsmEndpoint } from './ssm-endpoint.ts';
import {
  createLambdaInvoker,
  createLocalStateMachine,
  type ExecutionDescription,
  importRealHandler,
  type LambdaHandler,
  type LocalStateMachine,
  type LocalStateMachineOptions,
  TaskError,
} from './step-functions.ts';

export const DEFAULT_PARAMETER_PATH = '/polyload/local/salesforce';
export const DEFAULT_API_VERSION = '62.0';
export const DEFAULT_MAX_CONCURRENCY = 4;
export const LOCAL_CLIENT_ID = 'polyload-local';
export const LOCAL_CLIENT_SECRET = 'polyload-local-secret';

/** A real org (or another emulator) instead of the embedded one. */
export interface ExternalSalesforce {
  /** Login URL: My Domain, or https://login.salesforce.com / https://test.salesforce.com. */
  url: string;
  authMode?: 'client-credentials' | 'jwt';
  clientId: string;
  /** Client credentials flow. */
  clientSecret?: string;
  /** JWT bearer flow: the user, the PEM private key and optionally the audience. */
  username?: string;
  privateKey?: string;
  audience?: string;
}

export interface LocalStackOptions {
  /** Interface every server binds; loopback by default. */
  host?: string;
  /** 0 (the default for each) picks a free port. */
  ports?: { s3?: number; sfn?: number; ssm?: number; salesforce?: number };
  /** Keeps objects (`<dir>/s3`) and the emulator's org (`<dir>/salesforce`); temporary otherwise. */
  dataDir?: string;
  buckets?: { landing?: string; work?: string };
  /** Use this Salesforce instead of starting the emulator. */
  salesforce?: ExternalSalesforce;
  /** Options for the embedded emulator (faults, schema, seed, quirks). */
  emulator?: Omit<EmulatorOptions, 'host' | 'port' | 'dataDir'>;
  stateMachine?: Omit<LocalStateMachineOptions, 'definition' | 'name'>;
  /** The trigger's handler; the real `functions/trigger/handler.ts` by default, `false` for none. */
  trigger?: LambdaHandler | false;
  apiVersion?: string;
  maxConcurrency?: number;
  parameterPath?: string;
  /** More environment for the handlers (MAX_PART_RECORDS, POLL_MAX_WAIT_SECONDS, ...). */
  env?: Record<string, string>;
  /** Set `env` on process.env (restored on stop): in-process handlers read their config from there. */
  applyEnv?: boolean;
  /** POWERTOOLS_LOG_LEVEL for the handlers; WARN by default to keep test output quiet. */
  logLevel?: string;
  /** Emit Powertools metrics (EMF lines on stdout); off by default. */
  metrics?: boolean;
}

/** What the trigger did with one event, in delivery order. */
export interface TriggerRecord {
  event: ObjectCreatedEvent;
  key: string;
  /** The trigger's return value (`{ outcome, runId?, executionArn? }`) when it succeeded. */
  output?: { outcome?: string; runId?: string; executionArn?: string } & Record<string, unknown>;
  /** The error after EventBridge's retries (two, as for an asynchronous Lambda invocation). */
  error?: { name: string; message: string };
  attempts: number;
}

export interface LocalStack {
  s3: LocalS3;
  ssm: LocalSsm;
  sfn: JsonApiServer;
  stateMachine: LocalStateMachine;
  /** The embedded emulator, when no external Salesforce was given. */
  emulator?: Emulator;
  endpoints: { s3: string; sfn: string; ssm: string; salesforce: string };
  /** The environment the handlers run with (docs/architecture.md), whether or not applied. */
  env: Record<string, string>;
  triggers: TriggerRecord[];
  /** Waits for an execution by name (the run id) or ARN to finish. */
  waitForExecution(nameOrArn: string, options?: { timeoutMs?: number }): Promise<ExecutionDescription>;
  /**
   * Waits for the trigger to handle the upload that put the object now at `key` in the landing
   * bucket, then for the run it started (if any). Call it after the upload: the object's ETag (read
   * now, or `etag` as PutObject returned it) tells this upload's event from an earlier upload's of the
   * same key. Identical bytes uploaded again name the same run (the trigger is idempotent), so any of
   * their events will do.
   */
  waitForRunOf(
    key: string,
    options?: { etag?: string; timeoutMs?: number },
  ): Promise<{ trigger: TriggerRecord; execution?: ExecutionDescription }>;
  stop(): Promise<void>;
}

/** EventBridge retries a failed asynchronous Lambda invocation twice. */
const TRIGGER_ATTEMPTS = 3;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    stoppers.length = 0;
  };
  const dataDir = (name: string) => {
    if (options.dataDir === undefined) return undefined;
    const dir = join(options.dataDir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  try {
    let emulator: Emulator | undefined;
    let salesforceUrl: string;
    if (options.salesforce) {
      salesforceUrl = options.salesforce.url;
    } else {
      emulator = await startEmulator({
        ...options.emulator,
        host,
        port: options.ports?.salesforce ?? 0,
        dataDir: dataDir('salesforce'),
      });
      stoppers.push(() => emulator?.stop() ?? Promise.resolve());
      salesforceUrl = emulator.url;
    }

    const s3 = await startLocalS3({
      host,
      port: options.ports?.s3 ?? 0,
      directory: dataDir('s3'),
      buckets: options.buckets,
    });
    stoppers.push(() => s3.stop());

    const parameterPath = options.parameterPath ?? DEFAULT_PARAMETER_PATH;
    const ssm = await startSsmEndpoint({
      host,
      port: options.ports?.ssm ?? 0,
      parameters: salesforceParameters(parameterPath, salesforceUrl, options.salesforce),
    });
    stoppers.push(() => ssm.stop());

    const stateMachine = createLocalStateMachine(options.stateMachine);
    stoppers.push(() => stateMachine.stop());
    const sfn = await startSfnEndpoint(stateMachine, { host, port: options.ports?.sfn ?? 0 });
    stoppers.push(() => sfn.stop());

    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_SSM: ssm.url,
      // s3rver stores the SDK's default aws-chunked trailing checksums as object bytes.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      WORK_BUCKET: s3.buckets.work,
      STATE_MACHINE_ARN: stateMachine.arn,
      MAX_CONCURRENCY: String(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY),
      SALESFORCE_API_VERSION: options.apiVersion ?? DEFAULT_API_VERSION,
      SALESFORCE_PARAMETER_PATH: parameterPath,
      POWERTOOLS_SERVICE_NAME: 'polyload',
      POWERTOOLS_METRICS_NAMESPACE: 'Polyload',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: options.metrics ? 'false' : 'true',
      ...options.env,
    };
    if (options.applyEnv) {
      const restore = applyEnvironment(env);
      stoppers.unshift(async () => restore());
    }

    const triggers: TriggerRecord[] = [];
    const triggerSettled = new EventTarget();
    if (options.trigger !== false) {
      const own = options.trigger;
      const invokeTrigger = createLambdaInvoker({
        functionName: 'polyload-trigger',
        resolve: own ? () => Promise.resolve(own) : () => importRealHandler('polyload-trigger'),
        timeoutMs: 30_000,
      });
      s3.onObjectCreated(async (event) => {
        const record: TriggerRecord = { event, key: event.detail.object.key, attempts: 0 };
        while (record.attempts < TRIGGER_ATTEMPTS) {
          record.attempts++;
          try {
            record.output = (await invokeTrigger(event)) as TriggerRecord['output'];
            record.error = undefined;
            break;
          } catch (error) {
            const name = error instanceof Error ? error.name : 'Error';
            const message = error instanceof TaskError ? parseCause(error.message) : String(error);
            record.error = { name, message };
          }
        }
        triggers.push(record);
        triggerSettled.dispatchEvent(new Event('settled'));
      });
    }

    let s3Client: S3Client | undefined;
    const currentEtag = async (key: string): Promise<string> => {
      if (!s3Client) {
        s3Client = new S3Client(localS3ClientConfig(s3.endpoint));
        stoppers.push(async () => s3Client?.destroy());
      }
      const head = await s3Client.send(new HeadObjectCommand({ Bucket: s3.buckets.landing, Key: key }));
      if (!head.ETag) throw new Error(`s3://${s3.buckets.landing}/${key} has no ETag`);
      return head.ETag;
    };

    const waitForTrigger = (key: string, etag: string, timeoutMs: number) =>
      new Promise<TriggerRecord>((resolve, reject) => {
        const wanted = unquoted(etag);
        const check = () => {
          const found = triggers.findLast(
            (record) => record.key === key && unquoted(record.event.detail.object.etag) === wanted,
          );
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`No trigger invocation for ${key} (ETag ${wanted}) within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          triggerSettled.removeEventListener('settled', check);
        };
        if (!check()) triggerSettled.addEventListener('settled', check);
      });

    return {
      s3,
      ssm,
      sfn,
      stateMachine,
      emulator,
      endpoints: { s3: s3.endpoint, sfn: sfn.url, ssm: ssm.url, salesforce: salesforceUrl },
      env,
      triggers,
      waitForExecution: (nameOrArn, waitOptions) => stateMachine.waitForExecution(nameOrArn, waitOptions),
      async waitForRunOf(key, waitOptions = {}) {
        const timeoutMs = waitOptions.timeoutMs ?? 120_000;
        const started = Date.now();
        const etag = waitOptions.etag ?? (await currentEtag(key));
        const trigger = await waitForTrigger(key, etag, Math.max(1, timeoutMs - (Date.now() - started)));
        const runId = trigger.output?.runId;
        if (!runId) return { trigger };
        const execution = await stateMachine.waitForExecution(runId, {
          timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
        });
        return { trigger, execution };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The SSM parameters the handlers read under SALESFORCE_PARAMETER_PATH (docs/architecture.md). */
export function salesforceParameters(
  path: string,
  loginUrl: string,
  external?: ExternalSalesforce,
): ParameterInput[] {
  const at = (name: string) => `${path}/${name}`;
  if (!external) {
    return [
      { name: at('login-url'), value: loginUrl },
      { name: at('auth-mode'), value: 'client-credentials' },
      { name: at('client-id'), value: LOCAL_CLIENT_ID },
      { name: at('client-secret'), value: LOCAL_CLIENT_SECRET, type: 'SecureString' },
    ];
  }
  const parameters: ParameterInput[] = [
    { name: at('login-url'), value: external.url },
    { name: at('auth-mode'), value: external.authMode ?? 'client-credentials' },
    { name: at('client-id'), value: external.clientId },
  ];
  if (external.clientSecret)
    parameters.push({ name: at('client-secret'), value: external.clientSecret, type: 'SecureString' });
  if (external.username) parameters.push({ name: at('username'), value: external.username });
  if (external.privateKey)
    parameters.push({ name: at('private-key'), value: external.privateKey, type: 'SecureString' });
  if (external.audience) parameters.push({ name: at('audience'), value: external.audience });
  return parameters;
}

/** ETags come quoted from S3's API and bare in its events. */
const unquoted = (etag: string) => etag.replace(/^"|"$/g, '');

/** Sets the variables and returns how to put the previous values back. */
function applyEnvironment(env: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  // A session token left in the shell would be sent with the local keys.
  for (const name of [...Object.keys(env), 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    previous.set(name, process.env[name]);
  }
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** A TaskError's message is Lambda's error document; keep its human part. */
function parseCause(cause: string): string {
  try {
    return String((JSON.parse(cause) as { errorMessage?: unknown }).errorMessage ?? cause);
  } catch {
    return cause;
  }
}

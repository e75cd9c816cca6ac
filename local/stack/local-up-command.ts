import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions, UsageError } from '../cli/args.ts';
import { type ExternalSalesforce, type LocalStack, salesforceParameters, startLocalStack } from './index.ts';

const HELP = `Usage: polyload local up [options]

Starts the local stack and keeps it up until Ctrl-C: S3 (s3rver), the Step Functions and SSM
endpoints, the pipeline state machine with the real handlers, and the Salesforce emulator. A CSV
dropped under incoming/<pipeline>/ in the landing bucket starts a run, as in AWS.

Options:
  --port-s3 N           S3 port (default 4569)
  --port-sfn N          Step Functions endpoint port (default 8083)
  --port-ssm N          SSM endpoint port (default 8084)
  --port-salesforce N   Salesforce emulator port (default 8787)
  --host H              interface to bind (default 127.0.0.1; 0.0.0.0 lets Docker reach it on Linux)
  --data-dir D          keep objects and the emulator's org in D across restarts
  --faults SPEC         emulator faults, e.g. throttle=0.05,lock=0.01
  --salesforce URL      use this org instead of the emulator (client credentials from
                        SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET)
  --log-level L         handlers' POWERTOOLS_LOG_LEVEL (default INFO)
`;

/** The SSM path whose login URL is the emulator as seen from a `sam local invoke` container. */
const DOCKER_PARAMETER_PATH = '/polyload/local-docker/salesforce';
const DOCKER_HOST = 'host.docker.internal';

export interface LocalUpIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Resolves when the stack should stop; SIGINT or SIGTERM otherwise. */
  until?: Promise<void>;
}

export async function localUpCommand(args: string[], io: LocalUpIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const { values } = parseOptions(args, {
    'port-s3': { type: 'string', default: '4569' },
    'port-sfn': { type: 'string', default: '8083' },
    'port-ssm': { type: 'string', default: '8084' },
    'port-salesforce': { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    faults: { type: 'string' },
    salesforce: { type: 'string' },
    'log-level': { type: 'string', default: 'INFO' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    stdout.write(HELP);
    return 0;
  }
  const ports = {
    s3: port(values['port-s3'], '--port-s3'),
    sfn: port(values['port-sfn'], '--port-sfn'),
    ssm: port(values['port-ssm'], '--port-ssm'),
    salesforce: port(values['port-salesforce'], '--port-salesforce'),
  };
  const salesforce = values.salesforce ? externalSalesforce(values.salesforce) : undefined;

  const stack = await startLocalStack({
    host: values.host,
    ports,
    dataDir: values['data-dir'],
    salesforce,
    emulator: values.faults ? { faults: values.faults } : undefined,
    applyEnv: true,
    logLevel: values['log-level'],
    stateMachine: {
      onEvent(execution, event) {
        if (event.type === 'ExecutionStarted') stderr.write(`run ${execution.name}: started\n`);
        if (
          ['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimeout'].includes(
            event.type,
          )
        ) {
          const error = event.Error ? ` (${event.Error})` : '';
          stderr.write(
            `run ${execution.name}: ${event.type.replace('Execution', '').toUpperCase()}${error}\n`,
          );
        }
      },
    },
  });
  try {
    const dockerEnv = prepareDockerAccess(stack, salesforce);
    const envJson = `${JSON.stringify({ Parameters: dockerEnv }, null, 2)}\n`;
    if (values['data-dir']) writeFileSync(join(values['data-dir'], 'env.json'), envJson);
    stdout.write(describe(stack, envJson, values['data-dir']));
    await (io.until ?? untilSignal());
  } finally {
    await stack.stop();
  }
  return 0;
}

function port(raw: string | undefined, option: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new UsageError(`${option} must be a port number, got '${raw}'`);
  }
  return value;
}

function externalSalesforce(url: string): ExternalSalesforce {
  const clientId = process.env.SALESFORCE_CLIENT_ID;
  const clientSecret = process.env.SALESFORCE_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new UsageError(
      '--salesforce needs SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET in the environment',
    );
  }
  return { url, authMode: 'client-credentials', clientId, clientSecret };
}

/**
 * The handlers' environment as a `sam local invoke` container sees the stack: loopback addresses
 * become host.docker.internal, and the Salesforce settings come from a path whose login URL does too.
 */
function prepareDockerAccess(stack: LocalStack, external?: ExternalSalesforce): Record<string, string> {
  const toDocker = (url: string) =>
    url.replace(/\/\/(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\])(?=[:/]|$)/, `//${DOCKER_HOST}`);
  for (const parameter of salesforceParameters(
    DOCKER_PARAMETER_PATH,
    toDocker(stack.endpoints.salesforce),
    external,
  )) {
    stack.ssm.put(parameter);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(stack.env)) {
    env[name] = name.startsWith('AWS_ENDPOINT_URL_') ? toDocker(value) : value;
  }
  env.SALESFORCE_PARAMETER_PATH = DOCKER_PARAMETER_PATH;
  return env;
}

function describe(stack: LocalStack, envJson: string, dataDir: string | undefined): string {
  const { endpoints, env } = stack;
  const { landing, work } = stack.s3.buckets;
  const awsEnv = `AWS_ACCESS_KEY_ID=${env.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${env.AWS_SECRET_ACCESS_KEY} AWS_REGION=${env.AWS_REGION} AWS_REQUEST_CHECKSUM_CALCULATION=when_required`;
  return [
    'Polyload local stack is up.',
    '',
    `  S3 (s3rver)      ${endpoints.s3}   buckets: ${landing} (landing), ${work} (work)`,
    `  Step Functions   ${endpoints.sfn}   state machine: ${stack.stateMachine.arn}`,
    `  SSM              ${endpoints.ssm}   parameters: ${env.SALESFORCE_PARAMETER_PATH}/*`,
    `  Salesforce       ${endpoints.salesforce}${stack.emulator ? '   (emulator: polyload-local / polyload-local-secret)' : ''}`,
    '',
    'Put a mapping, then drop a CSV to start a run:',
    `  ${awsEnv} aws s3 cp mappings/<pipeline>.yaml s3://${work}/mappings/<pipeline>.yaml --endpoint-url ${endpoints.s3}`,
    `  ${awsEnv} aws s3 cp <file>.csv s3://${landing}/incoming/<pipeline>/<file>.csv --endpoint-url ${endpoints.s3}`,
    '',
    `env.json for 'sam local invoke <Function> --env-vars env.json'${dataDir ? ` (also written to ${join(dataDir, 'env.json')})` : ''}:`,
    envJson,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

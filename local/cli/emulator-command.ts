import { defaultConnectedApps, readJwtCertificate } from '../emulator/auth/connected-apps.ts';
import { startEmulator } from '../emulator/index.ts';
import { parseOptions, UsageError } from './args.ts';

const HELP = `Usage: polyload emulator [options]

Starts a local Salesforce that speaks the real REST paths: OAuth token endpoint, describe, SOQL query,
Bulk API 2.0 ingest and /limits. Stop it with Ctrl-C.

Options:
  --port N          port to listen on (default 8787; 0 picks a free port)
  --host H          interface to bind (default 127.0.0.1)
  --schema F        org schema: a describe export (JSON file or directory); the bundled healthcare org by default
  --seed F          records to load at start (CSV named <Object>.csv, or JSON); repeat for parents first
  --faults SPEC     e.g. throttle=0.05,http5xx=0.02,lock=0.01,tokenTtl=300,apiLimit=15000,processingMs=50,seed=7
  --data-dir D      keep records and jobs in D across restarts (default: a temporary directory)
  --jwt-cert F      PEM certificate (or public key) that verifies JWT bearer assertions for polyload-local
`;

export async function emulatorCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    schema: { type: 'string' },
    seed: { type: 'string', multiple: true },
    faults: { type: 'string' },
    'data-dir': { type: 'string' },
    'jwt-cert': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number, got '${values.port}'`);
  }
  const emulator = await startEmulator({
    port,
    host: values.host,
    schema: values.schema,
    seed: values.seed,
    faults: values.faults,
    dataDir: values['data-dir'],
    apps: defaultConnectedApps(
      values['jwt-cert'] ? { jwtCertificate: readJwtCertificate(values['jwt-cert']) } : {},
    ),
  });
  // Listen for Ctrl-C before announcing readiness: a script that signals as soon as it reads the URL
  // must find the handler in place.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.stdout.write(`${emulator.url}\n`);
  process.stderr.write(
    [
      `Salesforce emulator listening on ${emulator.url}`,
      '  login and instance URL: the address above',
      '  client credentials:     polyload-local / polyload-local-secret (runs as integration@polyload.local)',
      `  token:                  curl -d grant_type=client_credentials -d client_id=polyload-local -d client_secret=polyload-local-secret ${emulator.url}/services/oauth2/token`,
      values['data-dir']
        ? `  data directory:         ${values['data-dir']}`
        : '  data: temporary (use --data-dir to keep it)',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await stopped;
  await emulator.stop();
  return 0;
}

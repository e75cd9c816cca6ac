import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectedApp, defaultConnectedApps } from './auth/connected-apps.ts';
import { registerOAuthRoutes } from './auth/oauth-routes.ts';
import { createSessionStore } from './auth/sessions.ts';
import { ensureIntegrationUser } from './auth/users.ts';
import type { EmulatorContext, FaultSpec, Quirks } from './context.ts';
import { createFaults } from './faults.ts';
import { Router, sendJson } from './http/router.ts';
import { registerIngestRoutes, resumeJobs, suspendJobs } from './ingest/routes.ts';
import { createApiLimits, registerLimitsRoutes } from './limits.ts';
import { registerDescribeRoutes } from './schema/describe-routes.ts';
import { createSchemaIndex } from './schema/index.ts';
import { loadSchema } from './schema/load.ts';
import type { OrgSchema } from './schema/types.ts';
import { loadSeedFiles } from './seed.ts';
import { createEmulatorServer, LATEST_API_VERSION, OLDEST_API_VERSION } from './server.ts';
import { registerQueryRoutes } from './soql/routes.ts';
import { openRecordStore } from './store/sqlite-store.ts';

export interface EmulatorOptions {
  /** Interface to bind; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A describe export (file or directory) or a schema object; the bundled healthcare org by default. */
  schema?: string | OrgSchema;
  /** CSV/JSON record files loaded in order, parents first. */
  seed?: string[];
  /** Fault spec (`throttle=0.1,lock=0.05,...`) or its parsed form. */
  faults?: string | Partial<FaultSpec>;
  /** Where records and jobs persist across restarts; a temporary directory (removed on stop) otherwise. */
  dataDir?: string;
  quirks?: Partial<Quirks>;
  /** Connected apps; the default `polyload-local` app otherwise. */
  apps?: ConnectedApp[];
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:50123 — both the login URL and the instance URL. */
  url: string;
  context: EmulatorContext;
  stop(): Promise<void>;
}

export const DEFAULT_QUIRKS: Quirks = {
  secondUpload: 'rejectPut',
  abortAfterUpload: true,
  rejectEmbeddedNewline: false,
  shuffleResults: true,
  emptyResults: 'header',
  polymorphicByReferenceCount: false,
};

/** Starts the Salesforce emulator in-process. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'polyload-emulator-'));
  mkdirSync(dataDir, { recursive: true });
  const now = () => new Date();
  const schema = createSchemaIndex(await withUserObject(await loadSchema(options.schema)));
  const faults = createFaults(options.faults);
  const store = openRecordStore(schema, join(dataDir, 'org.sqlite'));
  const context: EmulatorContext = {
    schema,
    store,
    faults,
    limits: createApiLimits(faults, now),
    sessions: createSessionStore(faults, now),
    quirks: { ...DEFAULT_QUIRKS, ...options.quirks },
    dataDir,
    latestApiVersion: LATEST_API_VERSION,
    now,
  };

  const router = new Router();
  registerVersionRoutes(router);
  registerOAuthRoutes(router, context, options.apps ?? defaultConnectedApps());
  registerLimitsRoutes(router, context);
  registerDescribeRoutes(router, context);
  registerQueryRoutes(router, context);
  registerIngestRoutes(router, context);

  ensureIntegrationUser(context);
  if (options.seed?.length) await loadSeedFiles(context, options.seed);
  resumeJobs(context);

  const server = createEmulatorServer(router, context);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    context,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Jobs still processing stop at a batch boundary and resume on the next start (with --data-dir).
      await suspendJobs(context);
      store.close();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sessions run as a User record, so an org schema without User (a partial describe export) gets the
 * bundled org's User object rather than an emulator that cannot log anyone in.
 */
async function withUserObject(org: OrgSchema): Promise<OrgSchema> {
  if (org.objects.some((o) => o.name.toLowerCase() === 'user')) return org;
  const user = (await loadSchema()).objects.find((o) => o.name === 'User');
  return user ? { ...org, objects: [...org.objects, user] } : org;
}

/** `GET /services/data`: the versions list clients read to pick an API version. */
function registerVersionRoutes(router: Router): void {
  router.add(
    'GET',
    '/services/data',
    (ctx) => {
      const versions = [];
      for (let v = OLDEST_API_VERSION; v <= Number(LATEST_API_VERSION); v++) {
        versions.push({ label: `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
      }
      sendJson(ctx, 200, versions);
    },
    { auth: false, metered: false },
  );
}

/**
 * Non-secret configuration from the environment that template.yaml sets (docs/architecture.md).
 * Read once per container. A handler names the settings it cannot run without, so a missing variable
 * fails the cold start with the variable's name instead of surfacing later as an `undefined` bucket.
 */

export interface Config {
  /** WORK_BUCKET: mappings, staged parts, results and reports. */
  readonly workBucket: string;
  /** SALESFORCE_API_VERSION, e.g. `62.0`. */
  readonly salesforceApiVersion: string;
  /** SALESFORCE_PARAMETER_PATH: SSM path of the Salesforce settings. */
  readonly salesforceParameterPath: string;
  /** STATE_MACHINE_ARN (trigger only). */
  readonly stateMachineArn: string;
  /** MAX_CONCURRENCY (trigger only): parts loaded in parallel. */
  readonly maxConcurrency: number;
  /** MAX_PART_BYTES, default 100,000,000. */
  readonly maxPartBytes: number;
  /** MAX_PART_RECORDS, default 150,000. */
  readonly maxPartRecords: number;
  /** MAX_RESUBMITS, default 3, at most MAX_RESUBMITS_CEILING. */
  readonly maxResubmits: number;
  /** POLL_MAX_WAIT_SECONDS, default 60. */
  readonly pollMaxWaitSeconds: number;
}

export type Setting = keyof Config;

/** A deployment mistake, not a data problem: the function cannot run as configured. */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
}

/**
 * The most resubmissions a part may make. Each part is one child execution, held to Step Functions'
 * 25,000 history events, and each job of a part costs at most 16 events + 321 polls × 9 (the Poll
 * step's schedule over its 8-day horizon, functions/poll/interpret-job.ts) + 102 for Upload and
 * Collect retries (17 each × 3) = 3,007. A part runs 1 + MAX_RESUBMITS jobs: 5 gives 6 × 3,007 =
 * 18,042 events, leaving room for the per-job figures to grow; 7 (24,056) would be the last that fits
 * at all, and 8 (27,063) fails the part's execution.
 */
export const MAX_RESUBMITS_CEILING = 5;

interface SettingSpec {
  env: string;
  kind: 'string' | 'positiveInteger' | 'nonNegativeInteger';
  fallback?: string;
  /** Largest accepted value (integers). */
  max?: number;
}

const SETTINGS: Record<Setting, SettingSpec> = {
  workBucket: { env: 'WORK_BUCKET', kind: 'string' },
  salesforceApiVersion: { env: 'SALESFORCE_API_VERSION', kind: 'string' },
  salesforceParameterPath: { env: 'SALESFORCE_PARAMETER_PATH', kind: 'string' },
  stateMachineArn: { env: 'STATE_MACHINE_ARN', kind: 'string' },
  maxConcurrency: { env: 'MAX_CONCURRENCY', kind: 'positiveInteger' },
  maxPartBytes: { env: 'MAX_PART_BYTES', kind: 'positiveInteger', fallback: '100000000' },
  maxPartRecords: { env: 'MAX_PART_RECORDS', kind: 'positiveInteger', fallback: '150000' },
  maxResubmits: {
    env: 'MAX_RESUBMITS',
    kind: 'nonNegativeInteger',
    fallback: '3',
    max: MAX_RESUBMITS_CEILING,
  },
  pollMaxWaitSeconds: { env: 'POLL_MAX_WAIT_SECONDS', kind: 'positiveInteger', fallback: '60' },
};

let cached: Config | undefined;

/**
 * The configuration, read from the environment on first call. Every setting named in `required` is
 * checked now; any other setting is checked when first read. Either way a missing or malformed
 * variable throws a ConfigError naming it.
 *
 * @example const { workBucket } = config('workBucket', 'salesforceApiVersion');
 */
export function config(...required: Setting[]): Config {
  cached ??= readConfig(process.env);
  for (const setting of required) void cached[setting];
  return cached;
}

/** Forget the cached configuration (tests that change the environment between cases). */
export function resetConfig(): void {
  cached = undefined;
}

/** Builds a Config over an environment snapshot; values are parsed and checked on first access. */
export function readConfig(env: Record<string, string | undefined>): Config {
  const snapshot = Object.fromEntries(Object.values(SETTINGS).map((spec) => [spec.env, env[spec.env]]));
  const values = new Map<Setting, string | number>();
  const result = {} as Config;
  for (const [setting, spec] of Object.entries(SETTINGS) as [Setting, SettingSpec][]) {
    Object.defineProperty(result, setting, {
      enumerable: true,
      get() {
        if (!values.has(setting)) values.set(setting, parseSetting(spec, snapshot[spec.env]));
        return values.get(setting);
      },
    });
  }
  return Object.freeze(result);
}

function parseSetting(spec: SettingSpec, raw: string | undefined): string | number {
  const value = raw === undefined || raw.trim() === '' ? spec.fallback : raw.trim();
  if (value === undefined) throw new ConfigError(`Missing environment variable ${spec.env}`);
  if (spec.kind === 'string') return value;
  const number = Number(value);
  const minimum = spec.kind === 'positiveInteger' ? 1 : 0;
  const inRange = Number.isSafeInteger(number) && number >= minimum && number <= (spec.max ?? Infinity);
  if (!inRange) {
    const range = spec.max === undefined ? `≥ ${minimum}` : `from ${minimum} to ${spec.max}`;
    throw new ConfigError(`Environment variable ${spec.env} must be an integer ${range}, got "${value}"`);
  }
  return number;
}

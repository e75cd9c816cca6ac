import type { FaultSpec, Faults } from './context.ts';

/**
 * Defaults: no injected faults, a Developer Edition org's 15,000 daily API requests (the org most people
 * develop against, and small enough that a runaway poller shows up), 2-hour tokens (Salesforce's default
 * session timeout) and a few milliseconds per 10,000-record batch so local runs stay quick.
 */
export const DEFAULT_FAULT_SPEC: FaultSpec = {
  throttle: 0,
  http5xx: 0,
  lock: 0,
  tokenTtl: 7200,
  apiLimit: 15_000,
  processingMs: 5,
  seed: 1,
};

type FaultName = keyof FaultSpec;

interface Rule {
  expected: string;
  valid(n: number): boolean;
}

const ratio: Rule = { expected: 'a ratio between 0 and 1 (e.g. 0.05)', valid: (n) => n >= 0 && n <= 1 };
const count = (min: number, unit: string): Rule => ({
  expected: `a whole number of ${unit} >= ${min}`,
  valid: (n) => Number.isSafeInteger(n) && n >= min,
});

const RULES: Record<FaultName, Rule> = {
  throttle: ratio,
  http5xx: ratio,
  lock: ratio,
  tokenTtl: count(1, 'seconds'),
  apiLimit: count(0, 'requests'),
  processingMs: count(0, 'milliseconds'),
  seed: {
    expected: 'a whole number between 0 and 4294967295',
    valid: (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff,
  },
};

const NAMES = Object.keys(RULES) as FaultName[];

function isFaultName(name: string): name is FaultName {
  return (NAMES as string[]).includes(name);
}

/**
 * Parses `throttle=0.1,lock=0.05,tokenTtl=60`. Names are case-sensitive, as documented; an unknown name,
 * a repeated name or a bad value is an Error naming the item and what is allowed.
 */
export function parseFaultSpec(spec: string): Partial<FaultSpec> {
  const parsed: Partial<FaultSpec> = {};
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      throw new Error(`Fault spec item "${item}" is not name=value; names: ${NAMES.join(', ')}`);
    }
    const name = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    if (!isFaultName(name)) {
      throw new Error(`Unknown fault "${name}" in "${item}"; expected one of ${NAMES.join(', ')}`);
    }
    if (name in parsed) throw new Error(`Fault "${name}" is given more than once in the fault spec`);
    // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
    const value = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
    if (!RULES[name].valid(value)) {
      throw new Error(`Bad value for fault "${name}" in "${item}": expected ${RULES[name].expected}`);
    }
    parsed[name] = value;
  }
  return parsed;
}

function validate(patch: Partial<FaultSpec>): Partial<FaultSpec> {
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!isFaultName(name)) {
      throw new Error(`Unknown fault "${name}"; expected one of ${NAMES.join(', ')}`);
    }
    if (typeof value !== 'number' || !RULES[name].valid(value)) {
      throw new Error(`Bad value for fault "${name}": ${String(value)}; expected ${RULES[name].expected}`);
    }
  }
  return patch;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG; plenty for fault injection and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Distinct stream seeds, so the sequence of locked rows does not move when the number of HTTP requests
// changes (a client that polls more often must not change which rows fail).
const REQUEST_STREAM = 0x5eed0001;
const ROW_STREAM = 0x5eed0002;

export const CONCURRENT_LIMIT_MESSAGE = 'ConcurrentPerOrgLongTxn Limit exceeded.';

export interface InjectedFault {
  status: number;
  errorCode: string;
  message: string;
}

/** Creates the run-time fault settings: `initial` is a spec string or an already parsed spec. */
export function createFaults(initial: string | Partial<FaultSpec> = {}): Faults {
  let spec: FaultSpec = {
    ...DEFAULT_FAULT_SPEC,
    ...(typeof initial === 'string' ? parseFaultSpec(initial) : validate(initial)),
  };
  let requestRandom = mulberry32(0);
  let rowRandom = mulberry32(0);
  const reseed = () => {
    requestRandom = mulberry32(spec.seed ^ REQUEST_STREAM);
    rowRandom = mulberry32(spec.seed ^ ROW_STREAM);
  };
  reseed();

  return {
    spec: () => ({ ...spec }),
    set(patch) {
      spec = { ...spec, ...(typeof patch === 'string' ? parseFaultSpec(patch) : validate(patch)) };
      // Re-seeding makes "flip faults on mid-run" reproducible: the same calls see the same faults.
      reseed();
    },
    requestFault(): InjectedFault | undefined {
      if (spec.throttle === 0 && spec.http5xx === 0) return undefined;
      // Always two draws per request, so the outcome of request N depends only on N and the seed.
      const roll = requestRandom();
      const flavour = requestRandom();
      if (roll < spec.throttle) {
        // The transient, concurrency flavour; the daily-allocation flavour comes from limits.ts.
        return { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: CONCURRENT_LIMIT_MESSAGE };
      }
      if (roll < spec.throttle + spec.http5xx) return serverFault(flavour);
      return undefined;
    },
    rowLocked() {
      return spec.lock > 0 && rowRandom() < spec.lock;
    },
  };
}

/**
 * Mostly 503 (maintenance or overload), sometimes Salesforce's 500 with an ErrorId. jsforce retries
 * both on GET/PUT/DELETE and never on POST/PATCH, which is exactly what clients must cope with.
 */
function serverFault(flavour: number): InjectedFault {
  if (flavour < 0.75) return { status: 503, errorCode: 'SERVER_UNAVAILABLE', message: 'Server Unavailable' };
  const errorId = Math.floor(flavour * 1e10);
  return {
    status: 500,
    errorCode: 'UNKNOWN_EXCEPTION',
    message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}-${errorId % 99991} (${-(errorId % 2147483647)})`,
  };
}

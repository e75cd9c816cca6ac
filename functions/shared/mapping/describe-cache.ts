/**
 * Describe results, cached per container in memory and per org API version in the work bucket
 * (`cache/describe/v<version>/<object>.json`, and `_global.json` for the global describe's object
 * list). Validate refreshes the S3 copy from Salesforce, so each run preflights against current
 * metadata; Transform, a few seconds later, reads that copy instead of spending API calls.
 */

import { getJson, isNotFound, putJson } from '../s3.ts';
import type { GlobalDescribeEntry, SalesforcePort, SObjectDescribe } from '../salesforce-port.ts';
import type { DescribeFn, DescribeGlobalFn } from './plan-mapping.ts';

export interface DescribeCacheOptions {
  bucket: string;
  apiVersion: string;
  /** `refresh`: ask Salesforce and update the cache (Validate); `preferCache`: cache first (later steps). */
  mode: 'refresh' | 'preferCache';
  /** How long a container reuses an in-memory result; default 5 minutes. */
  memoryTtlMs?: number;
  now?: () => number;
}

const memory = new Map<string, { value: unknown; at: number }>();

/** No object is called `_global` (API names start with a letter), so the object list cannot clash. */
const GLOBAL = '_global';

export function describeCacheKey(apiVersion: string, object: string): string {
  return `cache/describe/v${apiVersion}/${object}.json`;
}

/** The key of the global describe's object list. */
export function globalDescribeCacheKey(apiVersion: string): string {
  return describeCacheKey(apiVersion, GLOBAL);
}

/** Loads `key` through the memory and S3 caches, asking `fetch` as the mode says. */
function cachedLoader<T>(
  options: DescribeCacheOptions,
): (key: string, fetch: () => Promise<T>) => Promise<T> {
  const ttl = options.memoryTtlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  return async (key, fetch) => {
    const id = `${options.bucket}/${key}`;
    if (options.mode === 'preferCache') {
      const remembered = memory.get(id);
      if (remembered && now() - remembered.at < ttl) return remembered.value as T;
      try {
        const cached = await getJson<T>(options.bucket, key);
        memory.set(id, { value: cached, at: now() });
        return cached;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const fresh = await fetch();
    await putJson(options.bucket, key, fresh);
    memory.set(id, { value: fresh, at: now() });
    return fresh;
  };
}

/** Shares one pending load per id within an invocation; a failed load may be tried again. */
function once<T>(): (id: string, load: () => Promise<T>) => Promise<T> {
  const pending = new Map<string, Promise<T>>();
  return (id, load) => {
    let result = pending.get(id);
    if (!result) {
      result = load();
      pending.set(id, result);
      result.catch(() => pending.delete(id));
    }
    return result;
  };
}

/** A describe function over `port` with the in-memory and S3 caches in front. */
export function cachedDescribe(
  port: Pick<SalesforcePort, 'describe'>,
  options: DescribeCacheOptions,
): DescribeFn {
  const load = cachedLoader<SObjectDescribe>(options);
  // Within one invocation each object is described once, whichever mode.
  const shared = once<SObjectDescribe>();
  return (object) =>
    shared(object.toLowerCase(), () =>
      load(describeCacheKey(options.apiVersion, object), () => port.describe(object)),
    );
}

/** The global describe's object list over `port`, with the in-memory and S3 caches in front. */
export function cachedDescribeGlobal(
  port: { describeGlobal(): Promise<GlobalDescribeEntry[]> },
  options: DescribeCacheOptions,
): DescribeGlobalFn {
  const load = cachedLoader<GlobalDescribeEntry[]>(options);
  const shared = once<GlobalDescribeEntry[]>();
  return () =>
    shared(GLOBAL, () => load(globalDescribeCacheKey(options.apiVersion), () => port.describeGlobal()));
}

/** Forget what this container remembers (tests). */
export function clearDescribeMemory(): void {
  memory.clear();
}

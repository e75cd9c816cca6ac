/**
 * Describe results, cached per container in memory and per org API version in the work bucket
 * (`cache/describe/v<version>/<object>.json`). Validate refreshes the S3 copy from Salesforce, so each
 * run preflights against current metadata; Transform, a few seconds later, reads that copy instead of
 * spending API calls.
 */

import { getJson, isNotFound, putJson } from '../s3.ts';
import type { SalesforcePort, SObjectDescribe } from '../salesforce-port.ts';
import type { DescribeFn } from './plan-mapping.ts';

export interface DescribeCacheOptions {
  bucket: string;
  apiVersion: string;
  /** `refresh`: ask Salesforce and update the cache (Validate); `preferCache`: cache first (later steps). */
  mode: 'refresh' | 'preferCache';
  /** How long a container reuses an in-memory result; default 5 minutes. */
  memoryTtlMs?: number;
  now?: () => number;
}

const memory = new Map<string, { describe: SObjectDescribe; at: number }>();

export function describeCacheKey(apiVersion: string, object: string): string {
  return `cache/describe/v${apiVersion}/${object}.json`;
}

/** A describe function over `port` with the in-memory and S3 caches in front. */
export function cachedDescribe(
  port: Pick<SalesforcePort, 'describe'>,
  options: DescribeCacheOptions,
): DescribeFn {
  const ttl = options.memoryTtlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  // Within one invocation each object is described once, whichever mode.
  const invocation = new Map<string, Promise<SObjectDescribe>>();
  const load = async (object: string): Promise<SObjectDescribe> => {
    const key = describeCacheKey(options.apiVersion, object);
    const remembered = memory.get(`${options.bucket}/${key}`);
    if (options.mode === 'preferCache') {
      if (remembered && now() - remembered.at < ttl) return remembered.describe;
      try {
        const cached = await getJson<SObjectDescribe>(options.bucket, key);
        memory.set(`${options.bucket}/${key}`, { describe: cached, at: now() });
        return cached;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const fresh = await port.describe(object);
    await putJson(options.bucket, key, fresh);
    memory.set(`${options.bucket}/${key}`, { describe: fresh, at: now() });
    return fresh;
  };
  return (object) => {
    const id = object.toLowerCase();
    let pending = invocation.get(id);
    if (!pending) {
      pending = load(object);
      invocation.set(id, pending);
      pending.catch(() => invocation.delete(id));
    }
    return pending;
  };
}

/** Forget what this container remembers (tests). */
export function clearDescribeMemory(): void {
  memory.clear();
}

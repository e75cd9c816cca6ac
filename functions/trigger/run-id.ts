import { createHash } from 'node:crypto';
import type { SourceObject } from '../shared/contracts.ts';

/** The `detail` of an EventBridge "Object Created" event from S3. */
export interface ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size?: number; etag?: string; 'version-id'?: string; sequencer?: string };
  reason?: string;
}

export type ObjectCreatedOutcome =
  | { kind: 'run'; pipeline: string; source: SourceObject; runId: string }
  | { kind: 'ignored'; reason: string };

const INCOMING = /^incoming\/([^/]+)\/(.+)$/;
/** Step Functions execution names: at most 80 characters of letters, digits, `-` and `_`. */
const MAX_NAME_LENGTH = 80;

/**
 * Decides what an object arrival means: a run of `<pipeline>` for `incoming/<pipeline>/<name>.csv`,
 * anything else is ignored (folders, other prefixes, non-CSV files dropped by mistake).
 */
export function interpretObjectCreated(detail: ObjectCreatedDetail): ObjectCreatedOutcome {
  const key = detail.object.key;
  const match = INCOMING.exec(key);
  if (!match) return { kind: 'ignored', reason: 'key is not incoming/<pipeline>/<file>.csv' };
  const [, pipeline = '', name = ''] = match;
  if (!name.toLowerCase().endsWith('.csv') || name.endsWith('/')) {
    return { kind: 'ignored', reason: 'not a .csv file' };
  }
  const source: SourceObject = {
    bucket: detail.bucket.name,
    key,
    etag: (detail.object.etag ?? '').replace(/^"|"$/g, ''),
    size: detail.object.size ?? 0,
  };
  const versionId = detail.object['version-id'];
  if (versionId) source.versionId = versionId;
  return { kind: 'run', pipeline, source, runId: runIdFor(pipeline, source) };
}

/**
 * The run id, which is also the execution name: `<pipeline>-<20 hex of sha256(bucket, key, version)>`.
 * The same object version always gives the same name, so a duplicated event cannot start a second
 * execution (StartExecution refuses a name already used). Without versioning the ETag stands in for
 * the version: re-uploading identical bytes is then deliberately the same run.
 */
export function runIdFor(
  pipeline: string,
  source: Pick<SourceObject, 'bucket' | 'key' | 'versionId' | 'etag'>,
): string {
  const digest = createHash('sha256')
    .update(`${source.bucket}\n${source.key}\n${source.versionId || source.etag}`)
    .digest('hex')
    .slice(0, 20);
  const suffix = `-${digest}`;
  const prefix = pipeline.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME_LENGTH - suffix.length);
  return `${prefix}${suffix}`;
}

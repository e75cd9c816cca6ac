/**
 * Local S3: s3rver on loopback, with its object notifications re-shaped into the EventBridge
 * "Object Created" events that the deployed stack's rule delivers to the trigger.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { EventBridgeEvent } from 'aws-lambda';
import S3rver, { type S3rverEventRecord } from 's3rver';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
/** s3rver accepts any well-formed signature; these are the keys its README suggests. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const DEFAULT_BUCKETS = { landing: 'polyload-landing', work: 'polyload-work' } as const;
export const INCOMING_PREFIX = 'incoming/';

/** The `detail` of an S3 "Object Created" event on EventBridge. */
export interface ObjectCreatedDetail {
  version: '0';
  bucket: { name: string };
  object: { key: string; size: number; etag: string; 'version-id'?: string; sequencer: string };
  'request-id': string;
  requester: string;
  'source-ip-address': string;
  reason: 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';
}

export type ObjectCreatedEvent = EventBridgeEvent<'Object Created', ObjectCreatedDetail>;

export type ObjectCreatedListener = (event: ObjectCreatedEvent) => void | Promise<void>;

/** What the EventBridge rule matches: the landing bucket and a key prefix. */
export interface ObjectCreatedRule {
  bucket: string;
  prefix: string;
}

export interface LocalS3Options {
  /** Interface to bind; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port; `polyload local up` uses 4569. */
  port?: number;
  /** Where objects are kept; a temporary directory, removed on stop, otherwise. */
  directory?: string;
  buckets?: { landing?: string; work?: string };
  /** Buckets to create besides the landing and work buckets. */
  extraBuckets?: string[];
  /** Key prefix the EventBridge rule matches; `incoming/` by default. */
  eventPrefix?: string;
  /** Receives every delivery error from a listener (EventBridge would retry; here we report). */
  onDeliveryError?: (error: unknown, event: ObjectCreatedEvent) => void;
}

export interface LocalS3 {
  /** e.g. http://127.0.0.1:4569 */
  endpoint: string;
  port: number;
  buckets: { landing: string; work: string };
  directory: string;
  rule: ObjectCreatedRule;
  /** Subscribes to "Object Created" events that match the rule; returns an unsubscribe function. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  /** Settles when every event delivered so far has been handled by its listeners. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * S3Client options for s3rver: path-style addressing (a loopback host has no bucket subdomains) and
 * checksums only where S3 requires them. With the SDK's default (`WHEN_SUPPORTED`) a streamed body is
 * sent `aws-chunked` with a trailing CRC32, and s3rver stores the chunk framing as the object's bytes.
 */
export function localS3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: { ...LOCAL_CREDENTIALS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** Starts s3rver with the landing and work buckets created. */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const temporary = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'polyload-s3-'));
  mkdirSync(directory, { recursive: true });
  const buckets = {
    landing: options.buckets?.landing ?? DEFAULT_BUCKETS.landing,
    work: options.buckets?.work ?? DEFAULT_BUCKETS.work,
  };
  const bucketNames = [...new Set([buckets.landing, buckets.work, ...(options.extraBuckets ?? [])])];
  const server = new S3rver({
    address: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    // Path-style only: vhost matching would read `127.0.0.1`-like hosts as bucket names.
    vhostBuckets: false,
    configureBuckets: bucketNames.map((name) => ({ name })),
  });
  const rule: ObjectCreatedRule = { bucket: buckets.landing, prefix: options.eventPrefix ?? INCOMING_PREFIX };
  const listeners = new Set<ObjectCreatedListener>();
  const pending = new Set<Promise<void>>();

  const deliver = (event: ObjectCreatedEvent) => {
    for (const listener of listeners) {
      // Asynchronous like EventBridge: the PUT has answered before the rule's target runs.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => listener(event))
        .catch((error: unknown) => options.onDeliveryError?.(error, event))
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    }
  };

  server.on('event', (notification) => {
    for (const record of notification.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      if (!matchesRule(record.s3.bucket.name, record.s3.object.key, rule)) continue;
      const tracked = completeRecord(server, record).then(deliver);
      const settled: Promise<void> = tracked.finally(() => pending.delete(settled));
      pending.add(settled);
    }
  });

  const address = await server.run();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    buckets,
    directory,
    rule,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      listeners.clear();
      server.httpServer?.closeAllConnections();
      await server.close();
      await Promise.allSettled([...pending]);
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The EventBridge rule's pattern: `detail.bucket.name` equals the landing bucket, key has the prefix. */
export function matchesRule(bucket: string, key: string, rule: ObjectCreatedRule): boolean {
  return bucket === rule.bucket && key.startsWith(rule.prefix);
}

/** s3rver leaves the ETag out of copy notifications; read it from the stored object then. */
async function completeRecord(server: S3rver, record: S3rverEventRecord): Promise<ObjectCreatedEvent> {
  const { bucket, object } = record.s3;
  let { eTag, size } = object;
  if (eTag === undefined || size === undefined) {
    const metadata = await server.store.getMetadata(bucket.name, object.key);
    eTag ??= JSON.parse(String(metadata.etag)) as string;
    size ??= Number(metadata['content-length']);
  }
  return toObjectCreatedEvent(record, { etag: eTag, size });
}

/**
 * Converts an s3rver notification record to the EventBridge event S3 sends for the same change.
 * s3rver has no versioning, so `version-id` is absent (as from an unversioned bucket), and its
 * multipart completion is reported as a POST, which here becomes `CompleteMultipartUpload`.
 * The key is the object's key as stored: EventBridge events, unlike S3 notification records, are
 * not URL-encoded.
 */
export function toObjectCreatedEvent(
  record: S3rverEventRecord,
  object: { etag: string; size: number },
): ObjectCreatedEvent {
  const reasons: Record<string, ObjectCreatedDetail['reason']> = {
    'ObjectCreated:Put': 'PutObject',
    'ObjectCreated:Copy': 'CopyObject',
    'ObjectCreated:Post': 'CompleteMultipartUpload',
  };
  const bucket = record.s3.bucket.name;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT_ID,
    time: new Date(record.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: record.s3.object.key,
        size: object.size,
        etag: object.etag,
        sequencer: sequencer(record.s3.object.sequencer),
      },
      'request-id': record.responseElements['x-amz-request-id'],
      requester: LOCAL_ACCOUNT_ID,
      'source-ip-address': record.requestParameters.sourceIPAddress,
      reason: reasons[record.eventName] ?? 'PutObject',
    },
  };
}

let sequence = 0;

/** S3 sequencers are fixed-width hex that sort in event order; s3rver's is only the time in hex. */
function sequencer(raw: string): string {
  sequence = (sequence + 1) % 0x1000000;
  return `${raw.padStart(12, '0')}${sequence.toString(16).toUpperCase().padStart(6, '0')}`;
}

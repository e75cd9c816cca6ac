/**
 * S3 access for every function: one lazily created client, streaming reads and writes (bounded
 * memory whatever the object size), small JSON documents, listing, tagging.
 */
import type { Readable, Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

let client: S3Client | undefined;

/**
 * The shared client. With `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) set — the local stack's
 * s3rver — it uses path-style addressing, since a loopback host has no bucket subdomains, and only
 * sends checksums S3 requires, since s3rver does not understand the SDK's default trailing checksums.
 */
export function s3Client(): S3Client {
  if (client) return client;
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  client = new S3Client(
    endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {},
  );
  return client;
}

/** Drop the shared client (tests that start a new S3 endpoint). */
export function resetS3Client(): void {
  client?.destroy();
  client = undefined;
}

/** The object's bytes as a stream; pass `versionId` to read exactly the version a run started from. */
export async function readObjectStream(bucket: string, key: string, versionId?: string): Promise<Readable> {
  const response = await s3Client().send(
    new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
  if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return response.Body as Readable;
}

export interface ObjectWriter {
  /** Write the object's bytes here, then `end()` it. */
  stream: Writable;
  /** Settles when the object is stored (or the upload failed; the stream is destroyed then). */
  done: Promise<void>;
}

/** S3's smallest multipart part (the last part aside): what a multipart writer must hold at least. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface WriteObjectOptions {
  /**
   * Parts uploaded at once (default 2). Each costs a 5 MiB buffer while it is sent; with 1, writing
   * waits while a part is sent, which suits a step writing many objects at once (Transform's groups),
   * where the other objects' parts keep the network busy and memory stays at about two parts per object.
   */
  queueSize?: number;
}

/**
 * A writable that streams into `s3://bucket/key` through a multipart upload (5 MiB parts, one or two
 * in flight), so memory stays bounded however much is written. Destroying the stream with an error
 * aborts the upload; nothing is stored.
 */
export function writeObjectStream(
  bucket: string,
  key: string,
  contentType: string,
  options: WriteObjectOptions = {},
): ObjectWriter {
  const body = new PassThrough();
  const upload = new Upload({
    client: s3Client(),
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    partSize: MIN_PART_BYTES,
    queueSize: options.queueSize ?? 2,
    leavePartsOnError: false,
  });
  body.once('error', () => void upload.abort().catch(() => {}));
  const done = upload.done().then(
    () => undefined,
    (error: unknown) => {
      // With the error, so a writer waiting for 'drain' fails instead of waiting forever.
      body.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    },
  );
  // The caller may stop before awaiting `done` (its own error came first); that is not an unhandled one.
  done.catch(() => {});
  return { stream: body, done };
}

export async function putJson(bucket: string, key: string, value: unknown): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

export async function getJson<T>(bucket: string, key: string): Promise<T> {
  return JSON.parse(await getText(bucket, key)) as T;
}

/** A small object's content as UTF-8 text (mappings, markers); never use it for data files. */
export async function getText(bucket: string, key: string): Promise<string> {
  const response = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return response.Body.transformToString('utf-8');
}

export async function putText(bucket: string, key: string, text: string, contentType: string): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }),
  );
}

/** Every key under `prefix`, page by page. */
export async function* listKeys(bucket: string, prefix: string): AsyncIterable<string> {
  for await (const page of paginateListObjectsV2(
    { client: s3Client() },
    { Bucket: bucket, Prefix: prefix },
  )) {
    for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
  }
}

export async function objectExists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Replaces the object's tag set (S3 has no "add one tag"). */
export async function tagObject(
  bucket: string,
  key: string,
  tags: Record<string, string>,
  versionId?: string,
): Promise<void> {
  await s3Client().send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

/** True for a missing key or bucket, however S3 (or s3rver) words it. */
export function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey';
  }
  return false;
}

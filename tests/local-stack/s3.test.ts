import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalS3,
  localS3ClientConfig,
  type ObjectCreatedEvent,
  startLocalS3,
} from '../../local/stack/s3.ts';

let s3: LocalS3;
let client: S3Client;
let events: ObjectCreatedEvent[];

beforeAll(async () => {
  s3 = await startLocalS3();
  client = new S3Client(localS3ClientConfig(s3.endpoint));
  s3.onObjectCreated((event) => {
    events.push(event);
  });
});

afterAll(async () => {
  client.destroy();
  await s3.stop();
});

beforeEach(() => {
  events = [];
});

async function readAll(bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const chunks: Buffer[] = [];
  for await (const chunk of response.Body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('local S3 (s3rver) with the AWS SDK v3', () => {
  it('creates the landing and work buckets on a loopback ephemeral port', () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.buckets).toEqual({ landing: 'polyload-landing', work: 'polyload-work' });
  });

  it('stores a streamed PutObject body byte for byte (no aws-chunked framing)', async () => {
    const body = Readable.from([Buffer.from('line,name\n'), Buffer.from('2,Ada\n')]);
    await client.send(
      new PutObjectCommand({
        Bucket: s3.buckets.work,
        Key: 'staging/r/part.csv',
        Body: body,
        ContentLength: 16,
      }),
    );
    expect((await readAll(s3.buckets.work, 'staging/r/part.csv')).toString()).toBe('line,name\n2,Ada\n');
  });

  it('takes a multipart lib-storage Upload from a stream and streams it back', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 6; i++) yield chunk;
      })(),
    );
    await new Upload({
      client,
      params: { Bucket: s3.buckets.work, Key: 'big.csv', Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    const response = await client.send(new GetObjectCommand({ Bucket: s3.buckets.work, Key: 'big.csv' }));
    let size = 0;
    for await (const part of response.Body as Readable) size += (part as Buffer).length;
    expect(size).toBe(6 * 1024 * 1024);
  });

  it('lists objects under a prefix with ListObjectsV2', async () => {
    for (const key of ['runs/r1/a.csv', 'runs/r1/b.csv', 'runs/r2/a.csv']) {
      await client.send(new PutObjectCommand({ Bucket: s3.buckets.work, Key: key, Body: 'x' }));
    }
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.buckets.work, Prefix: 'runs/r1/' }),
    );
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['runs/r1/a.csv', 'runs/r1/b.csv']);
  });

  it('keeps object tags set with PutObjectTagging', async () => {
    await client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: 'archive/t.csv', Body: 'x' }));
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: s3.buckets.landing,
        Key: 'archive/t.csv',
        Tagging: { TagSet: [{ Key: 'polyload-status', Value: 'SUCCEEDED' }] },
      }),
    );
    const tags = await client.send(
      new GetObjectTaggingCommand({ Bucket: s3.buckets.landing, Key: 'archive/t.csv' }),
    );
    expect(tags.TagSet).toEqual([{ Key: 'polyload-status', Value: 'SUCCEEDED' }]);
  });
});

describe('S3 "Object Created" events as EventBridge delivers them', () => {
  it('sends the EventBridge event shape for a PutObject under incoming/ in the landing bucket', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: s3.buckets.landing,
        Key: 'incoming/patients/day 1.csv',
        Body: 'id\n1\n',
      }),
    );
    await s3.idle();
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event).toMatchObject({
      version: '0',
      source: 'aws.s3',
      'detail-type': 'Object Created',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::polyload-landing'],
      detail: {
        version: '0',
        bucket: { name: 'polyload-landing' },
        object: { key: 'incoming/patients/day 1.csv', size: 5, etag: put.ETag?.replaceAll('"', '') },
        reason: 'PutObject',
        requester: '000000000000',
      },
    });
    expect(event?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event?.detail.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(event?.detail.object).not.toHaveProperty('version-id');
  });

  it('matches the rule only: no event outside incoming/ or from the work bucket', async () => {
    await client.send(new PutObjectCommand({ Bucket: s3.buckets.landing, Key: 'archive/x.csv', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: s3.buckets.work, Key: 'incoming/p/x.csv', Body: 'x' }));
    await client.send(
      new PutObjectCommand({ Bucket: s3.buckets.landing, Key: 'incoming/p/y.csv', Body: 'y' }),
    );
    await s3.idle();
    expect(events.map((event) => event.detail.object.key)).toEqual(['incoming/p/y.csv']);
  });

  it('reports a multipart upload as CompleteMultipartUpload and a copy as CopyObject, both with ETag and size', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'b');
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 6; i++) yield chunk;
      })(),
    );
    await new Upload({
      client,
      params: { Bucket: s3.buckets.landing, Key: 'incoming/p/big.csv', Body: body },
    }).done();
    await client.send(
      new CopyObjectCommand({
        Bucket: s3.buckets.landing,
        Key: 'incoming/p/copy.csv',
        CopySource: `${s3.buckets.landing}/incoming/p/big.csv`,
      }),
    );
    await s3.idle();
    expect(
      events.map((event) => [event.detail.object.key, event.detail.reason, event.detail.object.size]),
    ).toEqual([
      ['incoming/p/big.csv', 'CompleteMultipartUpload', 6 * 1024 * 1024],
      ['incoming/p/copy.csv', 'CopyObject', 6 * 1024 * 1024],
    ]);
    expect(events[1]?.detail.object.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports a listener failure instead of losing it, and keeps delivering', async () => {
    const failures: unknown[] = [];
    const failing = await startLocalS3({ onDeliveryError: (error) => failures.push(error) });
    const failingClient = new S3Client(localS3ClientConfig(failing.endpoint));
    const seen: string[] = [];
    failing.onObjectCreated((event) => {
      seen.push(event.detail.object.key);
      if (seen.length === 1) throw new Error('trigger crashed');
    });
    try {
      for (const key of ['incoming/p/1.csv', 'incoming/p/2.csv']) {
        await failingClient.send(
          new PutObjectCommand({ Bucket: failing.buckets.landing, Key: key, Body: 'x' }),
        );
      }
      await failing.idle();
      expect(seen).toEqual(['incoming/p/1.csv', 'incoming/p/2.csv']);
      expect(failures).toEqual([expect.objectContaining({ message: 'trigger crashed' })]);
    } finally {
      failingClient.destroy();
      await failing.stop();
    }
  });
});

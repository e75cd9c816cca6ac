import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrg, type TestOrg, waitForJob } from './helpers.ts';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(async () => {
  await org?.stop();
});

async function bulkBatchesRemaining(): Promise<number> {
  const res = await fetch(org.api('/limits'), { headers: org.auth });
  const body = (await res.json()) as Record<string, { Remaining: number }>;
  return body.DailyBulkApiBatches?.Remaining ?? Number.NaN;
}

describe('a larger file', () => {
  it('streams 25,000 rows through jsforce in three internal batches of at most 10,000 records', async () => {
    const before = await bulkBatchesRemaining();
    const rows = 25_000;
    function* csv() {
      yield 'LastName,Email,Patient_Id__c\n';
      for (let i = 0; i < rows; i++) yield `Scale ${i},scale${i}@example.com,SCALE-${i}\n`;
    }
    const job = org.conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
    await job.open();
    await job.uploadData(Readable.from(csv()));
    await job.close();
    const info = await waitForJob(job, 60_000);
    expect(info).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: rows,
      numberRecordsFailed: 0,
    });
    expect(before - (await bulkBatchesRemaining())).toBe(3);

    const res = await fetch(org.api(`/jobs/ingest/${info.id}/successfulResults`), { headers: org.auth });
    let lines = 0;
    let tail = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      const text = tail + Buffer.from(chunk).toString();
      const parts = text.split('\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
    }
    expect(lines).toBe(rows + 1);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestSettings, suspendJobs } from '../../local/emulator/ingest/routes.ts';
import { runIngestJob, startTestOrg, successRows, type TestOrg, waitForJob } from './helpers.ts';

let dataDir: string;
const started: TestOrg[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'polyload-ingest-persist-'));
});
afterEach(async () => {
  for (const org of started.splice(0)) await org.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(faults = 'processingMs=0'): Promise<TestOrg> {
  const org = await startTestOrg({ dataDir, faults });
  started.push(org);
  return org;
}

async function stop(org: TestOrg): Promise<void> {
  started.splice(started.indexOf(org), 1);
  await suspendJobs(org.emu.context);
  await org.stop();
}

describe('jobs in --data-dir', () => {
  it('survive a restart with their info and results', async () => {
    const first = await start();
    const { job, info } = await runIngestJob(
      first.conn,
      { object: 'Account', operation: 'insert' },
      'Name\nDurable\n',
    );
    const results = await job.getSuccessfulResults(true);
    await stop(first);

    const second = await start();
    const again = second.conn.bulk2.job('ingest', { id: info.id });
    expect(await again.check()).toMatchObject({
      id: info.id,
      state: 'JobComplete',
      numberRecordsProcessed: 1,
    });
    expect(await again.getSuccessfulResults(true)).toBe(results);
    const [row] = await successRows(again);
    expect(second.emu.context.store.findById(row?.sf__Id ?? '')?.record.Name).toBe('Durable');
  });

  it('keep issuing new job ids after a restart', async () => {
    const first = await start();
    const a = await runIngestJob(first.conn, { object: 'Account', operation: 'insert' }, 'Name\nA\n');
    await stop(first);
    const second = await start();
    const b = await runIngestJob(second.conn, { object: 'Account', operation: 'insert' }, 'Name\nB\n');
    expect(b.info.id).not.toBe(a.info.id);
  });

  it('resume an InProgress job from its last batch after a restart, loading every row exactly once', async () => {
    const first = await start('processingMs=30');
    ingestSettings(first.emu.context).batchSize = 3;
    const names = Array.from({ length: 20 }, (_, i) => `Resumed ${i}`);
    const job = first.conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    await job.open();
    await job.uploadData(`Name,Site\n${names.map((n) => `${n},resume-test`).join('\n')}\n`);
    await job.close();
    for (;;) {
      const info = await job.check();
      if (info.state === 'InProgress' && (info.numberRecordsProcessed ?? 0) >= 6) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await stop(first);
    const id = job.getInfo().id;

    const second = await start();
    const resumed = second.conn.bulk2.job('ingest', { id });
    const info = await waitForJob(resumed);
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 20, numberRecordsFailed: 0 });
    const rows = await successRows(resumed);
    expect(rows.map((r) => r.Name).sort()).toEqual([...names].sort());
    expect(second.emu.context.store.findIdsByField('Account', 'Site', 'resume-test')).toHaveLength(20);
  });
});

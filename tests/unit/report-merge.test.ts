/**
 * Report's merge of per-part result files into the run's files, over in-memory ports: the header
 * once, every part's rows in order, and one set of stream listeners on the merged output however
 * many parts there are.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FAILED_HEADER, SUCCEEDED_HEADER } from '../../functions/collect-results/collect.ts';
import { type ReportPorts, reportRun } from '../../functions/report/report-run.ts';
import type { PartRef, PartSummary, RunInput, RunReport } from '../../functions/shared/contracts.ts';

const run: RunInput = {
  runId: 'care-tasks-0123456789abcdef0123',
  pipeline: 'care-tasks',
  source: { bucket: 'landing', key: 'incoming/care-tasks/a.csv', etag: 'e', size: 10 },
  startedAt: '2026-03-01T09:00:00.000Z',
  maxConcurrency: 2,
};

interface MemoryStore {
  ports: ReportPorts;
  objects: Map<string, string>;
  /** The most listeners any one event had on an output stream at any time. */
  maxListeners(): number;
}

/** Objects in a Map; reads come back in `chunkBytes`-sized chunks so headers straddle chunk edges. */
function memoryStore(objects: Map<string, string>, chunkBytes: number): MemoryStore {
  let most = 0;
  const ports: ReportPorts = {
    async *listKeys(prefix) {
      for (const key of [...objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
    },
    getJson: async <T>(key: string) => JSON.parse(objects.get(key) ?? 'null') as T,
    openObject: async (key) => {
      const bytes = Buffer.from(objects.get(key) ?? '');
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
      return Readable.from(chunks);
    },
    openSource: async () => Readable.from([]),
    createObject: (key) => {
      const stream = new PassThrough();
      stream.on('newListener', (event: string) => {
        most = Math.max(most, stream.listenerCount(event) + 1);
      });
      const parts: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      const done = new Promise<void>((resolve, reject) => {
        stream.on('end', () => {
          objects.set(key, Buffer.concat(parts).toString('utf8'));
          resolve();
        });
        stream.on('error', reject);
      });
      return { stream, done };
    },
    putJson: async (key, value) => {
      objects.set(key, JSON.stringify(value));
    },
    exists: async (key) => objects.has(key),
    now: () => new Date('2026-03-01T09:01:00.000Z'),
  };
  return { ports, objects, maxListeners: () => most };
}

/** `count` loaded parts of `rowsEach` rows: lines numbered across parts, one failure per part. */
function loadedParts(count: number, rowsEach: number) {
  const objects = new Map<string, string>();
  const parts: PartRef[] = [];
  for (let p = 1; p <= count; p++) {
    const partId = `task-insert-${String(p).padStart(4, '0')}`;
    const prefix = `staging/${run.runId}/results/${partId}-a0`;
    const firstLine = 2 + (p - 1) * rowsEach;
    const jobId = `750${String(p).padStart(15, '0')}`;
    const succeeded = Array.from(
      { length: rowsEach - 1 },
      (_, i) => `${firstLine + i},Task,insert,${jobId},00T${String(firstLine + i).padStart(12, '0')},true`,
    );
    const failedLine = firstLine + rowsEach - 1;
    objects.set(`${prefix}/succeeded.csv`, `${SUCCEEDED_HEADER.join(',')}\n${succeeded.join('\n')}\n`);
    objects.set(
      `${prefix}/failed.csv`,
      `${FAILED_HEADER.join(',')}\n${failedLine},Task,insert,${jobId},REQUIRED_FIELD_MISSING,"Required fields are missing: [Subject]",Subject,1\n`,
    );
    const summary: PartSummary = {
      partId,
      attempt: 0,
      job: {
        id: jobId,
        state: 'JobComplete',
        recordsProcessed: rowsEach,
        recordsFailed: 1,
        object: 'Task',
        operation: 'insert',
      },
      counts: { succeeded: rowsEach - 1, failed: 1, unprocessed: 0, resubmitted: 0 },
      files: { succeeded: `${prefix}/succeeded.csv`, failed: `${prefix}/failed.csv` },
      apiCalls: 4,
    };
    objects.set(`staging/${run.runId}/summaries/${partId}-a0.json`, JSON.stringify(summary));
    parts.push({
      runId: run.runId,
      partId,
      groupId: 'task-insert',
      object: 'Task',
      operation: 'insert',
      key: `staging/${run.runId}/parts/${partId}.csv`,
      rows: rowsEach,
      attempt: 0,
    });
  }
  return { objects, parts };
}

const linesOf = (csv: string | undefined) => (csv ?? '').split('\n').filter((line) => line !== '');

describe('reportRun merging per-part result files', () => {
  it.each([
    ['chunks smaller than a header', 7],
    ['one chunk per file', 1 << 20],
  ])('writes the header once and every part row in part order (%s)', async (_, chunkBytes) => {
    const { objects, parts } = loadedParts(12, 5);
    const store = memoryStore(objects, chunkBytes);
    const report = await reportRun(
      {
        run,
        validation: { total: 60, rejected: 0, mappingKey: `runs/${run.runId}/mapping.yaml` },
        split: { parts, manifestKey: `staging/${run.runId}/manifest.json` },
      },
      store.ports,
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.counts).toEqual({ total: 60, succeeded: 48, failed: 12, rejected: 0, unprocessed: 0 });

    const succeeded = linesOf(objects.get(`runs/${run.runId}/succeeded.csv`));
    expect(succeeded[0]).toBe(SUCCEEDED_HEADER.join(','));
    expect(succeeded.filter((line) => line.startsWith('line,'))).toHaveLength(1);
    const succeededLines = succeeded.slice(1).map((line) => Number(line.split(',')[0]));
    expect(succeededLines).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 2).filter((line) => (line - 1) % 5 !== 0),
    );

    const failed = linesOf(objects.get(`runs/${run.runId}/failed.csv`));
    expect(failed[0]).toBe(FAILED_HEADER.join(','));
    expect(failed.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(
      Array.from({ length: 12 }, (_, i) => 6 + i * 5),
    );
    const stored = JSON.parse(objects.get(`runs/${run.runId}/report.json`) ?? '{}') as RunReport;
    expect(stored.files).toMatchObject({
      succeeded: `runs/${run.runId}/succeeded.csv`,
      failed: `runs/${run.runId}/failed.csv`,
    });
  });

  it('adds no listener per part to the merged output (40 parts stay under the default 10)', async () => {
    const { objects, parts } = loadedParts(40, 3);
    const store = memoryStore(objects, 64);
    await reportRun(
      {
        run,
        validation: { total: 120, rejected: 0, mappingKey: `runs/${run.runId}/mapping.yaml` },
        split: { parts, manifestKey: `staging/${run.runId}/manifest.json` },
      },
      store.ports,
    );
    expect(linesOf(objects.get(`runs/${run.runId}/succeeded.csv`))).toHaveLength(1 + 80);
    expect(store.maxListeners()).toBeLessThan(10);
  });
});

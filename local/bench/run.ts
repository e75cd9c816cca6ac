/**
 * `npm run bench [-- --rows N[,N...]] [--only NAME] [--files NAME,...]`: measured throughput and peak memory of the
 * emulator's ingest, the pipeline's data-plane steps against a plain pass over the same file, and a
 * full local run. Each measurement runs in its own process; the table goes to stdout and everything
 * to .polyload/bench/results.json. docs/benchmarks.md explains the numbers.
 */
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { RunInput } from '../../functions/shared/contracts.ts';
import { putText, s3Client, writeObjectStream } from '../../functions/shared/s3.ts';
import { startLocalStack } from '../stack/index.ts';
import {
  type CarePopulation,
  formatTable,
  type Measurement,
  measureInChild,
  megabytes,
  thousands,
  writeCareSeeds,
  writeCareTasks,
  writeContacts,
  writeFullCareTasks,
  writePatients,
} from './lib.ts';

const root = resolve(import.meta.dirname, '../..');
const MAPPING = join(root, 'mappings', 'care-tasks.yaml');
const POPULATION: CarePopulation = { patients: 20_000, prospects: 5_000 };

const BENCHMARKS = {
  'emulator-ingest': { sizes: [100_000, 300_000, 1_000_000], run: emulatorIngest },
  'data-plane': { sizes: [100_000, 300_000, 1_000_000], run: dataPlane },
  pipeline: { sizes: [50_000], run: fullPipeline },
} satisfies Record<string, { sizes: number[]; run: (sizes: number[], dir: string) => Promise<Report> }>;
type BenchmarkName = keyof typeof BENCHMARKS;

interface Report {
  measurements: Measurement[];
  table: string;
  memoryGrowth?: Record<string, Growth>;
}

const rate = (m: Measurement) => thousands(m.rows / m.seconds);
const memoryCells = (m: Measurement) => [
  megabytes(m.memory.maxRss),
  m.memory.liveHeap ? megabytes(m.memory.liveHeap) : '-',
  megabytes(m.memory.heapUsed),
  megabytes(m.memory.external),
  megabytes(m.memory.arrayBuffers),
];
const MEMORY_HEADERS = ['peak RSS MB', 'live heap MB', 'heap MB', 'external MB', 'arrayBuffers MB'];

/** Memory of the largest size over the smallest, per step: 1.00 means it did not grow with the file. */
interface Growth {
  maxRss: number;
  /** Absent when either size finished without a full collection. */
  liveHeap?: number;
}

function growth(
  measurements: Measurement[],
  key: (m: Measurement) => string,
): Record<string, Growth> | undefined {
  const ratios: Record<string, Growth> = {};
  for (const [k, list] of Map.groupBy(measurements, key)) {
    const sorted = list.toSorted((a, b) => a.rows - b.rows);
    const [small, large] = [sorted[0], sorted.at(-1)];
    if (!small || !large || large.rows === small.rows) continue;
    ratios[k] = { maxRss: large.memory.maxRss / small.memory.maxRss };
    if (small.memory.liveHeap && large.memory.liveHeap) {
      ratios[k].liveHeap = large.memory.liveHeap / small.memory.liveHeap;
    }
  }
  return Object.keys(ratios).length > 0 ? ratios : undefined;
}

/** Benchmark 1: one Bulk job per size through the emulator (jsforce upload, fetch-streamed results). */
async function emulatorIngest(sizes: number[], dir: string): Promise<Report> {
  const measurements: Measurement[] = [];
  const rows: string[][] = [];
  for (const size of sizes) {
    const file = join(dir, `contacts-${size}.csv`);
    const bytes = await writeContacts(file, size);
    const m = await measureInChild('emulator-ingest', { file, rows: size });
    rmSync(file);
    m.details = { ...m.details, bytes };
    measurements.push(m);
    const d = m.details as Record<string, number>;
    rows.push([
      thousands(size),
      megabytes(bytes),
      m.seconds.toFixed(1),
      rate(m),
      (d.uploadSeconds ?? 0).toFixed(1),
      (d.processSeconds ?? 0).toFixed(1),
      (d.resultsSeconds ?? 0).toFixed(1),
      ...memoryCells(m),
    ]);
  }
  const headers = [
    'rows',
    'file MB',
    'total s',
    'rows/s',
    'upload s',
    'process s',
    'results s',
    ...MEMORY_HEADERS,
  ];
  return {
    measurements,
    table: formatTable(headers, rows),
    memoryGrowth: growth(measurements, () => 'ingest'),
  };
}

/** A file of the data-plane benchmark: the pipeline's earlier, simple mapping, or the full language. */
interface DataPlaneFile {
  pipeline: string;
  /** `simple`: mappings/care-tasks.yaml as the earlier figures measured it; `full`: the whole language. */
  language: 'simple' | 'full';
  mapping: string;
  steps: ('validate' | 'transform' | 'split')[];
  write(file: string, rows: number): Promise<number>;
}

const DATA_PLANE_FILES: DataPlaneFile[] = [
  {
    pipeline: 'care-tasks',
    language: 'simple',
    mapping: MAPPING,
    steps: ['validate', 'transform', 'split'],
    write: (file, rows) => writeCareTasks(file, rows, POPULATION),
  },
  {
    // Names from "Last, First", addresses from free text, dd/MM/yyyy dates, value maps, booleans, lookups.
    pipeline: 'patients',
    language: 'full',
    mapping: join(root, 'mappings', 'patients.yaml'),
    steps: ['validate', 'transform'],
    write: writePatients,
  },
  {
    // Polymorphic Who/What (types, aliases, raw Ids), London datetimes, numbers, templates, value maps.
    pipeline: 'care-tasks-full',
    language: 'full',
    mapping: join(root, 'local', 'bench', 'care-tasks-full.yaml'),
    steps: ['validate', 'transform'],
    write: (file, rows) => writeFullCareTasks(file, rows, POPULATION),
  },
];

/** The data-plane files `--files` names (all by default). */
function dataPlaneFiles(): DataPlaneFile[] {
  return onlyFiles ? DATA_PLANE_FILES.filter((f) => onlyFiles?.includes(f.pipeline)) : DATA_PLANE_FILES;
}

const labelOf = (m: Measurement) => `${m.details?.pipeline} ${m.scenario}`;

/**
 * Benchmark 2: Validate, Transform (and Split, for the simple mapping) — real handlers, each in its own
 * process — on one file per mapping, each against the plain pass over the same file as its baseline.
 * The local stack runs here, in the parent, so a step's peak memory is the handler's alone — what its
 * Lambda's memory size must cover.
 */
async function dataPlane(sizes: number[], dir: string): Promise<Report> {
  const stack = await startLocalStack({ applyEnv: true, trigger: false, logLevel: 'ERROR' });
  const measurements: Measurement[] = [];
  const rows: string[][] = [];
  const combined: string[][] = [];
  try {
    const work = stack.s3.buckets.work;
    const landing = stack.s3.buckets.landing;
    for (const spec of DATA_PLANE_FILES) {
      await putText(
        work,
        `mappings/${spec.pipeline}.yaml`,
        readFileSync(spec.mapping, 'utf8'),
        'application/yaml',
      );
    }
    for (const size of sizes) {
      let simpleRate: number | undefined;
      for (const spec of dataPlaneFiles()) {
        const file = join(dir, `${spec.pipeline}-${size}.csv`);
        const bytes = await spec.write(file, size);
        const key = `bench/${spec.pipeline}-${size}.csv`;
        const writer = writeObjectStream(landing, key, 'text/csv');
        await Promise.all([pipeline(createReadStream(file), writer.stream), writer.done]);
        rmSync(file);
        const head = await s3Client().send(new HeadObjectCommand({ Bucket: landing, Key: key }));
        const run: RunInput = {
          runId: `${spec.pipeline}-bench-${size}`,
          pipeline: spec.pipeline,
          source: { bucket: landing, key, etag: (head.ETag ?? '').replaceAll('"', ''), size: bytes },
          startedAt: new Date().toISOString(),
          maxConcurrency: 1,
        };
        const env = stack.env;
        const baseline = await measureInChild('plain-pass', { env, run });
        if (baseline.rows !== size) throw new Error(`plain pass read ${baseline.rows} rows of ${size}`);
        const steps: Measurement[] = [baseline];
        const state: Record<string, unknown> = { run };
        for (const step of spec.steps) {
          const m = await measureInChild(step, { env, rows: size, state: { ...state } });
          const output = m.details?.output as { rejected?: number } | undefined;
          if (step === 'validate') {
            // Every generated row is valid: a reject means the data or the mapping drifted.
            if (output?.rejected !== 0)
              throw new Error(`${spec.pipeline}: Validate rejected ${output?.rejected} rows`);
            state.validation = output;
          }
          if (step === 'transform') state.transform = output;
          steps.push(m);
        }
        for (const m of steps) {
          m.details = {
            ...m.details,
            pipeline: spec.pipeline,
            language: spec.language,
            bytes,
            ratioToBaseline: baseline.seconds / m.seconds,
          };
          measurements.push(m);
          rows.push([
            thousands(size),
            spec.pipeline,
            m.scenario,
            m.seconds.toFixed(1),
            rate(m),
            m === baseline ? '1.00' : (baseline.seconds / m.seconds).toFixed(2),
            ...memoryCells(m),
          ]);
        }
        // Validate and Transform together: what the mapping costs a file before any job exists.
        const [validate, transform] = ['validate', 'transform'].map((s) =>
          steps.find((m) => m.scenario === s),
        );
        if (!validate || !transform) continue;
        const vtSeconds = validate.seconds + transform.seconds;
        const vtRate = size / vtSeconds;
        if (spec.language === 'simple') simpleRate = vtRate;
        combined.push([
          thousands(size),
          spec.pipeline,
          spec.language,
          megabytes(bytes),
          vtSeconds.toFixed(1),
          thousands(vtRate),
          (baseline.seconds / vtSeconds).toFixed(2),
          simpleRate ? (vtRate / simpleRate).toFixed(2) : '-',
          megabytes(Math.max(validate.memory.maxRss, transform.memory.maxRss)),
        ]);
      }
    }
  } finally {
    await stack.stop();
  }
  const headers = ['rows', 'file', 'step', 's', 'rows/s', 'x plain pass', ...MEMORY_HEADERS];
  const combinedHeaders = [
    'rows',
    'file',
    'mapping',
    'file MB',
    'validate+transform s',
    'rows/s',
    'x plain pass',
    'x simple mapping',
    'peak RSS MB',
  ];
  return {
    measurements,
    table: `${formatTable(headers, rows)}\n\nvalidate + transform:\n\n${formatTable(combinedHeaders, combined)}`,
    memoryGrowth: growth(measurements, labelOf),
  };
}

/** Benchmark 3: the whole run as `polyload run` drives it, everything in one process. */
async function fullPipeline(sizes: number[], dir: string): Promise<Report> {
  const seeds = await writeCareSeeds(dir, POPULATION);
  const measurements: Measurement[] = [];
  const rows: string[][] = [];
  for (const size of sizes) {
    const file = join(dir, `care-tasks-${size}.csv`);
    await writeCareTasks(file, size, POPULATION);
    const m = await measureInChild('pipeline', { file, rows: size, seeds, mapping: MAPPING });
    rmSync(file);
    measurements.push(m);
    const d = m.details as Record<string, number>;
    rows.push([
      thousands(size),
      m.seconds.toFixed(1),
      rate(m),
      String(d.apiCalls),
      String(d.jobs),
      String(d.largestHistory),
      ...memoryCells(m),
    ]);
  }
  const headers = ['rows', 'end-to-end s', 'rows/s', 'API calls', 'jobs', 'max history', ...MEMORY_HEADERS];
  return {
    measurements,
    table: formatTable(headers, rows),
    memoryGrowth: growth(measurements, () => 'pipeline'),
  };
}

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    only: { type: 'string' },
    files: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run bench [-- --rows N[,N...]] [--only emulator-ingest|data-plane|pipeline] [--files care-tasks,patients,care-tasks-full]\n',
  );
  process.exit(0);
}
const names = Object.keys(BENCHMARKS) as BenchmarkName[];
if (values.only !== undefined && !names.includes(values.only as BenchmarkName)) {
  process.stderr.write(`bench: --only must be one of ${names.join(', ')}\n`);
  process.exit(2);
}
const onlyFiles = values.files?.split(',');
const fileNames = DATA_PLANE_FILES.map((f) => f.pipeline);
if (onlyFiles?.some((name) => !fileNames.includes(name))) {
  process.stderr.write(`bench: --files takes data-plane files among ${fileNames.join(', ')}\n`);
  process.exit(2);
}
const rowsOption = values.rows?.split(',').map(Number);
if (rowsOption?.some((n) => !Number.isInteger(n) || n < 1)) {
  process.stderr.write('bench: --rows takes positive integers, e.g. --rows 10000 or --rows 10000,50000\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'polyload-bench-'));
const results: Record<string, Report> = {};
try {
  for (const name of values.only ? [values.only as BenchmarkName] : names) {
    const { sizes, run } = BENCHMARKS[name];
    process.stderr.write(`bench: ${name}...\n`);
    const report = await run(rowsOption ?? sizes, dir);
    results[name] = report;
    process.stdout.write(`\n## ${name}\n\n${report.table}\n`);
    if (report.memoryGrowth) {
      const lines = Object.entries(report.memoryGrowth).map(
        ([step, g]) =>
          `  ${step}: peak RSS x${g.maxRss.toFixed(2)}${g.liveHeap ? `, live heap x${g.liveHeap.toFixed(2)}` : ''}`,
      );
      process.stdout.write(`\nmemory of the largest size / the smallest:\n${lines.join('\n')}\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const out = join(root, '.polyload', 'bench');
mkdirSync(out, { recursive: true });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memory: totalmem(), node: process.version };
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`,
);
process.stdout.write(
  `\nresults: .polyload/bench/results.json (${machine.cpus} cores, Node ${machine.node})\n`,
);

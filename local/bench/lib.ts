/**
 * Shared pieces of `npm run bench`: deterministic data written as a stream, a memory high-water mark,
 * one scenario per child process (so peaks are that scenario's alone) and the stdout table.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { GCProfiler } from 'node:v8';
import { toId18 } from '../../functions/shared/mapping/values/ids.ts';
import { mulberry32 } from '../emulator/faults.ts';

/** A seeded generator (the emulator's mulberry32): the same bytes on every machine and every run. */
export const seededRandom = mulberry32;

const CHUNK_CHARS = 64 * 1024;

/**
 * Writes `header` and then `rows` lines from `line(i)` (1-based, each ending in `\n`) to `file`, in
 * 64 KB chunks that wait for the disk: memory stays flat whatever the row count. Returns the bytes.
 */
export async function writeLines(
  file: string,
  header: string,
  rows: number,
  line: (i: number) => string,
): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk = header;
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (let i = 1; i <= rows; i++) {
    chunk += line(i);
    if (chunk.length >= CHUNK_CHARS) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return bytes;
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const FIRST = ['Ana', 'Ben', 'Chloe', 'Dev', 'Ema', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jon', 'Kofi', 'Priya'];
const LAST = ['Okafor', 'Silva', 'Nguyen', 'Kowalski', 'Haddad', 'Brown', 'Tanaka', 'Murphy', 'Larsen'];
const CITIES = ['Leeds', 'Bristol', 'Cardiff', 'Glasgow', 'Belfast', 'Norwich'];

/**
 * Contacts for a plain insert job, about 100 bytes a row: 1M rows are ~100 MB raw, within the
 * Bulk API's 150 MB base64 (≈ 112 MB raw) upload limit, so one job takes them all.
 */
export async function writeContacts(file: string, rows: number): Promise<number> {
  const rnd = seededRandom(1_000_003);
  return writeLines(
    file,
    'Patient_Id__c,FirstName,LastName,Email,Phone,Birthdate,Department\n',
    rows,
    (i) => {
      const first = pick(rnd, FIRST);
      const last = pick(rnd, LAST);
      const born = `19${pad(40 + Math.floor(rnd() * 60), 2)}-${pad(1 + Math.floor(rnd() * 12), 2)}-${pad(1 + Math.floor(rnd() * 28), 2)}`;
      return `PAT-${pad(i, 7)},${first},${last},${first}.${last}.${i}@patients.example,+44 113 496 ${pad(i % 10_000, 4)},${born},${pick(rnd, CITIES)} Practice\n`;
    },
  );
}

/** Who the care tasks refer to; the seeds of the full-pipeline run create exactly these records. */
export interface CarePopulation {
  patients: number;
  prospects: number;
}

export const CARE_TASKS_HEADER =
  'task_id,subject,status,priority,due_date,notes,who_type,who_ref,practice_ref\n';
const SUBJECTS = [
  'Follow-up call',
  'Medication review',
  'Book screening',
  'Send test results',
  'Welcome call',
];
const STATUSES = ['Not Started', 'In Progress', 'Completed', 'Deferred'];
const PRIORITIES = ['High', 'Normal', 'Low'];
const practiceId = (i: number) => `PRAC-${pad(i + 1, 2)}`;

/**
 * A care-task file for mappings/care-tasks.yaml, shaped like the demo's (local/demo/generate.ts):
 * three patients (Contact) to one prospect (Lead), a tenth of the notes quoted for their comma.
 * Every row is valid, so each step handles every row. About 105 bytes a row.
 */
export async function writeCareTasks(
  file: string,
  rows: number,
  population: CarePopulation,
): Promise<number> {
  const rnd = seededRandom(20_261_204);
  return writeLines(file, CARE_TASKS_HEADER, rows, (i) => {
    const patient = rnd() < 0.75;
    const who = patient
      ? `patient,PAT-${pad(1 + Math.floor(rnd() * population.patients), 7)}`
      : `prospect,PROS-${pad(1 + Math.floor(rnd() * population.prospects), 7)}`;
    const due = `2026-${pad(1 + Math.floor(rnd() * 12), 2)}-${pad(1 + Math.floor(rnd() * 28), 2)}`;
    const notes = rnd() < 0.1 ? '"Patient asked for a call, after 5pm"' : 'Routine';
    const practice = practiceId(Math.floor(rnd() * CITIES.length));
    return `CT-${pad(i, 8)},${pick(rnd, SUBJECTS)},${pick(rnd, STATUSES)},${pick(rnd, PRIORITIES)},${due},${notes},${who},${practice}\n`;
  });
}

/** Seed files (parents first) holding every practice, patient and prospect the care tasks name. */
export async function writeCareSeeds(dir: string, population: CarePopulation): Promise<string[]> {
  const files = ['Account', 'Contact', 'Lead'].map((object) => join(dir, `${object}.csv`)) as [
    string,
    string,
    string,
  ];
  await writeLines(files[0], 'External_Id__c,Name,BillingCity\n', CITIES.length, (i) => {
    const city = CITIES[i - 1] as string;
    return `${practiceId(i - 1)},${city} Community Practice,${city}\n`;
  });
  await writeLines(files[1], 'Patient_Id__c,LastName,Account.External_Id__c\n', population.patients, (i) => {
    return `PAT-${pad(i, 7)},Patient ${i},${practiceId(i % CITIES.length)}\n`;
  });
  await writeLines(files[2], 'Prospect_Id__c,LastName,Company\n', population.prospects, (i) => {
    return `PROS-${pad(i, 7)},Prospect ${i},Self-referral\n`;
  });
  return files;
}

const MIDDLE = ['Rose', 'James', 'Amara', 'Lee'];
const SALUTATIONS = ['Dr', 'Mrs', 'Mr', 'Ms'];
const STREETS = ['Park Row', 'Station Road', 'Church Lane', 'Victoria Street', 'Mill Lane'];
/** A postcode district of each of CITIES, in the same order. */
const DISTRICTS = ['LS1', 'BS8', 'CF10', 'G12', 'BT9', 'NR2'];
/** Letters UK inward codes use (no C, I, K, M, O or V). */
const INWARD = [...'ABDEFGHJLNPQRSTUWXYZ'];
const US_CITIES = ['Springfield, IL 62704', 'Portland, OR 97201', 'Austin, TX 78701-1234'];

export const PATIENTS_HEADER =
  'patient_id,patient_name,date_of_birth,sex,email,phone,home_address,practice_code,email_opt_out\n';

/**
 * Patients for mappings/patients.yaml, every row valid: names as "Last, First" (some with a
 * salutation or a middle name), birth dates as dd/MM/yyyy, home addresses as one free-text line (UK
 * with one or two street lines and sometimes the country; a tenth in the US with a state), sex for
 * the value map, Y/N/blank opt-outs. About 150 bytes a row.
 */
export async function writePatients(file: string, rows: number): Promise<number> {
  const rnd = seededRandom(20_261_206);
  return writeLines(file, PATIENTS_HEADER, rows, (i) => {
    const first = pick(rnd, FIRST);
    const last = pick(rnd, LAST);
    const title = rnd() < 0.15 ? `${pick(rnd, SALUTATIONS)} ` : '';
    const middle = rnd() < 0.2 ? ` ${pick(rnd, MIDDLE)}` : '';
    const street = `${1 + Math.floor(rnd() * 200)} ${pick(rnd, STREETS)}`;
    const city = Math.floor(rnd() * CITIES.length);
    const address =
      rnd() < 0.1
        ? `${street}, ${pick(rnd, US_CITIES)}, USA`
        : `${rnd() < 0.25 ? `Flat ${1 + Math.floor(rnd() * 12)}, ` : ''}${street}, ${CITIES[city]} ${DISTRICTS[city]} ${1 + Math.floor(rnd() * 9)}${pick(rnd, INWARD)}${pick(rnd, INWARD)}${rnd() < 0.3 ? ', United Kingdom' : ''}`;
    const born = `${pad(1 + Math.floor(rnd() * 28), 2)}/${pad(1 + Math.floor(rnd() * 12), 2)}/${1930 + Math.floor(rnd() * 75)}`;
    const email = rnd() < 0.8 ? `${first}.${last}.${i}@patients.example` : '';
    return `PAT-${pad(i, 7)},"${last}, ${title}${first}${middle}",${born},${pick(rnd, ['F', 'M', 'X', 'U'])},${email},0113 496 ${pad(i % 10_000, 4)},"${address}",${practiceId(Math.floor(rnd() * CITIES.length))},${pick(rnd, ['Y', 'N', ''])}\n`;
  });
}

export const FULL_TASKS_HEADER =
  'task_id,subject,status,priority,due_date,remind_at,remind,call_seconds,notes,who_type,who_ref,what_type,what_ref\n';
const FULL_STATUSES = ['open', 'doing', 'done', 'later'];

/**
 * Care tasks for local/bench/care-tasks-full.yaml, every row valid: Who a patient or a prospect by
 * type (60 % / 20 %) or a raw 18-character Contact or Lead Id with no type (20 %); What a practice
 * (half of them by the default type), a care plan or a case; London reminder times through the year
 * (08:00–18:59, never in a clock change's gap), durations with a thousands separator. About 150 bytes
 * a row.
 */
export async function writeFullCareTasks(
  file: string,
  rows: number,
  population: CarePopulation,
): Promise<number> {
  const rnd = seededRandom(20_261_207);
  const n = (max: number) => 1 + Math.floor(rnd() * max);
  return writeLines(file, FULL_TASKS_HEADER, rows, (i) => {
    const roll = rnd();
    const who =
      roll < 0.6
        ? `patient,PAT-${pad(n(population.patients), 7)}`
        : roll < 0.8
          ? `prospect,PROS-${pad(n(population.prospects), 7)}`
          : roll < 0.9
            ? `,${toId18(`0038d${pad(n(population.patients), 10)}`)}`
            : `,${toId18(`00Q8d${pad(n(population.prospects), 10)}`)}`;
    const whatRoll = rnd();
    const what =
      whatRoll < 0.3
        ? `practice,${practiceId(Math.floor(rnd() * CITIES.length))}`
        : whatRoll < 0.6
          ? `,${practiceId(Math.floor(rnd() * CITIES.length))}`
          : whatRoll < 0.85
            ? `plan,PLAN-${pad(n(population.patients), 7)}`
            : `case,CASE-${pad(n(1000), 5)}`;
    const day = `${pad(n(28), 2)}/${pad(n(12), 2)}/2026`;
    const remind = `${day} ${pad(7 + n(11), 2)}:${pad(Math.floor(rnd() * 60), 2)}`;
    const seconds = Math.floor(rnd() * 5000).toLocaleString('en-US');
    const notes = rnd() < 0.1 ? '"Patient asked for a call, after 5pm"' : 'Routine';
    return `CT-${pad(i, 8)},${pick(rnd, SUBJECTS)},${pick(rnd, FULL_STATUSES)},${pick(rnd, PRIORITIES)},${day},${remind},${pick(rnd, ['Y', 'N'])},"${seconds}",${notes},${who},${what}\n`;
  });
}

/** High-water marks of one process, in bytes. */
export interface MemoryPeak {
  /** `process.resourceUsage().maxRSS`: the kernel's peak resident set of the whole process. */
  maxRss: number;
  /** Sampled peaks of `process.memoryUsage()`; `heapUsed` counts garbage V8 has not collected yet. */
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /**
   * The largest heap left after a full (mark-sweep) collection: the live data, without the garbage
   * V8 lets pile up when it has room. 0 when no full collection ran.
   */
  liveHeap: number;
}

/**
 * Samples `process.memoryUsage()` every `intervalMs` until stopped (on the event loop, which a
 * streaming pass turns often), and reads V8's own record of every collection for the live heap;
 * `maxRss` comes from the kernel and misses nothing.
 */
export function watchMemory(intervalMs = 20): { stop(): MemoryPeak } {
  const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
  const collections = new GCProfiler();
  collections.start();
  const sample = () => {
    const now = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.external = Math.max(peak.external, now.external);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      let liveHeap = 0;
      for (const gc of collections.stop()?.statistics ?? []) {
        if (gc.gcType === 'MarkSweepCompact')
          liveHeap = Math.max(liveHeap, gc.afterGC.heapStatistics.usedHeapSize);
      }
      return { maxRss: process.resourceUsage().maxRSS * 1024, ...peak, liveHeap };
    },
  };
}

/** What a scenario reports: the rows it handled, the seconds of its measured part, and its own figures. */
export interface ScenarioResult {
  rows: number;
  seconds: number;
  details?: Record<string, unknown>;
}

export interface Measurement extends ScenarioResult {
  scenario: string;
  memory: MemoryPeak;
}

const CHILD = join(import.meta.dirname, 'child.ts');

/**
 * Runs `scenario` (local/bench/scenarios.ts) in a fresh Node process on the same binary, so its peak
 * memory is its own. The child's stdout (handler logs) goes to our stderr: stdout is the table.
 */
export async function measureInChild(
  scenario: string,
  params: Record<string, unknown>,
): Promise<Measurement> {
  const child = fork(CHILD, [scenario, JSON.stringify(params)], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  let message: { ok: true; measurement: Measurement } | { ok: false; error: string } | undefined;
  child.on('message', (m) => {
    message = m as typeof message;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (message?.ok) return message.measurement;
  throw new Error(`scenario ${scenario} failed (exit ${code}): ${message?.error ?? 'no result'}`);
}

export const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
export const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** A plain text table: first column left-aligned, the rest right-aligned. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

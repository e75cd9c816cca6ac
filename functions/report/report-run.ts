import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { FAILED_HEADER, SUCCEEDED_HEADER, UNPROCESSED_HEADER } from '../collect-results/collect.ts';
import { CsvSink, type ObjectSink } from '../collect-results/csv-sink.ts';
import type {
  CaughtError,
  PartSummary,
  RunInput,
  RunReport,
  SplitOutput,
  TransformOutput,
  ValidationOutput,
} from '../shared/contracts.ts';
import { openCsv } from '../shared/csv.ts';
import { partRows } from '../upload/bulk-csv.ts';
import { buildReport, causeMessage, followAttempts, type PendingAttempt } from './build-report.ts';

/** Report Run gets `{run, validation, split}`; Report Failure gets the whole state plus `failure`. */
export interface ReportInput {
  run: RunInput;
  validation?: ValidationOutput;
  transform?: TransformOutput;
  split?: SplitOutput;
  failure?: CaughtError;
}

export interface ReportPorts {
  listKeys(prefix: string): AsyncIterable<string>;
  getJson<T>(key: string): Promise<T>;
  openObject(key: string): Promise<Readable>;
  /** The run's source object, at the version the run started from. */
  openSource(): Promise<Readable>;
  createObject(key: string, contentType: string): ObjectSink;
  putJson(key: string, value: unknown): Promise<void>;
  exists(key: string): Promise<boolean>;
  now(): Date;
}

type ResultFile = 'succeeded' | 'failed' | 'unprocessed';
const HEADERS: Record<ResultFile, string[]> = {
  succeeded: SUCCEEDED_HEADER,
  failed: FAILED_HEADER,
  unprocessed: UNPROCESSED_HEADER,
};

/**
 * Merges per-part results into the run's result files, accounts for rows no part accounted for
 * (on the failure path), and writes the run report. `apiCalls` are the calls the caller made or
 * knows of besides those recorded in summaries.
 */
export async function reportRun(
  input: ReportInput,
  ports: ReportPorts,
  extraApiCalls = 0,
): Promise<RunReport> {
  const { run } = input;
  const runPrefix = `runs/${run.runId}`;
  const summaries: PartSummary[] = [];
  for await (const key of ports.listKeys(`staging/${run.runId}/summaries/`)) {
    if (key.endsWith('.json')) summaries.push(await ports.getJson<PartSummary>(key));
  }

  const parts = input.split?.parts;
  const { counted, pending } = parts
    ? followAttempts(run.runId, parts, summaries)
    : { counted: [] as PartSummary[], pending: [] as PendingAttempt[] };
  const reason = input.failure ? `Run failed: ${causeMessage(input.failure)}` : 'part was not loaded';

  const files: RunReport['files'] = {};
  // Validate writes its rejects before it judges the threshold: a RejectThresholdError leaves the
  // file but no validation output, and those rows are still rejected, not unprocessed.
  const rejectedKey = input.validation
    ? input.validation.rejectedKey
    : (await ports.exists(`${runPrefix}/rejected.csv`))
      ? `${runPrefix}/rejected.csv`
      : undefined;
  if (rejectedKey) files.rejected = rejectedKey;
  const rejectedLines =
    input.validation || !rejectedKey ? undefined : await readRejectedLines(rejectedKey, ports);

  for (const kind of ['succeeded', 'failed'] as const) {
    const key = await mergeFiles(`${runPrefix}/${kind}.csv`, HEADERS[kind], counted, kind, ports);
    if (key) files[kind] = key;
  }

  // Unprocessed: what the parts wrote, then what the run never got to.
  const unprocessed = new CsvSink(`${runPrefix}/unprocessed.csv`, UNPROCESSED_HEADER, (key) =>
    ports.createObject(key, 'text/csv'),
  );
  const partFiles = counted.flatMap((s) => (s.files.unprocessed ? [s.files.unprocessed] : []));
  for (const key of partFiles) {
    for await (const row of rowsAfterHeader(await ports.openObject(key))) await unprocessed.write(row);
  }
  const before = unprocessed.rows;
  if (parts) {
    for (const attempt of pending) {
      for await (const row of partRows(await ports.openObject(attempt.key))) {
        await unprocessed.write([row[0] ?? '', attempt.part.object, attempt.part.operation, '', reason]);
      }
    }
  } else if (input.transform?.groups.length) {
    // Failure after Transform: the staged groups hold exactly the rows that passed validation.
    for (const group of input.transform.groups) {
      for await (const row of partRows(await ports.openObject(group.key))) {
        await unprocessed.write([row[0] ?? '', group.object, group.operation, '', reason]);
      }
    }
  } else if (input.validation || input.failure) {
    const rejected =
      rejectedLines ?? (rejectedKey ? await readRejectedLines(rejectedKey, ports) : new Set<number>());
    await unprocessedFromSource(input, ports, reason, unprocessed, rejected);
  }
  const extraUnprocessed = unprocessed.rows - before;
  const unprocessedKey = await unprocessed.end();
  if (unprocessedKey) files.unprocessed = unprocessedKey;

  const apiCalls = counted.reduce((sum, s) => sum + (s.apiCalls ?? 0), 0) + extraApiCalls;
  const report = buildReport({
    run,
    ...(input.validation ? { validation: input.validation } : {}),
    ...(rejectedLines ? { rejectedWithoutValidation: rejectedLines.size } : {}),
    summaries: counted,
    extraUnprocessed,
    ...(input.failure ? { failure: input.failure } : {}),
    files,
    apiCalls,
    now: ports.now(),
  });
  await ports.putJson(`${runPrefix}/report.json`, report);
  return report;
}

/** Concatenates the parts' files of one kind (header once), streaming; the key, or undefined if none. */
async function mergeFiles(
  key: string,
  header: string[],
  summaries: PartSummary[],
  kind: 'succeeded' | 'failed',
  ports: ReportPorts,
): Promise<string | undefined> {
  const sources = summaries.flatMap((s) => (s.files[kind] ? [s.files[kind]] : []));
  if (sources.length === 0) return undefined;
  const sink = ports.createObject(key, 'text/csv');
  // One pipeline for the whole file: a pipeline per part into the same sink (`end: false`) leaves
  // each one's listeners on it, hundreds for a large run.
  await Promise.all([pipeline(concatenated(header, sources, ports), sink.stream), sink.done]);
  return key;
}

/** The header, then each source's bytes after its own header line; one source open at a time. */
async function* concatenated(header: string[], sources: string[], ports: ReportPorts): AsyncIterable<Buffer> {
  yield Buffer.from(`${header.join(',')}\n`);
  for (const source of sources) yield* afterFirstLine(await ports.openObject(source));
}

/** A stream's bytes except everything up to and including the first LF (the file's header). */
async function* afterFirstLine(stream: Readable): AsyncIterable<Buffer> {
  let dropping = true;
  for await (const data of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (!dropping) {
      yield chunk;
      continue;
    }
    const lf = chunk.indexOf(0x0a);
    if (lf < 0) continue;
    dropping = false;
    if (lf + 1 < chunk.length) yield chunk.subarray(lf + 1);
  }
}

async function* rowsAfterHeader(stream: Readable): AsyncIterable<string[]> {
  let header = true;
  for await (const row of stream.pipe(parse()) as AsyncIterable<string[]>) {
    if (header) header = false;
    else yield row;
  }
}

/** Distinct line numbers in rejected.csv (a line may break several rules). */
async function readRejectedLines(key: string, ports: ReportPorts): Promise<Set<number>> {
  const lines = new Set<number>();
  for await (const row of rowsAfterHeader(await ports.openObject(key))) lines.add(Number(row[0]));
  return lines;
}

/**
 * The run failed before anything was staged: every source row that Validate did not reject is
 * unprocessed. Streams the source; only the rejected line numbers are held (bounded by the mapping's
 * reject threshold). A file that cannot even be read is left uncounted — the error says why.
 */
async function unprocessedFromSource(
  input: ReportInput,
  ports: ReportPorts,
  reason: string,
  sink: CsvSink,
  rejected: ReadonlySet<number>,
): Promise<void> {
  try {
    const csv = await openCsv(await ports.openSource(), {
      fileLabel: `s3://${input.run.source.bucket}/${input.run.source.key}`,
    });
    let header = true;
    for await (const row of csv.rows) {
      if (header) {
        header = false;
        continue;
      }
      if (!rejected.has(row.line)) await sink.write([row.line, '', '', '', reason]);
    }
  } catch (error) {
    if (input.validation) throw error;
    // Validate itself failed on this file (encoding, header): there are no rows to speak of.
  }
}

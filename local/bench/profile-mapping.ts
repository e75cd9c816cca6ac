/**
 * The mapping's CPU cost without S3 or Salesforce: a generated file is read from disk, parsed with the
 * project's CSV reader, mapped with `mapRecords` and formatted as staged CSV (`formatCsvRecord`), as
 * Validate and Transform do, against the emulator's default org schema rendered without a server.
 * Run under `--cpu-prof` to find the hot spots:
 *
 *   npx node --cpu-prof --cpu-prof-dir=/tmp/prof local/bench/profile-mapping.ts care-tasks 200000
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsvRecord, openCsv } from '../../functions/shared/csv.ts';
import { mapRecordBatches } from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import {
  defaultOrgDescribe,
  defaultOrgDescribeGlobal,
} from '../../tests/fixtures/pipeline/default-org-describe.ts';
import { writeCareTasks, writeFullCareTasks, writePatients } from './lib.ts';

const POPULATION = { patients: 20_000, prospects: 5_000 };
const FILES = {
  'care-tasks': {
    mapping: 'mappings/care-tasks.yaml',
    write: (f: string, n: number) => writeCareTasks(f, n, POPULATION),
  },
  patients: { mapping: 'mappings/patients.yaml', write: writePatients },
  'care-tasks-full': {
    mapping: 'local/bench/care-tasks-full.yaml',
    write: (f: string, n: number) => writeFullCareTasks(f, n, POPULATION),
  },
};

const [name = 'care-tasks', rowsArg = '200000', mode = 'transform'] = process.argv.slice(2);
const spec = FILES[name as keyof typeof FILES];
if (!spec) throw new Error(`unknown file ${name}; one of ${Object.keys(FILES).join(', ')}`);
const dir = mkdtempSync(join(tmpdir(), 'polyload-profile-'));
try {
  const file = join(dir, `${name}.csv`);
  await spec.write(file, Number(rowsArg));
  const plan = await planMapping(
    parseMapping(readFileSync(spec.mapping, 'utf8'), `${name}.yaml`),
    defaultOrgDescribe(),
    {
      describeGlobal: defaultOrgDescribeGlobal(),
    },
  );
  const started = performance.now();
  const { rows } = await openCsv(createReadStream(file, { highWaterMark: 64 * 1024 }), { fileLabel: file });
  let total = 0;
  let rejected = 0;
  let bytes = 0;
  if (mode === 'parse') for await (const batch of rows.batches()) total += batch.length;
  else {
    for await (const batch of mapRecordBatches(plan, rows, file)) {
      for (const { line, result } of batch) {
        total++;
        if (!result.ok) rejected++;
        else if (mode === 'transform') bytes += formatCsvRecord([String(line), ...result.values]).length;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${name} ${mode}: ${total} rows, ${rejected} rejected, ${bytes} chars, ${seconds.toFixed(2)} s, ${Math.round(total / seconds)} rows/s\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

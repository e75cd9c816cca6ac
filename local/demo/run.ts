/**
 * `npm run demo`: a practice's org (practices, a few patients with care plans, prospects, open cases)
 * in the embedded Salesforce emulator, then two files through the real state machine: patients as
 * Contacts (person name and mailing address split into their components), and care tasks whose Who is
 * a Contact or a Lead and whose What is an Account, a care plan or a case, row by row.
 */
import { basename, join, relative, resolve } from 'node:path';
import { runDemo } from './demo.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, '.polyload', 'demo');
const rel = (p: string) => relative(process.cwd(), p) || '.';

process.stderr.write(
  'Polyload demo: patients as Contacts, then care tasks for patients (Contacts) and prospects (Leads)\n\n',
);
const { data, loads } = await runDemo({ dir, log: process.stderr });

const failedRuns = loads.filter((load) => load.report.status !== 'SUCCEEDED');
const [patients, tasks] = loads;
const where: [string, string][] = [];
if (patients) {
  where.push(
    [join(patients.out, 'rejected.csv'), 'patients Validate stopped, by line and column, with the rule'],
    [join(patients.out, 'failed.csv'), 'the patient Salesforce refused: a practice the org does not have'],
  );
}
if (tasks) {
  where.push(
    [
      join(tasks.out, 'rejected.csv'),
      'tasks Validate stopped: an unknown Who type, a blank subject, a bad date',
    ],
    [
      join(tasks.out, 'failed.csv'),
      'tasks Salesforce refused: no such patient (one was rejected above) or care plan',
    ],
    [join(tasks.out, 'succeeded.csv'), 'every loaded task with its new Salesforce Id'],
    [join(tasks.out, 'report.json'), 'a run report: counts, one job per Who/What combination, result files'],
  );
}
where.push(
  ['docs/mapping.md', 'the mapping language, with an example for every rule'],
  ['mappings/patients.yaml', '"Last, First" names and free-text addresses into Contact components'],
  [
    'mappings/care-tasks.yaml',
    'Who a Contact or a Lead per row (type column or raw Id); What an Account, care plan or case',
  ],
);
const width = Math.max(...where.map(([path]) => rel(path).length));
const lines = [
  'What happened:',
  `  already in the org (seeded): ${data.seeds.map((seed) => basename(seed)).join(', ')} in ${rel(data.dir)}`,
  ...loads.map(
    (load) =>
      `  ${load.pipeline}: ${load.report.counts.succeeded.toLocaleString('en-US')} of ${load.data.rows.toLocaleString('en-US')} rows of ${rel(load.data.file)} loaded with ${rel(load.mapping)}`,
  ),
  '',
  'Where to look next:',
  ...where.map(([path, what]) => `  ${rel(path).padEnd(width)}  ${what}`),
  '  npx polyload run FILE --mapping F --dry-run   the plan for your own file: jobs, Bulk headers, rejects',
  '',
];
process.stderr.write(lines.join('\n'));
process.exitCode = failedRuns.length > 0 ? 1 : 0;

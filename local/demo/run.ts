/**
 * `npm run demo`: generates the sample healthcare dataset, seeds patients, prospects and practices into
 * the embedded Salesforce emulator, and loads the care-task file through the real state machine.
 */
import { join, relative, resolve } from 'node:path';
import { runCommand } from '../cli/run-command.ts';
import { generateDemoData } from './generate.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, '.polyload', 'demo');
const out = join(dir, 'results');
const data = generateDemoData(join(dir, 'data'));
const rel = (p: string) => relative(process.cwd(), p) || '.';

process.stderr.write(
  `Polyload demo: ${data.taskRows.toLocaleString('en-US')} care tasks for patients (Contacts) and prospects (Leads)\n` +
    `  seed: ${data.seeds.map(rel).join(', ')}\n  file: ${rel(data.tasks)}\n  mapping: mappings/care-tasks.yaml\n\n`,
);
const code = await runCommand([
  data.tasks,
  '--mapping',
  join(root, 'mappings', 'care-tasks.yaml'),
  ...data.seeds.flatMap((seed) => ['--seed', seed]),
  '--out',
  out,
]);
process.stderr.write(
  [
    'Where to look next:',
    `  ${rel(join(out, 'report.json'))}        the run report (counts, jobs, files)`,
    `  ${rel(join(out, 'failed.csv'))}         rows Salesforce refused, by source line, with the reason`,
    `  ${rel(join(out, 'rejected.csv'))}       rows Validate stopped, by line and column, with the rule`,
    `  ${rel(join(out, 'succeeded.csv'))}      every loaded row with its new Salesforce Id`,
    '  mappings/care-tasks.yaml             how columns become Task fields (Who is a Contact or a Lead per row)',
    '  npx polyload run FILE --mapping F     load your own file the same way; add --dry-run to see the plan',
    '',
  ].join('\n'),
);
process.exitCode = code;

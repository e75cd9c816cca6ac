import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../local/demo/generate.ts';

const root = resolve(import.meta.dirname, '../..');
// The Node running the tests (the project's Node 24) itself, not npm's launcher, so signals reach the CLI.
const node = process.execPath;
const cli = join(root, 'bin', 'polyload.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process, as a user or a script would. */
function polyload(args: string[], options: { until?: RegExp } = {}): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(node, [cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    const stopWhenReady = () => {
      if (options.until?.test(stdout + stderr)) child.kill('SIGINT');
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      stopWhenReady();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      stopWhenReady();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let dir: string;
let data: ReturnType<typeof generateDemoData>;
const seeds = () => data.seeds.flatMap((seed) => ['--seed', seed]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'polyload-cli-'));
  data = generateDemoData(join(dir, 'data'), { patients: 30, prospects: 10, tasks: 120 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('polyload run', () => {
  it('loads a file, prints the report with --json, writes result files and exits 0', async () => {
    const out = join(dir, 'out');
    const result = await polyload([
      'run',
      data.tasks,
      '--mapping',
      'mappings/care-tasks.yaml',
      ...seeds(),
      '--out',
      out,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('SUCCEEDED');
    const { total, succeeded, failed, rejected, unprocessed } = report.counts;
    expect(total).toBe(120);
    expect(succeeded + failed + rejected + unprocessed).toBe(total);
    expect(report.jobs.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(join(out, 'succeeded.csv'), 'utf8').split('\n')[0]).toBe(
      'line,object,operation,jobId,id,created',
    );
    // Progress and the summary go to stderr, so stdout stays parseable.
    expect(result.stderr).toMatch(/validated 120 rows/);
  });

  it('exits 1 with a FAILED report when the run cannot proceed', async () => {
    const mapping = join(dir, 'strict.yaml');
    writeFileSync(
      mapping,
      readFileSync('mappings/care-tasks.yaml', 'utf8').replace(/rejectThreshold:.*/, 'rejectThreshold: 0'),
    );
    const badFile = join(dir, 'bad.csv');
    writeFileSync(badFile, readFileSync(data.tasks, 'utf8').replace(',patient,', ',carer,'));
    const result = await polyload([
      'run',
      badFile,
      '--mapping',
      mapping,
      '--pipeline',
      'care-tasks',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('FAILED');
    expect(report.error.name).toBe('RejectThresholdError');
    expect(report.counts.rejected + report.counts.unprocessed).toBe(report.counts.total);
  });

  it('shows the plan with --dry-run and creates no job', async () => {
    const result = await polyload([
      'run',
      data.tasks,
      '--mapping',
      'mappings/care-tasks.yaml',
      '--dry-run',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.counts.total).toBe(120);
    const headers = plan.groups.map((g: { header: string }) => g.header);
    expect(headers.some((h: string) => h.includes('Contact:Who.Patient_Id__c'))).toBe(true);
    expect(headers.some((h: string) => h.includes('Lead:Who.Prospect_Id__c'))).toBe(true);
  });

  it('shows a sample row with a multi-line street as one Bulk record in the dry-run plan', async () => {
    const result = await polyload([
      'run',
      'mappings/samples/patients.csv',
      '--mapping',
      'mappings/patients.yaml',
      '--dry-run',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [group] = JSON.parse(result.stdout).groups;
    expect(group.header.split(',')).toContain('MailingStreet');
    expect(group.sample.some((row: string) => row.includes('"Flat 3\n45 Oxford Road",Manchester'))).toBe(true);
  });

  it.each([
    [['run'], /exactly one FILE/],
    [['run', 'missing.csv', '--mapping', 'mappings/care-tasks.yaml'], /no such file/],
    [['run', 'package.json'], /--mapping F is required/],
    [['run', 'package.json', '--mapping', 'x.yaml', '--bogus'], /Unknown option '--bogus'/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const result = await polyload(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('polyload mapping check', () => {
  it('prints the Bulk headers of a mapping that fits the org', async () => {
    const result = await polyload(['mapping', 'check', 'mappings/care-tasks.yaml', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const check = JSON.parse(result.stdout);
    const who = check.fields.find((f: { field: string }) => f.field === 'WhoId');
    expect(who.headers).toContain('Contact:Who.Patient_Id__c');
  });

  it('exits 1 naming each problem with its line in the mapping', async () => {
    const mapping = join(dir, 'wrong.yaml');
    writeFileSync(mapping, 'object: Contact\noperation: insert\nfields:\n  LastNme: last\n');
    const result = await polyload(['mapping', 'check', mapping]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'wrong.yaml:4:3: LastNme is not a field of Contact (did you mean LastName?)',
    );
  });
});

describe('polyload emulator', () => {
  it('prints its base URL on stdout and stops on Ctrl-C', async () => {
    const result = await polyload(['emulator', '--port', '0'], { until: /Press Ctrl-C to stop/ });
    expect(result.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(result.stderr).toContain('polyload-local / polyload-local-secret');
    expect(result.code).toBe(0);
  });
});

it('has no left-over demo output in the repository', () => {
  // .polyload/ is where the demo writes; it is ignored, never committed.
  expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('.polyload/');
  expect(existsSync(join(root, 'bin', 'polyload.js'))).toBe(true);
});

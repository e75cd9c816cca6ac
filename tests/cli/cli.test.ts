import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../local/demo/generate.ts';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';

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
function polyload(
  args: string[],
  options: { until?: RegExp; env?: Record<string, string> } = {},
): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(node, [cli, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
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
    expect(group.sample.some((row: string) => row.includes('"Flat 3\n45 Oxford Road",Manchester'))).toBe(
      true,
    );
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

describe('against any Salesforce URL (--salesforce), credentials from the environment', () => {
  let emu: Emulator;
  const credentials = {
    SALESFORCE_CLIENT_ID: 'polyload-local',
    SALESFORCE_CLIENT_SECRET: 'polyload-local-secret',
  };
  beforeAll(async () => {
    // A separately running org, reached the way a real one is: by URL, with client credentials.
    emu = await startEmulator({ port: 0, seed: data.seeds, faults: 'processingMs=0' });
  });
  afterAll(() => emu.stop());

  it('checks a mapping against that org', async () => {
    const result = await polyload(['mapping', 'check', 'mappings/care-tasks.yaml', '--salesforce', emu.url], {
      env: credentials,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`fits ${emu.url}`);
  });

  it('loads into that org, where SOQL finds the Tasks with the right Who types', async () => {
    const result = await polyload(
      ['run', data.tasks, '--mapping', 'mappings/care-tasks.yaml', '--salesforce', emu.url, '--json'],
      {
        env: credentials,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.counts.succeeded).toBeGreaterThan(100);
    const token = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=polyload-local&client_secret=polyload-local-secret',
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: access_token, version: '62.0' });
    const tasks = await conn.query<{ Who: { Type: string } | null }>('SELECT Who.Type FROM Task');
    expect(tasks.totalSize).toBe(report.counts.succeeded);
    const types = new Set(tasks.records.map((t) => t.Who?.Type));
    expect(types).toEqual(new Set(['Contact', 'Lead']));
  });

  it('refuses --salesforce without credentials as a usage error', async () => {
    const result = await polyload(['mapping', 'check', 'mappings/care-tasks.yaml', '--salesforce', emu.url], {
      env: { SALESFORCE_CLIENT_ID: '', SALESFORCE_CLIENT_SECRET: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--salesforce needs SALESFORCE_CLIENT_ID');
  });
});

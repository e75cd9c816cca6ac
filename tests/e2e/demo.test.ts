/**
 * `npm run demo` as a function (local/demo/demo.ts): its dataset, then both loads through the real
 * trigger, state machine and handlers against the seeded emulator. The counts must add up and every
 * deliberately bad row must end where the dataset says, with its reason, in the result files the demo
 * points the user to.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLoad, runDemo } from '../../local/demo/demo.ts';
import { type DemoDataset, generateDemo } from '../../local/demo/generate.ts';

let dir: string;
let data: DemoDataset;
let loads: DemoLoad[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polyload-demo-'));
  // The demo's own sizes: the test is the demo, a few seconds.
  ({ data, loads } = await runDemo({ dir }));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A result CSV the demo wrote, as records keyed by header (an absent file has none). */
function results(load: DemoLoad, kind: string): Record<string, string>[] {
  if (!readdirSync(load.out).includes(`${kind}.csv`)) return [];
  return parse(readFileSync(join(load.out, `${kind}.csv`), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
}

const load = (pipeline: string) => {
  const found = loads.find((l) => l.pipeline === pipeline);
  if (!found) throw new Error(`no ${pipeline} load`);
  return found;
};

describe('npm run demo', () => {
  it('loads patients first, then the care tasks that point to them', () => {
    expect(loads.map((l) => [l.pipeline, l.report.status])).toEqual([
      ['patients', 'SUCCEEDED'],
      ['care-tasks', 'SUCCEEDED'],
    ]);
  });

  it.each(['patients', 'care-tasks'])('accounts for every %s row in exactly one result file', (pipeline) => {
    const { report, data: file } = load(pipeline);
    const { total, succeeded, failed, rejected, unprocessed } = report.counts;
    expect(total).toBe(file.rows);
    expect(succeeded + failed + rejected + unprocessed).toBe(total);
    expect({ rejected, failed, unprocessed }).toEqual({ ...file.expected, unprocessed: 0 });
    const lines = ['succeeded', 'failed', 'rejected', 'unprocessed']
      .flatMap((kind) => results(load(pipeline), kind).map((row) => Number(row.line)))
      .sort((a, b) => a - b);
    expect(lines).toEqual(Array.from({ length: total }, (_, i) => i + 2));
  });

  it('rejects the bad patients at their column with the rule, and Salesforce fails the unknown practice', () => {
    const patients = load('patients');
    expect(results(patients, 'rejected').map((r) => [r.line, r.column, r.rule])).toEqual([
      ['58', 'home_address', 'address.unparsed'],
      ['124', 'date_of_birth', 'type.date'],
    ]);
    expect(results(patients, 'failed').map((r) => [r.line, r.errorCode, r.message])).toEqual([
      ['251', 'INVALID_FIELD', expect.stringContaining('PRAC-99')],
    ]);
  });

  it('rejects the bad tasks, and Salesforce fails those whose patient or care plan it does not have', () => {
    const tasks = load('care-tasks');
    expect(results(tasks, 'rejected').map((r) => [r.line, r.column, r.rule])).toEqual([
      ['102', 'who_type', 'lookupType'],
      ['778', 'subject', 'required'],
      ['1201', 'due_date', 'type.date'],
    ]);
    const failed = results(tasks, 'failed')
      .map((r) => [r.line, r.message])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(failed).toEqual([
      ['1501', expect.stringContaining('PAT-99999')],
      // The patient whose address Validate rejected in the first load never reached the org.
      ['2223', expect.stringContaining('PAT-00057')],
      ['2601', expect.stringContaining('PLAN-9999')],
    ]);
  });

  it('splits the tasks into one job per Who/What combination, patients into one job', () => {
    expect(load('patients').report.jobs).toHaveLength(1);
    // Contact, Lead or raw Id Whos × Account, Case or care-plan Whats, as the dataset mixes them.
    expect(load('care-tasks').report.jobs.length).toBeGreaterThanOrEqual(6);
  });

  it('seeds only what the org already holds: practices, patients with care plans, prospects, cases', () => {
    expect(data.seeds.map((seed) => seed.replace(/^.*[/\\]/, ''))).toEqual([
      '1.Account.csv',
      '2.Contact.csv',
      '3.Care_Plan__c.csv',
      '4.Lead.csv',
      '5.Case.csv',
    ]);
  });

  it('generates the same bytes every time', () => {
    const again = generateDemo(join(dir, 'again'));
    for (const [a, b] of [
      [data.patients.file, again.patients.file],
      [data.tasks.file, again.tasks.file],
      ...data.seeds.map((seed, i) => [seed, again.seeds[i] as string]),
    ] as [string, string][]) {
      expect(readFileSync(b, 'utf8'), b).toBe(readFileSync(a, 'utf8'));
    }
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo's healthcare dataset, generated deterministically (the same bytes on every machine):
 * practices (Accounts), patients (Contacts) and prospective patients (Leads) to seed the org, and a
 * Task file whose Who is a patient or a prospect per row and whose What is the practice.
 * A handful of rows are bad on purpose, one of each kind a data engineer meets.
 */
export interface DemoData {
  dir: string;
  seeds: string[];
  tasks: string;
  taskRows: number;
  /** What each deliberately bad row should become. */
  expected: { rejected: number; failed: number };
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloe',
  'Dev',
  'Ema',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kofi',
  'Lea',
  'Mei',
  'Nils',
  'Omar',
  'Priya',
];
const LAST = [
  'Okafor',
  'Silva',
  'Nguyen',
  'Kowalski',
  'Haddad',
  'Brown',
  'Tanaka',
  'Murphy',
  'Rossi',
  'Larsen',
  'Mensah',
  'Dubois',
];
const CITIES = ['Leeds', 'Bristol', 'Cardiff', 'Glasgow', 'Belfast', 'Norwich'];
const SUBJECTS = [
  'Follow-up call',
  'Medication review',
  'Book screening',
  'Send test results',
  'Vaccination reminder',
  'Care plan review',
  'Welcome call',
  'Send brochure',
];
const STATUSES = ['Not Started', 'In Progress', 'Completed', 'Deferred'];
const PRIORITIES = ['High', 'Normal', 'Low'];

/** A small seeded generator (mulberry32) so the dataset is identical everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvValue = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csvLine = (values: (string | number)[]) => `${values.map((v) => csvValue(String(v))).join(',')}\n`;

export function generateDemoData(
  dir: string,
  options: { patients?: number; prospects?: number; tasks?: number } = {},
): DemoData {
  const patients = options.patients ?? 400;
  const prospects = options.prospects ?? 150;
  const taskRows = options.tasks ?? 3000;
  const rnd = random(20261204);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  mkdirSync(dir, { recursive: true });

  const practices = CITIES.map((city, i) => ({ id: `PRAC-${String(i + 1).padStart(2, '0')}`, city }));
  let accounts = csvLine(['External_Id__c', 'Name', 'BillingCity', 'BillingCountry', 'Industry']);
  for (const p of practices)
    accounts += csvLine([p.id, `${p.city} Community Practice`, p.city, 'United Kingdom', 'Healthcare']);

  let contacts = csvLine(['Patient_Id__c', 'FirstName', 'LastName', 'Email', 'Account.External_Id__c']);
  for (let i = 1; i <= patients; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    contacts += csvLine([
      `PAT-${String(i).padStart(5, '0')}`,
      first,
      last,
      `${first}.${last}.${i}@patients.example`.toLowerCase(),
      pick(practices).id,
    ]);
  }
  let leads = csvLine(['Prospect_Id__c', 'FirstName', 'LastName', 'Company', 'Email']);
  for (let i = 1; i <= prospects; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    leads += csvLine([
      `PROS-${String(i).padStart(5, '0')}`,
      first,
      last,
      'Self-referral',
      `${first}.${last}.${i}@prospects.example`.toLowerCase(),
    ]);
  }

  const header = [
    'task_id',
    'subject',
    'status',
    'priority',
    'due_date',
    'notes',
    'who_type',
    'who_ref',
    'practice_ref',
  ];
  let tasks = csvLine(header);
  // Bad rows at fixed positions: each is a different, realistic mistake.
  const bad = new Map<number, (row: string[]) => void>([
    [
      101,
      (r) => {
        r[6] = 'carer';
      },
    ], // rejected by Validate: not a type the mapping knows
    [
      777,
      (r) => {
        r[1] = '';
      },
    ], // rejected by Validate: Subject is required
    [
      1500,
      (r) => {
        r[7] = 'PAT-99999';
      },
    ], // failed by Salesforce: no such patient
    [
      2222,
      (r) => {
        r[4] = '2025-02-30';
      },
    ], // failed by Salesforce: not a date
    [
      2600,
      (r) => {
        r[1] = 'Call back '.repeat(30);
      },
    ], // failed by Salesforce: Subject over 255 characters
  ]);
  for (let i = 1; i <= taskRows; i++) {
    const patient = rnd() < 0.75;
    const row = [
      `CT-${String(i).padStart(6, '0')}`,
      pick(SUBJECTS),
      pick(STATUSES),
      pick(PRIORITIES),
      `2026-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`,
      rnd() < 0.1 ? 'Patient asked for a call, after 5pm' : '',
      patient ? 'patient' : 'prospect',
      patient
        ? `PAT-${String(1 + Math.floor(rnd() * patients)).padStart(5, '0')}`
        : `PROS-${String(1 + Math.floor(rnd() * prospects)).padStart(5, '0')}`,
      pick(practices).id,
    ];
    bad.get(i)?.(row);
    tasks += csvLine(row);
  }

  const files = {
    account: join(dir, 'Account.csv'),
    contact: join(dir, 'Contact.csv'),
    lead: join(dir, 'Lead.csv'),
    tasks: join(dir, 'care-tasks.csv'),
  };
  writeFileSync(files.account, accounts);
  writeFileSync(files.contact, contacts);
  writeFileSync(files.lead, leads);
  writeFileSync(files.tasks, tasks);
  return {
    dir,
    seeds: [files.account, files.contact, files.lead],
    tasks: files.tasks,
    taskRows,
    expected: { rejected: 2, failed: 3 },
  };
}

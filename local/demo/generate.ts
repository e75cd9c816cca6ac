import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toId18 } from '../../functions/shared/mapping/values/ids.ts';
import { mulberry32 } from '../emulator/faults.ts';

/**
 * Healthcare datasets generated deterministically (the same bytes on every machine).
 *
 * `generateDemo` is `npm run demo`'s: what a practice's org already holds (practices as Accounts,
 * prospective patients as Leads, a few patients with their care plans, open cases) to seed, then two
 * files to load through the pipeline: patients for mappings/patients.yaml (names as "Last, First",
 * home addresses as free text, birth dates as dd/MM/yyyy) and care tasks for mappings/care-tasks.yaml
 * (Who a patient, a prospect or a raw Salesforce Id; What a practice, a care plan or a case).
 *
 * `generateDemoData` is the tests' one-load variant: practices, patients and prospects all seeded, and
 * a Task file whose Who is a patient or a prospect per row and whose What is the practice.
 *
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

/** A seeded generator (the emulator's mulberry32), so the dataset is identical everywhere. */
const random = mulberry32;

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
    ], // rejected by Validate: not a date
    [
      2600,
      (r) => {
        r[1] = 'Call back '.repeat(30);
      },
    ], // rejected by Validate: Subject over 255 characters (the mapping's maxLength)
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
    expected: { rejected: 4, failed: 1 },
  };
}

/** Sizes of `generateDemo`'s dataset. Patients up to `existingPatients` are already in the org. */
export interface DemoSizes {
  patients?: number;
  existingPatients?: number;
  prospects?: number;
  cases?: number;
  tasks?: number;
}

/** One file to load: where it is, its data rows, and what its deliberately bad rows should become. */
export interface DemoLoadFile {
  file: string;
  rows: number;
  expected: { rejected: number; failed: number };
}

export interface DemoDataset {
  dir: string;
  /** What the org already holds, parents first: practices, patients with care plans, prospects, cases. */
  seeds: string[];
  /** Loaded first (mappings/patients.yaml): the tasks' Contacts. */
  patients: DemoLoadFile;
  /** Loaded second (mappings/care-tasks.yaml). */
  tasks: DemoLoadFile;
}

const MIDDLE = ['Rose', 'James', 'Amara', 'Lee'];
const SALUTATIONS = ['Dr', 'Mrs', 'Mr', 'Ms'];
const STREETS = ['Park Row', 'Station Road', 'Church Lane', 'Victoria Street', 'Mill Lane', 'High Street'];
/** Postcode districts of each practice's city; the inward code is generated. */
const DISTRICTS: Record<string, string[]> = {
  Leeds: ['LS1', 'LS6', 'LS11'],
  Bristol: ['BS1', 'BS8'],
  Cardiff: ['CF10', 'CF24'],
  Glasgow: ['G1', 'G12'],
  Belfast: ['BT1', 'BT9'],
  Norwich: ['NR1', 'NR2'],
};
/** Letters UK inward codes use (no C, I, K, M, O or V). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const TASK_COLUMNS = [
  'task_id',
  'subject',
  'status',
  'priority',
  'due_date',
  'notes',
  'who_type',
  'who_ref',
  'what_type',
  'practice_ref',
];
const PLAN_NAMES = ['Diabetes care plan', 'Cardiac rehabilitation', 'Asthma review plan', 'Maternity care'];
const CASE_SUBJECTS = ['Missed appointment complaint', 'Prescription query', 'Records request'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const patientId = (i: number) => `PAT-${pad(i, 5)}`;
const prospectId = (i: number) => `PROS-${pad(i, 5)}`;
/**
 * A record Id the seed gives the record, so tasks can name it raw: key prefix, then the number, then
 * the checksum suffix (which a raw Id must carry to be read as an 18-character Id).
 */
const recordId = (prefix: string, i: number) => toId18(`${prefix}8d${pad(i, 10)}`);

/**
 * The demo's dataset. Bad rows, at fixed positions:
 * - patients: an address with no postcode or country (rejected by Validate, `address.unparsed`), a
 *   birth date that does not exist (`type.date`), a practice the org does not have (failed by
 *   Salesforce);
 * - care tasks: a type the mapping does not know (`lookupType`), a blank subject (`required`), a due
 *   date that does not exist (`type.date`); a patient nobody has, the patient whose address was
 *   rejected, and a care plan nobody has (all three failed by Salesforce: no such parent).
 */
export function generateDemo(dir: string, sizes: DemoSizes = {}): DemoDataset {
  const patients = sizes.patients ?? 400;
  const existing = Math.min(sizes.existingPatients ?? 40, patients);
  const prospects = sizes.prospects ?? 150;
  const cases = sizes.cases ?? 20;
  const taskRows = sizes.tasks ?? 3000;
  const rnd = random(20261205);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const below = (n: number) => 1 + Math.floor(rnd() * n);
  mkdirSync(dir, { recursive: true });

  const practices = CITIES.map((city, i) => ({ id: `PRAC-${pad(i + 1, 2)}`, city }));
  const postcode = (city: string) =>
    `${pick(DISTRICTS[city] ?? ['LS1'])} ${below(9)}${pick([...INWARD_LETTERS])}${pick([...INWARD_LETTERS])}`;

  let accounts = csvLine([
    'External_Id__c',
    'Name',
    'BillingStreet',
    'BillingCity',
    'BillingPostalCode',
    'BillingCountry',
    'Industry',
  ]);
  for (const p of practices) {
    accounts += csvLine([
      p.id,
      `${p.city} Community Practice`,
      `${below(200)} ${pick(STREETS)}`,
      p.city,
      postcode(p.city),
      'United Kingdom',
      'Healthcare',
    ]);
  }
  // Patients from an earlier import: an id and a surname only, until the patient file fills them in.
  let contacts = csvLine(['Id', 'Patient_Id__c', 'LastName', 'Account.External_Id__c']);
  let plans = csvLine(['External_Id__c', 'Name', 'Patient__r.Patient_Id__c', 'Status__c', 'Start_Date__c']);
  for (let i = 1; i <= existing; i++) {
    contacts += csvLine([recordId('003', i), patientId(i), pick(LAST), pick(practices).id]);
    plans += csvLine([
      `PLAN-${pad(i, 4)}`,
      pick(PLAN_NAMES),
      patientId(i),
      'Active',
      `2026-0${below(9)}-1${below(9)}`,
    ]);
  }
  let leads = csvLine([
    'Id',
    'Prospect_Id__c',
    'FirstName',
    'LastName',
    'Company',
    'Email',
    'City',
    'Country',
  ]);
  for (let i = 1; i <= prospects; i++) {
    const [first, last] = [pick(FIRST), pick(LAST)];
    const email = `${first}.${last}.${i}@prospects.example`.toLowerCase();
    leads += csvLine([
      recordId('00Q', i),
      prospectId(i),
      first,
      last,
      'Self-referral',
      email,
      pick(CITIES),
      'United Kingdom',
    ]);
  }
  let caseRows = csvLine(['External_Id__c', 'Subject', 'Origin', 'Status']);
  for (let i = 1; i <= cases; i++)
    caseRows += csvLine([`CASE-${pad(i, 4)}`, pick(CASE_SUBJECTS), pick(['Phone', 'Email', 'Web']), 'New']);

  const BAD_ADDRESS = 57;
  const BAD_BIRTH_DATE = 123;
  const UNKNOWN_PRACTICE = 250;
  const patientBad = new Set([BAD_ADDRESS, BAD_BIRTH_DATE, UNKNOWN_PRACTICE].filter((i) => i <= patients));
  let patientFile = csvLine([
    'patient_id',
    'patient_name',
    'date_of_birth',
    'sex',
    'email',
    'phone',
    'home_address',
    'practice_code',
    'email_opt_out',
  ]);
  for (let i = 1; i <= patients; i++) {
    const practice = pick(practices);
    const [first, last] = [pick(FIRST), pick(LAST)];
    const title = rnd() < 0.15 ? `${pick(SALUTATIONS)} ` : '';
    const middle = rnd() < 0.2 ? ` ${pick(MIDDLE)}` : '';
    const flat = rnd() < 0.25 ? `Flat ${below(12)}, ` : '';
    const country = rnd() < 0.3 ? ', United Kingdom' : '';
    let address = `${flat}${below(200)} ${pick(STREETS)}, ${practice.city} ${postcode(practice.city)}${country}`;
    let born = `${pad(below(28), 2)}/${pad(below(12), 2)}/${1930 + Math.floor(rnd() * 75)}`;
    let practiceCode = practice.id;
    if (i === BAD_ADDRESS) address = `${below(200)} High Street, ${practice.city}`;
    if (i === BAD_BIRTH_DATE) born = '31/02/1980';
    if (i === UNKNOWN_PRACTICE) practiceCode = 'PRAC-99';
    patientFile += csvLine([
      patientId(i),
      `${last}, ${title}${first}${middle}`,
      born,
      pick(['F', 'M', 'F', 'M', 'X', 'U']),
      rnd() < 0.8 ? `${first}.${last}.${i}@patients.example` : '',
      `0113 496 ${pad(below(9999), 4)}`,
      address,
      practiceCode,
      pick(['Y', 'N', 'N', '']),
    ]);
  }

  // Tasks about patients this dataset ends up with in the org (a rejected or failed patient never lands).
  const goodPatient = () => {
    let i = below(patients);
    while (patientBad.has(i)) i = below(patients);
    return i;
  };
  // Each bad row's cells, by column.
  const taskBad = new Map<number, Record<string, string>>([
    [101, { who_type: 'carer' }], // rejected: a type the mapping does not know
    [777, { subject: '' }], // rejected: Subject is required
    [1200, { due_date: '2026-02-30' }], // rejected: not a date
    [1500, { who_type: 'patient', who_ref: patientId(99_999) }], // failed: no such patient
    [2222, { who_type: 'patient', who_ref: patientId(BAD_ADDRESS) }], // failed: that patient was rejected
    [2600, { what_type: 'plan', practice_ref: 'PLAN-9999' }], // failed: no such care plan
  ]);
  let tasks = csvLine(TASK_COLUMNS);
  for (let i = 1; i <= taskRows; i++) {
    const roll = rnd();
    let who: [string, string];
    let what: [string, string] = [pick(['practice', '']), pick(practices).id];
    if (roll < 0.15 && existing > 0) {
      // A care-plan task: about the plan's own patient, who was in the org before the demo.
      const n = below(existing);
      who = ['patient', patientId(n)];
      what = ['plan', `PLAN-${pad(n, 4)}`];
    } else if (roll < 0.6) {
      who = ['patient', patientId(goodPatient())];
    } else if (roll < 0.8) {
      who = ['prospect', prospectId(below(prospects))];
    } else if (roll < 0.9 || existing === 0) {
      // No type: the raw Id's key prefix (00Q) says it is a Lead.
      who = ['', recordId('00Q', below(prospects))];
    } else {
      who = ['', recordId('003', below(existing))];
    }
    if (what[0] !== 'plan' && cases > 0 && rnd() < 0.1) what = ['case', `CASE-${pad(below(cases), 4)}`];
    const row = [
      `CT-${pad(i, 6)}`,
      pick(SUBJECTS),
      pick(STATUSES),
      pick(PRIORITIES),
      `2026-${pad(below(12), 2)}-${pad(below(28), 2)}`,
      rnd() < 0.1 ? 'Patient asked for a call, after 5pm' : '',
      ...who,
      ...what,
    ];
    for (const [column, value] of Object.entries(taskBad.get(i) ?? {}))
      row[TASK_COLUMNS.indexOf(column)] = value;
    tasks += csvLine(row);
  }

  const file = (name: string) => join(dir, name);
  const seeds = ['1.Account.csv', '2.Contact.csv', '3.Care_Plan__c.csv', '4.Lead.csv', '5.Case.csv'].map(
    file,
  );
  for (const [i, text] of [accounts, contacts, plans, leads, caseRows].entries()) {
    writeFileSync(seeds[i] as string, text);
  }
  writeFileSync(file('patients.csv'), patientFile);
  writeFileSync(file('care-tasks.csv'), tasks);
  const count = (positions: Iterable<number>, rows: number) => [...positions].filter((i) => i <= rows).length;
  return {
    dir,
    seeds,
    patients: {
      file: file('patients.csv'),
      rows: patients,
      expected: {
        rejected: count([BAD_ADDRESS, BAD_BIRTH_DATE], patients),
        failed: count([UNKNOWN_PRACTICE], patients),
      },
    },
    tasks: {
      file: file('care-tasks.csv'),
      rows: taskRows,
      expected: { rejected: count([101, 777, 1200], taskRows), failed: count([1500, 2222, 2600], taskRows) },
    },
  };
}

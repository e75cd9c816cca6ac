/**
 * The mapping language from an S3 upload to records in the org, through the real trigger, ASL and
 * handlers: patients as Contacts (name from "Last, First", mailing address from free text, dd/MM/yyyy
 * birth dates), prospects as Leads (name from "First Last", address from columns, continental numbers),
 * then care tasks whose Who is a Contact or a Lead (type column, type alias for raw Ids, bare raw Ids)
 * and whose What is an Account, a Case or a care plan, with reminders in London time. SOQL checks every
 * record's parent types and component values; every run accounts for every row.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedFiles } from '../../local/emulator/seed.ts';
import {
  type E2eStack,
  expectEveryRowAccountedFor,
  putMapping,
  queryAll,
  type RunOutcome,
  runFile,
  startE2eStack,
} from './helpers.ts';

const mappingFixture = (name: string) =>
  readFileSync(new URL(`../fixtures/e2e/mapping/${name}`, import.meta.url), 'utf8');
const seedFixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/e2e/mapping/seed/${name}`, import.meta.url));

/**
 * Records, not physical lines: the last patient's quoted address spans three lines. It is last so that
 * its start line (the line result files name) is still total + 1, as expectEveryRowAccountedFor reads.
 */
const PATIENT_ROWS = 11;
const PROSPECT_ROWS = 6;

/** The example pipeline as shipped, with room for this file's deliberately bad rows (4 of 11). */
const PATIENTS_MAPPING = readFileSync(
  new URL('../../mappings/patients.yaml', import.meta.url),
  'utf8',
).replace('rejectThreshold: 10%', 'rejectThreshold: 50%');

let e2e: E2eStack;
let patients: RunOutcome;
let prospects: RunOutcome;

beforeAll(async () => {
  e2e = await startE2eStack();
  await putMapping(e2e, 'patients', PATIENTS_MAPPING);
  await putMapping(e2e, 'prospects', mappingFixture('prospects.yaml'));
  await putMapping(e2e, 'care-tasks-mixed', mappingFixture('care-tasks.yaml'));
  patients = await runFile(e2e, 'patients', 'patients.csv', mappingFixture('patients.csv'));
  prospects = await runFile(e2e, 'prospects', 'prospects.csv', mappingFixture('prospects.csv'));
});
afterAll(async () => {
  await e2e?.stop();
});

async function soql<T extends Record<string, unknown>>(query: string): Promise<T[]> {
  return queryAll<T>(await e2e.connection(), query);
}

function byKey<T extends Record<string, unknown>>(rows: T[], key: keyof T): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [String(row[key]), row]));
}

/** Each rejected line's rule, in line order. */
const rejectedRules = (outcome: RunOutcome) =>
  outcome.files.rejected.map((r) => [Number(r.line), r.column, r.rule]);

describe('patients as Contacts (mappings/patients.yaml)', () => {
  it('accounts for every row: 6 loaded, 4 rejected by Validate, 1 failed by Salesforce', () => {
    expect(patients.report).toMatchObject({
      status: 'SUCCEEDED',
      counts: { total: PATIENT_ROWS, succeeded: 6, failed: 1, rejected: 4, unprocessed: 0 },
    });
    expectEveryRowAccountedFor(patients, PATIENT_ROWS);
  });

  it('rejects each bad row at its column with the rule it broke', () => {
    expect(rejectedRules(patients)).toEqual([
      [7, 'patient_name', 'name.unparsed'],
      [8, 'date_of_birth', 'type.date'],
      [9, 'sex', 'valueMap'],
      [10, 'home_address', 'address.unparsed'],
    ]);
  });

  it('leaves the row whose practice the org does not have to Salesforce, which fails it', () => {
    expect(patients.files.failed).toEqual([
      expect.objectContaining({ line: '11', object: 'Contact', operation: 'upsert' }),
    ]);
    expect(patients.files.failed[0]?.message).toMatch(/PRAC-99/);
  });

  it('writes the name, the mailing address and the birth date as their component fields', async () => {
    const contacts = byKey(
      await soql<Record<string, unknown>>(
        "SELECT Patient_Id__c, Salutation, FirstName, MiddleName, LastName, Suffix, MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, Birthdate, Gender__c, Email, HasOptedOutOfEmail, Account.External_Id__c, Owner.Username FROM Contact WHERE Patient_Id__c LIKE 'MP-%'",
      ),
      'Patient_Id__c',
    );
    expect(Object.keys(contacts).sort()).toEqual([
      'MP-001',
      'MP-002',
      'MP-003',
      'MP-004',
      'MP-005',
      'MP-006',
    ]);
    expect(contacts['MP-001']).toMatchObject({
      Salutation: null,
      FirstName: 'Ada',
      LastName: 'Lovelace',
      MailingStreet: '12 Park Row',
      MailingCity: 'Leeds',
      MailingState: null,
      MailingPostalCode: 'LS1 5HD',
      // The mapping's defaultCountry: the text names none.
      MailingCountry: 'United Kingdom',
      Birthdate: '1985-12-10',
      Gender__c: 'Female',
      Email: 'ada.lovelace@example.com',
      HasOptedOutOfEmail: false,
      Account: { External_Id__c: 'PRAC-01' },
      Owner: { Username: 'integration@polyload.local' },
    });
    expect(contacts['MP-002']).toMatchObject({
      Salutation: 'Dr.',
      FirstName: 'Alan',
      MiddleName: 'Mathison',
      LastName: 'Turing',
      MailingStreet: 'Flat 3\n45 Oxford Road',
      MailingCity: 'Manchester',
      MailingPostalCode: 'M1 5QA',
      MailingCountry: 'United Kingdom',
      Birthdate: '1982-06-23',
      Gender__c: 'Male',
      HasOptedOutOfEmail: true,
      Account: { External_Id__c: 'PRAC-02' },
    });
    expect(contacts['MP-003']).toMatchObject({
      FirstName: 'Martin',
      MiddleName: 'Luther',
      LastName: 'King',
      Suffix: 'Jr.',
      MailingStreet: '1200 Main Street\nSuite 4',
      MailingCity: 'Springfield',
      MailingState: 'IL',
      MailingPostalCode: '62704',
      // A country the text names is written as written; only an inferred one gets its English name.
      MailingCountry: 'USA',
      Birthdate: '1929-01-15',
    });
    expect(contacts['MP-004']).toMatchObject({
      FirstName: 'Ludwig',
      LastName: 'van Beethoven',
      // Line breaks inside the quoted cell separate the parts as commas do.
      MailingStreet: 'Flat 2\n10 Queen Street',
      MailingCity: 'Cardiff',
      MailingPostalCode: 'CF10 2BU',
      MailingCountry: 'United Kingdom',
      Birthdate: '1984-02-29',
      HasOptedOutOfEmail: false,
    });
    expect(contacts['MP-005']).toMatchObject({
      Salutation: 'Mrs.',
      FirstName: 'Mary',
      LastName: 'Seacole',
      MailingStreet: '7 Princes Street',
      MailingCity: 'Edinburgh',
      MailingPostalCode: 'EH2 2ER',
      HasOptedOutOfEmail: false,
    });
    expect(contacts['MP-006']).toMatchObject({
      FirstName: 'Lise',
      LastName: 'Meitner',
      MailingStreet: 'Unter den Linden 5',
      MailingCity: 'Berlin',
      MailingPostalCode: '10117',
      MailingCountry: 'Germany',
      Gender__c: 'Non-binary',
      HasOptedOutOfEmail: true,
    });
  });
});

describe('prospects as Leads (name from one column, address from columns)', () => {
  it('accounts for every row: 4 loaded, 2 rejected by Validate', () => {
    expect(prospects.report).toMatchObject({
      status: 'SUCCEEDED',
      counts: { total: PROSPECT_ROWS, succeeded: 4, failed: 0, rejected: 2, unprocessed: 0 },
    });
    expectEveryRowAccountedFor(prospects, PROSPECT_ROWS);
    expect(rejectedRules(prospects)).toEqual([
      [6, 'full_name', 'name.lastMissing'],
      [7, 'source', 'valueMap'],
    ]);
  });

  it('writes the name, address, picklist and number components as the columns said', async () => {
    const leads = byKey(
      await soql<Record<string, unknown>>(
        "SELECT Prospect_Id__c, Salutation, FirstName, MiddleName, LastName, Suffix, Company, Street, City, State, PostalCode, Country, Email, LeadSource, AnnualRevenue, NumberOfEmployees, Status FROM Lead WHERE Prospect_Id__c LIKE 'MQ-%'",
      ),
      'Prospect_Id__c',
    );
    expect(Object.keys(leads).sort()).toEqual(['MQ-001', 'MQ-002', 'MQ-003', 'MQ-004']);
    expect(leads['MQ-001']).toMatchObject({
      Salutation: 'Ms.',
      FirstName: 'Edith',
      LastName: 'Clarke',
      Company: 'Clarke Engineering',
      Street: 'Unit 5\nRiverside Park',
      City: 'Leeds',
      State: 'West Yorkshire',
      PostalCode: 'LS10 1AB',
      Country: 'United Kingdom',
      Email: 'edith@clarke.example',
      LeadSource: 'Web',
      AnnualRevenue: 1250000,
      NumberOfEmployees: 12,
      Status: 'Open - Not Contacted',
    });
    expect(leads['MQ-002']).toMatchObject({
      FirstName: 'Ada',
      LastName: 'Byron',
      Company: 'Self-referral',
      Street: "1 St James's Square",
      City: 'London',
      State: null,
      PostalCode: 'SW1Y 4JU',
      LeadSource: 'Phone Inquiry',
      AnnualRevenue: null,
    });
    expect(leads['MQ-003']).toMatchObject({
      Salutation: 'Dr.',
      FirstName: 'Jane',
      MiddleName: 'Ann',
      LastName: 'Smith-Jones',
      Suffix: 'PhD',
      Street: '1200 Main Street\nSuite 4',
      City: 'Springfield',
      State: 'IL',
      PostalCode: '62704',
      Country: 'United States',
      LeadSource: 'Partner Referral',
      // 980.500,49 into a currency field of scale 0.
      AnnualRevenue: 980500,
      NumberOfEmployees: 45,
    });
    expect(leads['MQ-004']).toMatchObject({
      FirstName: 'Ludwig',
      LastName: 'van Beethoven',
      Street: 'Bonngasse 20',
      City: 'Bonn',
      PostalCode: '53111',
      Country: 'Germany',
    });
  });
});

interface Parents {
  contact: Record<string, string>;
  lead: Record<string, string>;
  account: Record<string, string>;
  caseId: Record<string, string>;
  plan: Record<string, string>;
}

async function parents(): Promise<Parents> {
  const ids = async (object: string, key: string) =>
    Object.fromEntries(
      (await soql<Record<string, string>>(`SELECT Id, ${key} FROM ${object}`))
        .filter((r) => r[key])
        .map((r) => [r[key] as string, r.Id as string]),
    );
  return {
    contact: await ids('Contact', 'Patient_Id__c'),
    lead: await ids('Lead', 'Prospect_Id__c'),
    account: await ids('Account', 'External_Id__c'),
    caseId: await ids('Case', 'External_Id__c'),
    plan: await ids('Care_Plan__c', 'External_Id__c'),
  };
}

const TASK_HEADER =
  'task_id,subject,status,priority,due_date,remind_at,remind,call_seconds,who_type,who_ref,what_type,what_ref';

describe('care tasks mixing Contact and Lead Whos, Account, Case and care-plan Whats', () => {
  let p: Parents;
  let tasks: RunOutcome;
  let landed: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    // Cases and care plans already in the org; the plans belong to patients loaded above.
    await loadSeedFiles(e2e.emulator.context, [seedFixture('Case.csv'), seedFixture('Care_Plan__c.csv')]);
    p = await parents();
    const id = (ids: Record<string, string>, key: string) => {
      const value = ids[key];
      if (!value) throw new Error(`${key} is not in the org`);
      return value;
    };
    const lines = [
      TASK_HEADER,
      'MT-001,Follow-up call,open,High,15/01/2026,15/01/2026 09:00,Y,"1,250",patient,MP-001,practice,PRAC-01',
      'MT-002,Send brochure,done,,,15/07/2026 09:00,Y,,prospect,MQ-001,,PRAC-02',
      'MT-003,Medication review,doing,High,29/03/2026,29/03/2026 00:30,Y,,patient,MP-002,plan,PLAN-E2E-1',
      'MT-004,Call back about complaint,open,Normal,30/03/2026,29/03/2026 02:30,Y,,prospect,MQ-002,case,CASE-E2E-1',
      `MT-005,Annual review,open,,25/10/2026,25/10/2026 01:30,Y,,,${id(p.contact, 'MP-003')},case,CASE-E2E-2`,
      `MT-006,Introductory call,open,Low,,,N,,sf,${id(p.lead, 'MQ-003')},practice,PRAC-03`,
      `MT-007,Welcome call,open,,,,,,,${id(p.lead, 'MQ-004').slice(0, 15)},,PRAC-04`,
      'MT-008,Diabetes review,open,,01/11/2026,01/11/2026 09:00,Y,,patient,MP-004,plan,PLAN-E2E-2',
      // Rejected by Validate: a type the mapping does not know, a Case Id as a Who, a reminder in
      // the hour London skips.
      'MT-009,Carer call,open,,,,,,carer,MP-001,practice,PRAC-01',
      `MT-010,Wrong Id,open,,,,,,sf,${id(p.caseId, 'CASE-E2E-1')},practice,PRAC-01`,
      'MT-011,Early reminder,open,,,29/03/2026 01:30,Y,,patient,MP-001,,PRAC-01',
      // Failed by Salesforce: parents the org does not have (a patient whose own load failed, a
      // care plan, a patient Validate rejected).
      'MT-012,Darwin follow-up,open,,,,,,patient,MP-011,,PRAC-05',
      'MT-013,Plan review,open,,,,,,patient,MP-005,plan,PLAN-NOPE',
      'MT-014,Hopper call,open,,,,,,patient,MP-007,,PRAC-01',
    ];
    const csv = `${lines.join('\n')}\n`;
    tasks = await runFile(e2e, 'care-tasks-mixed', 'tasks.csv', csv);
    landed = byKey(
      await soql<Record<string, unknown>>(
        "SELECT External_Id__c, WhoId, WhatId, Who.Type, What.Type, Subject, Status, Priority, ActivityDate, ReminderDateTime, IsReminderSet, CallDurationInSeconds, Description FROM Task WHERE External_Id__c LIKE 'MT-%'",
      ),
      'External_Id__c',
    );
  });

  it('accounts for every row: 8 loaded, 3 rejected by Validate, 3 failed by Salesforce', () => {
    expect(tasks.report).toMatchObject({
      status: 'SUCCEEDED',
      counts: { total: 14, succeeded: 8, failed: 3, rejected: 3, unprocessed: 0 },
    });
    expectEveryRowAccountedFor(tasks, 14);
    expect(tasks.files.failed.map((r) => Number(r.line)).sort((a, b) => a - b)).toEqual([13, 14, 15]);
  });

  it('rejects an unknown type, an Id of an object Who cannot point to, and a skipped local time', () => {
    const rejected = Object.fromEntries(tasks.files.rejected.map((r) => [r.line, r]));
    expect(rejected['10']).toMatchObject({ column: 'who_type', rule: 'lookupType' });
    expect(rejected['11']).toMatchObject({
      column: 'who_ref',
      rule: 'idPrefix',
      message: 'WhoId: the Id belongs to Case; WhoId takes Contact or Lead Ids',
    });
    expect(rejected['12']).toMatchObject({ column: 'remind_at', rule: 'timeZoneGap' });
  });

  it('puts each Who and What on the parent type and record the row named', () => {
    const parentsOf = Object.fromEntries(
      Object.entries(landed).map(([key, t]) => [
        key,
        [
          (t.Who as { Type: string } | null)?.Type,
          t.WhoId,
          (t.What as { Type: string } | null)?.Type,
          t.WhatId,
        ],
      ]),
    );
    expect(parentsOf).toEqual({
      'MT-001': ['Contact', p.contact['MP-001'], 'Account', p.account['PRAC-01']],
      'MT-002': ['Lead', p.lead['MQ-001'], 'Account', p.account['PRAC-02']],
      'MT-003': ['Contact', p.contact['MP-002'], 'Care_Plan__c', p.plan['PLAN-E2E-1']],
      'MT-004': ['Lead', p.lead['MQ-002'], 'Case', p.caseId['CASE-E2E-1']],
      'MT-005': ['Contact', p.contact['MP-003'], 'Case', p.caseId['CASE-E2E-2']],
      'MT-006': ['Lead', p.lead['MQ-003'], 'Account', p.account['PRAC-03']],
      'MT-007': ['Lead', p.lead['MQ-004'], 'Account', p.account['PRAC-04']],
      'MT-008': ['Contact', p.contact['MP-004'], 'Care_Plan__c', p.plan['PLAN-E2E-2']],
    });
  });

  it('loads one job per Who/What combination, raw-Id rows apart from looked-up ones', () => {
    // Contact/Account, Lead/Account, Contact/Care_Plan__c, Lead/Case, Id/Case, Id/Account: each
    // combination is its own Bulk CSV header, so its own job.
    expect(tasks.report.jobs).toHaveLength(6);
    expect(tasks.report.jobs.every((j) => j.object === 'Task' && j.state === 'JobComplete')).toBe(true);
  });

  it('writes London reminder times as UTC across both clock changes, and dates as written', () => {
    const at = (key: string) => {
      const value = landed[key]?.ReminderDateTime;
      if (value == null) return null;
      expect(String(value), 'Salesforce datetimes are UTC').toMatch(/(Z|\+0000|\+00:00)$/);
      return new Date(String(value)).toISOString();
    };
    expect(at('MT-001')).toBe('2026-01-15T09:00:00.000Z'); // GMT
    expect(at('MT-002')).toBe('2026-07-15T08:00:00.000Z'); // BST
    expect(at('MT-003')).toBe('2026-03-29T00:30:00.000Z'); // before the spring gap
    expect(at('MT-004')).toBe('2026-03-29T01:30:00.000Z'); // after it
    expect(at('MT-005')).toBe('2026-10-25T00:30:00.000Z'); // 01:30 happens twice: the earlier (BST)
    expect(at('MT-008')).toBe('2026-11-01T09:00:00.000Z');
    expect(at('MT-006')).toBeNull();
    expect(landed['MT-003']?.ActivityDate).toBe('2026-03-29');
    expect(landed['MT-005']?.ActivityDate).toBe('2026-10-25');
    expect(landed['MT-001']).toMatchObject({
      Subject: 'Follow-up call',
      Status: 'Not Started',
      Priority: 'High',
      ActivityDate: '2026-01-15',
      IsReminderSet: true,
      CallDurationInSeconds: 1250,
      Description: 'Follow-up call (MT-001)',
    });
    expect(landed['MT-002']).toMatchObject({ Status: 'Completed', Priority: 'Normal' });
    expect(landed['MT-006']).toMatchObject({ IsReminderSet: false });
  });

  it('fails the rows whose parent the org does not have, naming it', () => {
    const failed = Object.fromEntries(tasks.files.failed.map((r) => [r.line, r]));
    expect(failed['13']).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(/MP-011/),
    });
    expect(failed['14']).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(/PLAN-NOPE/),
    });
    expect(failed['15']).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(/MP-007/),
    });
  });
});

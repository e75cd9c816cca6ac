/**
 * The example pipelines in mappings/ with their sample files, through the real Validate and Transform
 * handlers (s3rver, the SSM endpoint, the emulator's describe), then each staged group loaded as an
 * ingest job into the emulator: every sample row is accepted, every job ends with no failed record, and
 * SOQL finds the records with their parents and compound components.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupRef } from '../../functions/shared/contracts.ts';
import { formatCsvRecord, parseOwnCsv } from '../../functions/shared/csv.ts';
import { getText, putText, readObjectStream } from '../../functions/shared/s3.ts';
import { salesforce } from '../../functions/shared/salesforce.ts';
import { handler as transform } from '../../functions/transform/handler.ts';
import { handler as validate } from '../../functions/validate/handler.ts';
import { loadSeedFiles } from '../../local/emulator/seed.ts';
import {
  type LocalAws,
  lambdaContext,
  putMapping,
  runFor,
  startLocalAws,
} from '../fixtures/pipeline/local-aws.ts';

const SEED = ['01.Contact.csv', '02.Lead.csv', '03.Case.csv', '04.Care_Plan__c.csv'].map(
  (file) => `tests/fixtures/mapping/seed/${file}`,
);

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
  // Parents the samples point to that no sample loads: a raw-Id Contact and Lead, leads, a case, a care plan.
  await loadSeedFiles(aws.emulator.context, SEED);
});
afterAll(async () => {
  await aws?.stop();
});

/** A staged group (`__line` first) as the Bulk CSV its job uploads. */
async function bulkCsv(group: GroupRef): Promise<string> {
  let csv = '';
  for await (const row of parseOwnCsv(await readObjectStream(aws.s3.buckets.work, group.key))) {
    csv += formatCsvRecord(row.fields.slice(1));
  }
  return csv;
}

/** Loads a group as one ingest job and waits for the emulator to finish it. */
async function load(group: GroupRef) {
  const port = await salesforce();
  const job = await port.createJob({
    object: group.object,
    operation: group.operation,
    ...(group.externalIdFieldName !== undefined ? { externalIdFieldName: group.externalIdFieldName } : {}),
  });
  await port.uploadJobData(job.id, Readable.from([await bulkCsv(group)]));
  await port.closeJob(job.id);
  for (let i = 0; i < 200; i++) {
    const info = await port.jobInfo(job.id);
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
    await sleep(25);
  }
  throw new Error(`job ${job.id} did not finish`);
}

/** Validates, transforms and loads `mappings/samples/<pipeline>.csv` with `mappings/<pipeline>.yaml`. */
async function runSample(pipeline: string) {
  await putMapping(aws, pipeline, readFileSync(`mappings/${pipeline}.yaml`, 'utf8'));
  const key = `incoming/${pipeline}/sample.csv`;
  await putText(
    aws.s3.buckets.landing,
    key,
    readFileSync(`mappings/samples/${pipeline}.csv`, 'utf8'),
    'text/csv',
  );
  const run = runFor(aws, key, `${pipeline}-sample`, pipeline);
  const validation = await validate({ run }, lambdaContext('ValidateFunction'));
  const { groups } = await transform({ run, validation }, lambdaContext('TransformFunction'));
  const jobs = [];
  for (const group of groups) jobs.push({ group, info: await load(group) });
  return { validation, groups, jobs };
}

async function query<T>(soql: string): Promise<T[]> {
  const response = await fetch(`${aws.emulator.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'polyload-local',
      client_secret: 'polyload-local-secret',
    }),
  });
  const { access_token: accessToken } = (await response.json()) as { access_token: string };
  const conn = new jsforce.Connection({ instanceUrl: aws.emulator.url, accessToken, version: '62.0' });
  return (await conn.query<T & Record<string, unknown>>(soql)).records as T[];
}

describe('example pipelines against the emulator default org', () => {
  // In order: facilities are the Accounts patients and tasks point to; patients are the tasks' Contacts.
  it('loads facilities as Accounts with billing address and coordinates', async () => {
    const { validation, groups, jobs } = await runSample('facilities');
    expect(validation).toMatchObject({ total: 3, rejected: 0 });
    expect(groups.map((g) => [g.groupId, g.rows])).toEqual([['account-upsert', 3]]);
    expect(jobs.map((j) => [j.info.state, j.info.numberRecordsFailed])).toEqual([['JobComplete', 0]]);
    const [clinic] = await query<Record<string, unknown>>(
      "SELECT Name, Type, BillingStreet, BillingCity, BillingPostalCode, BillingLatitude, BillingLongitude, AnnualRevenue FROM Account WHERE External_Id__c = 'FAC-003'",
    );
    expect(clinic).toMatchObject({
      Name: 'Springfield Community Clinic',
      Type: 'Prospect',
      BillingStreet: '1200 Main Street\nSuite 4',
      BillingCity: 'Springfield',
      BillingPostalCode: '62704',
      BillingLatitude: 39.78172,
      BillingLongitude: -89.65015,
      AnnualRevenue: 2400000,
    });
  });

  it('loads patients as Contacts with name and mailing address components and their practice', async () => {
    const { validation, jobs } = await runSample('patients');
    expect(validation).toMatchObject({ total: 3, rejected: 0 });
    expect(jobs.map((j) => [j.info.state, j.info.numberRecordsFailed])).toEqual([['JobComplete', 0]]);
    const [alan] = await query<Record<string, unknown>>(
      "SELECT FirstName, LastName, MailingStreet, MailingCity, MailingPostalCode, MailingCountry, Birthdate, Gender__c, Account.External_Id__c FROM Contact WHERE Patient_Id__c = 'P-002'",
    );
    expect(alan).toMatchObject({
      FirstName: 'Alan',
      LastName: 'Turing',
      MailingStreet: 'Flat 3\n45 Oxford Road',
      MailingCity: 'Manchester',
      MailingPostalCode: 'M1 5QA',
      MailingCountry: 'United Kingdom',
      Birthdate: '1982-06-23',
      Gender__c: 'Male',
      Account: { External_Id__c: 'FAC-002' },
    });
  });

  it('loads care tasks whose Who and What land on the right parent types, one job per combination', async () => {
    const { validation, groups, jobs } = await runSample('care-tasks');
    expect(validation).toMatchObject({ total: 6, rejected: 0 });
    expect(groups.map((g) => [g.groupId, g.rows])).toEqual([
      ['task-upsert-whoid-contact-whatid-account', 2],
      ['task-upsert-whoid-lead-whatid-account', 1],
      ['task-upsert-whoid-contact-whatid-care_plan_c', 1],
      ['task-upsert-whoid-id-whatid-case', 1],
      ['task-upsert-whoid-id-whatid-account', 1],
    ]);
    expect(jobs.every((j) => j.info.state === 'JobComplete' && j.info.numberRecordsFailed === 0)).toBe(true);
    const tasks = await query<{
      External_Id__c: string;
      WhoId: string;
      Who: { Type: string };
      What: { Type: string } | null;
    }>("SELECT External_Id__c, WhoId, Who.Type, What.Type FROM Task WHERE External_Id__c LIKE 'T-2%'");
    const landed = Object.fromEntries(
      tasks.map((t) => [t.External_Id__c, [t.Who?.Type, t.What?.Type ?? null]]),
    );
    expect(landed).toEqual({
      'T-2001': ['Contact', 'Account'],
      'T-2002': ['Lead', null],
      'T-2003': ['Contact', 'Care_Plan__c'],
      'T-2004': ['Contact', 'Case'],
      'T-2005': ['Lead', null],
      'T-2006': ['Contact', 'Account'],
    });
    expect(tasks.find((t) => t.External_Id__c === 'T-2004')?.WhoId).toBe('003000000000901AAA');
  });
});

describe('rejects through the handlers', () => {
  it("writes the golden patients file's rejects to rejected.csv and stages exactly the other rows", async () => {
    const pipeline = 'patients-golden';
    const yaml = readFileSync('mappings/patients.yaml', 'utf8').replace(
      'rejectThreshold: 10%',
      'rejectThreshold: 50%',
    );
    await putMapping(aws, pipeline, yaml);
    const key = `incoming/${pipeline}/input.csv`;
    const input = readFileSync('tests/fixtures/mapping/golden/patients/input.csv', 'utf8');
    await putText(aws.s3.buckets.landing, key, input, 'text/csv');
    const run = runFor(aws, key, 'patients-golden-run', pipeline);

    const validation = await validate({ run }, lambdaContext('ValidateFunction'));
    const { groups } = await transform({ run, validation }, lambdaContext('TransformFunction'));

    expect(validation).toMatchObject({ total: 7, rejected: 3 });
    expect(await getText(aws.s3.buckets.work, validation.rejectedKey as string)).toBe(
      readFileSync('tests/fixtures/mapping/golden/patients/expected/rejected.csv', 'utf8'),
    );
    expect(await bulkCsv(groups[0] as GroupRef)).toBe(
      readFileSync('tests/fixtures/mapping/golden/patients/expected/contact-upsert.csv', 'utf8'),
    );
  });
});

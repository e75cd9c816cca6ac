/**
 * Golden files: the example mappings applied to fixture files against the emulator's default org. For
 * each group (job signature) the exact Bulk CSV its job uploads — header and rows, in source order —
 * and the exact rejected.csv. Expected files are checked in under tests/fixtures/mapping/golden/<case>/
 * expected/; after an intended change, regenerate them with `UPDATE_GOLDEN=1 npx vitest run
 * tests/unit/golden.test.ts` and review the diff.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatCsvRecord, openCsv } from '../../functions/shared/csv.ts';
import { groupColumns, groupId, mapRecords } from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { REJECTED_COLUMNS } from '../../functions/shared/mapping/run-files.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const ROOT = 'tests/fixtures/mapping/golden';

/** Every file the mapping produces from the case's input: `<groupId>.csv` per group and rejected.csv. */
async function produce(mappingFile: string, input: string): Promise<Map<string, string>> {
  const plan = await planMapping(
    parseMapping(readFileSync(mappingFile, 'utf8'), mappingFile),
    defaultOrgDescribe(),
    { apiVersion: '62.0' },
  );
  const { rows } = await openCsv(Readable.from([readFileSync(input)]), { fileLabel: input });
  const files = new Map<string, string>();
  let rejected = formatCsvRecord(REJECTED_COLUMNS);
  for await (const { result } of mapRecords(plan, rows, input)) {
    if (!result.ok) {
      for (const r of result.rejects)
        rejected += formatCsvRecord([String(r.line), r.column, r.value, r.rule, r.message]);
      continue;
    }
    const name = `${groupId(plan, result.group)}.csv`;
    const before = files.get(name) ?? formatCsvRecord(groupColumns(plan, result.group));
    files.set(name, before + formatCsvRecord(result.values));
  }
  files.set('rejected.csv', rejected);
  return files;
}

async function checkCase(name: string, mappingFile: string): Promise<Map<string, string>> {
  const produced = await produce(mappingFile, join(ROOT, name, 'input.csv'));
  const expectedDir = join(ROOT, name, 'expected');
  if (process.env.UPDATE_GOLDEN) {
    rmSync(expectedDir, { recursive: true, force: true });
    mkdirSync(expectedDir, { recursive: true });
    for (const [file, text] of produced) writeFileSync(join(expectedDir, file), text);
  }
  const expected = new Map(
    readdirSync(expectedDir).map((file) => [file, readFileSync(join(expectedDir, file), 'utf8')]),
  );
  expect([...produced.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [file, text] of produced) expect(text, file).toBe(expected.get(file));
  return produced;
}

describe('golden Bulk CSV', () => {
  it('splits a mixed polymorphic care-task file into one job per Who/What combination', async () => {
    const files = await checkCase('care-tasks', 'mappings/care-tasks.yaml');
    // The headers that make the file polymorphic, spelled as the org's describe requires.
    expect([...files.keys()].sort()).toEqual([
      'rejected.csv',
      'task-upsert-whoid-contact-whatid-account.csv',
      'task-upsert-whoid-contact-whatid-care_plan_c.csv',
      'task-upsert-whoid-contact-whatid-case.csv',
      'task-upsert-whoid-id-whatid-account.csv',
      'task-upsert-whoid-id-whatid-case.csv',
      'task-upsert-whoid-lead-whatid-account.csv',
      'task-upsert-whoid-lead-whatid-case.csv',
    ]);
    expect(files.get('task-upsert-whoid-contact-whatid-care_plan_c.csv')?.split('\n')[0]).toBe(
      'External_Id__c,Subject,Status,Priority,ActivityDate,Description,Contact:Who.Patient_Id__c,Care_Plan__c:What.External_Id__c',
    );
    expect(files.get('task-upsert-whoid-id-whatid-case.csv')?.split('\n')[0]).toContain(',WhoId,Case:What.');
  });

  it('writes patients as Contacts with their name and mailing address in component fields', async () => {
    const files = await checkCase('patients', 'mappings/patients.yaml');
    expect(files.get('contact-upsert.csv')?.split('\n')[0]).toBe(
      'Patient_Id__c,Salutation,FirstName,MiddleName,LastName,Suffix,MailingStreet,MailingCity,MailingState,MailingPostalCode,MailingCountry,Birthdate,Gender__c,Email,Phone,HasOptedOutOfEmail,Account.External_Id__c,Owner.Username,LeadSource',
    );
  });

  it('writes facilities as Accounts with billing address components and coordinates', async () => {
    const files = await checkCase('facilities', 'mappings/facilities.yaml');
    expect(files.get('account-upsert.csv')?.split('\n')[0]).toContain(
      'BillingStreet,BillingCity,BillingState,BillingPostalCode,BillingCountry,BillingLatitude,BillingLongitude',
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorContext } from '../../local/emulator/context.ts';
import { type Emulator, startEmulator } from '../../local/emulator/index.ts';
import { loadSeedFiles } from '../../local/emulator/seed.ts';

const fixtures = join(import.meta.dirname, '../fixtures/emulator/seed');
const seedFiles = ['01.Account.csv', '02.Contact.csv', '03.leads.json', '04.activities.json'].map((f) =>
  join(fixtures, f),
);

let emu: Emulator;
let ctx: EmulatorContext;
let scratch: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: seedFiles });
  ctx = emu.context;
  scratch = mkdtempSync(join(tmpdir(), 'polyload-seed-test-'));
});
afterAll(async () => {
  await emu?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const one = (object: string, field: string, value: string) => {
  const [id, ...more] = ctx.store.findIdsByField(object, field, value);
  if (!id || more.length > 0) throw new Error(`expected one ${object} with ${field}=${value}`);
  return { id, record: ctx.store.findById(id)?.record ?? {} };
};

function scratchFile(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('seed files', () => {
  it('load CSV rows through the ingest engine, converting values as a Bulk insert would', () => {
    const account = one('Account', 'External_Id__c', 'ACC-1');
    expect(account.record).toMatchObject({
      Name: 'Northwind Health',
      Industry: 'Healthcare',
      AnnualRevenue: 912260031,
    });
    expect(account.record.OwnerId).toMatch(/^005/);
  });

  it('resolve relationship columns to parents loaded by earlier files', () => {
    const ada = one('Contact', 'Patient_Id__c', 'PAT-1');
    expect(ada.record).toMatchObject({
      AccountId: one('Account', 'External_Id__c', 'ACC-1').id,
      Birthdate: '1815-12-10',
    });
  });

  it('load JSON arrays typed by attributes.type and object maps with nested, typed parents', () => {
    const lead = one('Lead', 'Email', 'prospect@acme.example');
    expect(lead.record.Status).toBe('Open - Not Contacted');
    const call = one('Task', 'Subject', 'Call Ada');
    expect(call.record).toMatchObject({
      WhoId: one('Contact', 'Patient_Id__c', 'PAT-1').id,
      WhatId: one('Account', 'External_Id__c', 'ACC-1').id,
    });
    expect(one('Task', 'Subject', 'Email prospect').record.WhoId).toBe(lead.id);
  });

  it('name the file, the line and the sf__Error of a row the org refuses', async () => {
    const file = scratchFile('bad.Contact.csv', 'LastName,Email\nGood,good@example.com\nBad,not-an-email\n');
    await expect(loadSeedFiles(ctx, [file])).rejects.toThrow(
      `${file}:3: INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --`,
    );
  });

  it('load nothing from a batch that holds a refused row', async () => {
    const file = scratchFile('Account.csv', 'Name,Site\nRolled back,rb-site\n,missing-name\n');
    await expect(loadSeedFiles(ctx, [file])).rejects.toThrow(/Account\.csv:3: REQUIRED_FIELD_MISSING/);
    expect(ctx.store.findIdsByField('Account', 'Site', 'rb-site')).toEqual([]);
  });

  it('name the file for an unknown column or object', async () => {
    const column = scratchFile('cols.Account.csv', 'Name,Nope__c\nA,B\n');
    await expect(loadSeedFiles(ctx, [column])).rejects.toThrow(
      `${column}: InvalidBatch : Field name not found : Nope__c`,
    );
    const object = scratchFile('Widget__c.csv', 'Name\nA\n');
    await expect(loadSeedFiles(ctx, [object])).rejects.toThrow(
      `${object}: the org has no object named Widget__c`,
    );
    const json = scratchFile('records.json', '[{"Name": "no type"}]');
    await expect(loadSeedFiles(ctx, [json])).rejects.toThrow(
      `${json}: record 1: no object name (attributes.type)`,
    );
  });

  it('keep given Ids, and update rather than duplicate when seeded again', async () => {
    const file = scratchFile('ids.Account.csv', 'Id,Name\n0018c00000SEED1,Seeded With Id\n');
    await loadSeedFiles(ctx, [file]);
    const seeded = one('Account', 'Name', 'Seeded With Id');
    expect(seeded.id.slice(0, 15)).toBe('0018c00000SEED1');
    writeFileSync(file, 'Id,Name\n0018c00000SEED1,Seeded Again\n');
    await loadSeedFiles(ctx, [file]);
    expect(ctx.store.findById(seeded.id)?.record.Name).toBe('Seeded Again');
    expect(ctx.store.findIdsByField('Account', 'Name', 'Seeded With Id')).toEqual([]);
  });

  it('refuse files that are neither CSV nor JSON', async () => {
    await expect(loadSeedFiles(ctx, [scratchFile('Account.txt', 'Name\nA\n')])).rejects.toThrow(
      /must be \.csv/,
    );
  });
});

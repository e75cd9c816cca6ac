import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../functions/shared/errors.ts';
import {
  BULK_NULL,
  bindHeader,
  groupColumns,
  groupId,
  mapRow,
} from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { type MappingPlan, planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const describeOrg = defaultOrgDescribe();

function parseError(text: string): string {
  try {
    parseMapping(text, 'm.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingError');
}

async function planError(text: string): Promise<string> {
  const error = await planMapping(parseMapping(text, 'm.yaml'), describeOrg).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MappingError);
  return (error as Error).message;
}

const plan = (text: string) => planMapping(parseMapping(text, 'm.yaml'), describeOrg);

const TASK_HEAD = 'object: Task\noperation: insert\nfields:\n';

describe('parseMapping', () => {
  it('reads the example care-tasks mapping', () => {
    const mapping = parseMapping(readFileSync('mappings/care-tasks.yaml', 'utf8'), 'care-tasks.yaml');
    expect(mapping).toMatchObject({
      object: 'Task',
      operation: 'upsert',
      externalId: 'External_Id__c',
      source: { delimiter: ',', encoding: 'utf-8', header: true },
      rejectThreshold: { kind: 'ratio', value: 0.05 },
    });
    const who = mapping.fields.find((f) => f.field === 'WhoId');
    expect(who).toMatchObject({
      source: { kind: 'column', column: 'who_ref' },
      reference: { typeColumn: 'who_type' },
    });
    expect([...(who?.reference?.typeValues ?? [])]).toEqual([
      ['patient', 'Contact'],
      ['prospect', 'Lead'],
    ]);
  });

  it('reads the shorthand, constant and required forms', () => {
    const mapping = parseMapping(
      `${TASK_HEAD}  Subject: subject\n  Status: { constant: Completed }\n  Priority: { column: prio, required: true }\n`,
      'm.yaml',
    );
    expect(mapping.fields).toMatchObject([
      {
        field: 'Subject',
        source: { kind: 'column', column: 'subject' },
        required: false,
        at: { line: 4, col: 3 },
      },
      { field: 'Status', source: { kind: 'constant', value: 'Completed' } },
      { field: 'Priority', source: { kind: 'column', column: 'prio' }, required: true },
    ]);
  });

  it('points at the line and column of an unknown key', () => {
    expect(parseError(`${TASK_HEAD}  Subject: { colum: subject }\n`)).toBe(
      'm.yaml:4:14: unknown key "colum" in field Subject (did you mean column?)',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(parseError('object: Task\noperation: [insert\nfields: {}\n')).toMatch(/^m\.yaml:\d+:\d+: /);
  });

  it('lists every problem at once, one per line', () => {
    const message = parseError(
      'object: Task\noperation: merge\nrejectThreshold: -3\nfields:\n  Subject: { constant: A, column: b }\n',
    );
    expect(message.split('\n')).toEqual([
      'm.yaml:2:12: operation "merge" is not one of insert, update, upsert, delete, hardDelete',
      'm.yaml:3:18: rejectThreshold must be a count of rows (0, 25), a ratio below 1 (0.05) or a percentage ("5%")',
      'm.yaml:5:3: Subject: a field takes its value from one of column, constant, template or join, not column and constant',
    ]);
  });

  it('requires externalId for an upsert and the key field mapped from a column', () => {
    expect(parseError('object: Task\noperation: upsert\nfields:\n  Subject: s\n')).toContain(
      'm.yaml:2:1: an upsert needs externalId',
    );
    expect(
      parseError('object: Task\noperation: upsert\nexternalId: External_Id__c\nfields:\n  Subject: s\n'),
    ).toContain('m.yaml:4:1: upsert needs External_Id__c mapped from a column');
  });

  it('requires typeColumn for a lookup with several targets', () => {
    expect(
      parseError(
        `${TASK_HEAD}  WhoId: { column: who, lookup: { Contact: Patient_Id__c, Lead: Prospect_Id__c } }\n`,
      ),
    ).toBe(
      "m.yaml:4:3: WhoId: a lookup with several targets (Contact, Lead) needs typeColumn, the column naming each row's target",
    );
  });

  it('reads rejectThreshold as a count, a ratio or a percentage', () => {
    const threshold = (value: string) =>
      parseMapping(`rejectThreshold: ${value}\n${TASK_HEAD}  Subject: s\n`, 'm.yaml').rejectThreshold;
    expect(threshold('0')).toEqual({ kind: 'count', value: 0 });
    expect(threshold('25')).toEqual({ kind: 'count', value: 25 });
    expect(threshold('0.05')).toEqual({ kind: 'ratio', value: 0.05 });
    expect(threshold('"2.5%"')).toEqual({ kind: 'ratio', value: 0.025 });
  });

  it('accepts a tab delimiter by name', () => {
    expect(
      parseMapping(`source: { delimiter: tab }\n${TASK_HEAD}  Subject: s\n`, 'm.yaml').source.delimiter,
    ).toBe('\t');
  });
});

describe('planMapping', () => {
  it('generates relationship headers: Type: prefix only on polymorphic fields', async () => {
    const tasks = await plan(readFileSync('mappings/care-tasks.yaml', 'utf8'));
    expect(groupColumns(tasks, '0.0')).toEqual([
      'External_Id__c',
      'Subject',
      'Status',
      'Priority',
      'ActivityDate',
      'Description',
      'Contact:Who.Patient_Id__c',
      'Account:What.External_Id__c',
    ]);
    expect(groupColumns(tasks, '1.0')).toContain('Lead:Who.Prospect_Id__c');
    expect(tasks.externalIdFieldName).toBe('External_Id__c');

    const contacts = await plan(
      'object: Contact\noperation: insert\nfields:\n  LastName: last\n  AccountId: { column: acct, lookup: { account: external_id__c } }\n',
    );
    expect(groupColumns(contacts, '')).toEqual(['LastName', 'Account.External_Id__c']);
  });

  it('names groups after the per-row lookup choices', async () => {
    const tasks = await plan(readFileSync('mappings/care-tasks.yaml', 'utf8'));
    expect(groupId(tasks, '0.0')).toBe('task-upsert-whoid-contact-whatid-account');
    expect(groupId(tasks, '1.0')).toBe('task-upsert-whoid-lead-whatid-account');
  });

  it('rejects unknown fields with a suggestion and read-only fields for the operation', async () => {
    const message = await planError(`${TASK_HEAD}  Subjct: s\n  IsClosed: c\n`);
    expect(message.split('\n')).toEqual([
      'm.yaml:4:3: Subjct is not a field of Task (did you mean Subject?)',
      'm.yaml:5:3: Task.IsClosed cannot be created (read-only for insert)',
    ]);
  });

  it('names the components of a compound field', async () => {
    expect(
      await planError('object: Account\noperation: insert\nfields:\n  Name: n\n  BillingAddress: a\n'),
    ).toBe(
      'm.yaml:5:3: BillingAddress is a compound field; map its components instead: BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry, BillingLatitude, BillingLongitude (or give BillingAddress an address: rule)',
    );
  });

  it('checks lookup targets against referenceTo and the match field for external id', async () => {
    const message = await planError(
      `${TASK_HEAD}  WhoId: { column: w, typeColumn: t, lookup: { Contact: LastName, Account: External_Id__c } }\n`,
    );
    expect(message.split('\n')).toEqual([
      'm.yaml:4:48: Contact.LastName is neither an External ID nor an ID lookup field; a lookup must match on one',
      'm.yaml:4:67: WhoId cannot point to Account; it points to Contact, Lead',
    ]);
  });

  it('requires the fields an insert cannot leave empty', async () => {
    expect(await planError('object: Contact\noperation: insert\nfields:\n  FirstName: f\n')).toBe(
      'm.yaml:3:1: insert into Contact needs LastName (required, no default); map it',
    );
  });

  it('reports an object the org does not have', async () => {
    expect(await planError('object: Tsk\noperation: insert\nfields:\n  Subject: s\n')).toMatch(
      /^m\.yaml:1:1: object Tsk cannot be described in this org/,
    );
  });

  it('rejects an upsert key that is not an external id field', async () => {
    expect(
      await planError('object: Task\noperation: upsert\nexternalId: Subject\nfields:\n  Subject: s\n'),
    ).toBe('m.yaml:3:1: externalId Subject is not an External ID field of Task (upsert matches on one)');
  });
});

describe('mapRow', () => {
  const HEADER = [
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
  let tasks: MappingPlan;
  const bound = async () => {
    tasks ??= await plan(readFileSync('mappings/care-tasks.yaml', 'utf8'));
    return bindHeader(tasks, HEADER, 'tasks.csv');
  };

  it('maps a patient row into the Contact group, values in header order', async () => {
    const row = ['T-1', 'Call', 'Not Started', 'High', '2025-06-10', 'note', 'patient', 'P-1', 'A-1'];
    expect(mapRow(await bound(), row, 2)).toEqual({
      ok: true,
      group: '0.0',
      values: ['T-1', 'Call', 'Not Started', 'High', '2025-06-10', 'note', 'P-1', 'A-1'],
    });
  });

  it('matches type values and object names without regard to case', async () => {
    const prospect = mapRow(await bound(), ['T-2', 'S', '', '', '', '', 'PROSPECT', 'L-1', ''], 3);
    const lead = mapRow(await bound(), ['T-3', 'S', '', '', '', '', 'lead', 'L-2', ''], 4);
    expect(prospect).toMatchObject({ ok: true, group: '1.0' });
    expect(lead).toMatchObject({ ok: true, group: '1.0' });
  });

  it('rejects a row whose who_type is neither patient nor prospect', async () => {
    expect(mapRow(await bound(), ['T-4', 'S', '', '', '', '', 'alien', 'X-1', ''], 7)).toEqual({
      ok: false,
      rejects: [
        {
          line: 7,
          column: 'who_type',
          value: 'alien',
          rule: 'lookupType',
          message:
            'who_type "alien" is not a known type for WhoId (expected one of: contact, lead, id, patient, prospect)',
        },
      ],
    });
  });

  it('rejects a blank required value and a blank external id, naming the column', async () => {
    const result = mapRow(await bound(), ['', '', '', '', '', '', 'patient', 'P-1', ''], 9);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejects.map((r) => [r.column, r.rule])).toEqual([
      ['task_id', 'required'],
      ['subject', 'required'],
    ]);
  });

  it('rejects a short or long row instead of failing the file', async () => {
    expect(mapRow(await bound(), ['T-1', 'S'], 5)).toMatchObject({
      ok: false,
      rejects: [
        { line: 5, rule: 'columnCount', message: 'the row has 2 values but the header has 9 columns' },
      ],
    });
  });

  it('leaves a blank lookup empty (no parent) without needing a type', async () => {
    expect(mapRow(await bound(), ['T-5', 'S', '', '', '', '', '', '', ''], 6)).toMatchObject({
      ok: true,
      values: ['T-5', 'S', '', '', '', '', '', ''],
    });
  });

  it('writes #N/A for a blank value whose mapping says clear', async () => {
    const clearing = await plan(
      'object: Task\noperation: update\nfields:\n  Id: id\n  Description: { column: notes, blank: clear }\n',
    );
    const result = mapRow(bindHeader(clearing, ['id', 'notes'], 'f.csv'), ['00T000000000001EAA', ' '], 2);
    expect(result).toEqual({ ok: true, group: '', values: ['00T000000000001EAA', BULK_NULL] });
  });

  it('names every missing column with the file and line 1', async () => {
    tasks ??= await plan(readFileSync('mappings/care-tasks.yaml', 'utf8'));
    expect(() =>
      bindHeader(
        tasks,
        HEADER.filter((h) => h !== 'who_type' && h !== 'notes'),
        's3://b/tasks.csv',
      ),
    ).toThrow(
      's3://b/tasks.csv:1: the header has no column "notes" (Description), "who_type" (WhoId\'s type), which mapping m.yaml reads',
    );
  });
});

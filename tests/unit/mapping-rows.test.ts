/**
 * Rows through a planned mapping: how each reference row chooses its target (type column, value map,
 * raw Id key prefix, the filled column, a default type), the reasons a row is rejected, value rules and
 * mapping-wide defaults reaching the cells, templates, joins and compound inputs.
 */
import { describe, expect, it } from 'vitest';
import { InvalidFileError, MappingError } from '../../functions/shared/errors.ts';
import {
  BULK_NULL,
  bindHeader,
  groupColumns,
  type MappedRow,
  mapRow,
} from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { toId18 } from '../../functions/shared/mapping/values/index.ts';
import { defaultOrgDescribe, defaultOrgDescribeGlobal } from '../fixtures/pipeline/default-org-describe.ts';

const org = defaultOrgDescribe();
const describeGlobal = defaultOrgDescribeGlobal();
const CONTACT_ID = '003000000000901AAA';
const LEAD_ID = '00Q000000000901EAA';
const ACCOUNT_ID = '001000000000901AAA';

/** Plans `fields` on `object` and maps `rows` (objects of column → value) from line 2 on. */
async function mapRows(
  object: string,
  fields: string,
  rows: Record<string, string>[],
  extra = '',
): Promise<{ results: MappedRow[]; header: (signature: string) => string[] }> {
  const plan = await planMapping(
    parseMapping(`object: ${object}\noperation: insert\n${extra}fields:\n${fields}`, 'm.yaml'),
    org,
    { describeGlobal },
  );
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const bound = bindHeader(plan, columns, 'f.csv');
  return {
    results: rows.map((row, i) =>
      mapRow(
        bound,
        columns.map((c) => row[c] ?? ''),
        i + 2,
      ),
    ),
    header: (signature) => groupColumns(plan, signature),
  };
}

/** The one row's result. */
async function mapOne(object: string, fields: string, row: Record<string, string>, extra = '') {
  const { results } = await mapRows(object, fields, [row], extra);
  return results[0] as MappedRow;
}

const WHO = `  Subject: s
  WhoId:
    column: who
    typeColumn: who_type
    typeValues: { patient: Contact, prospect: Lead, sf: Id }
    lookup: { Contact: Patient_Id__c, Lead: Prospect_Id__c }
    id: true
`;

describe('choosing the target of a polymorphic field', () => {
  it('takes the type column through typeValues or object names, ignoring case', async () => {
    const { results, header } = await mapRows('Task', WHO, [
      { s: 'a', who_type: 'Patient', who: 'P-1' },
      { s: 'b', who_type: 'LEAD', who: 'L-1' },
      { s: 'c', who_type: 'sf', who: CONTACT_ID },
    ]);
    expect(results).toEqual([
      { ok: true, group: '0', values: ['a', 'P-1'] },
      { ok: true, group: '1', values: ['b', 'L-1'] },
      { ok: true, group: '2', values: ['c', CONTACT_ID] },
    ]);
    expect([header('0'), header('1'), header('2')]).toEqual([
      ['Subject', 'Contact:Who.Patient_Id__c'],
      ['Subject', 'Lead:Who.Prospect_Id__c'],
      ['Subject', 'WhoId'],
    ]);
  });

  it('reads the type of a raw Id from its key prefix when the type cell is blank', async () => {
    const { results } = await mapRows('Task', WHO, [
      { s: 'a', who_type: '', who: CONTACT_ID },
      { s: 'b', who_type: '', who: LEAD_ID },
    ]);
    expect(results.map((r) => r.ok && r.group)).toEqual(['2', '2']);
  });

  it.each([
    [
      'a type that is neither an alias nor a target',
      { s: 'a', who_type: 'alien', who: 'X' },
      {
        column: 'who_type',
        value: 'alien',
        rule: 'lookupType',
        message:
          'who_type "alien" is not a known type for WhoId (expected one of: contact, lead, id, patient, prospect, sf)',
      },
    ],
    [
      'a blank type with a value that is not an Id',
      { s: 'a', who_type: '', who: 'P-1' },
      {
        column: 'who_type',
        value: '',
        rule: 'lookupType',
        message:
          'who_type is blank; WhoId needs it to choose the parent type (contact, lead, id, patient, prospect, sf)',
      },
    ],
    [
      'an Id of an object the field cannot point to',
      { s: 'a', who_type: '', who: ACCOUNT_ID },
      {
        column: 'who',
        value: ACCOUNT_ID,
        rule: 'idPrefix',
        message: 'WhoId: the Id belongs to Account; WhoId takes Contact or Lead Ids',
      },
    ],
    [
      'an Id whose checksum is wrong',
      { s: 'a', who_type: 'sf', who: '003000000000901AAB' },
      {
        column: 'who',
        value: '003000000000901AAB',
        rule: 'type.id',
        message:
          'WhoId: the last 3 characters do not match the case of the first 15 (a mistyped Id or one whose case was changed)',
      },
    ],
    [
      'an Id of the wrong length',
      { s: 'a', who_type: 'sf', who: '003000000000' },
      {
        column: 'who',
        value: '003000000000',
        rule: 'type.id',
        message: 'WhoId: an Id has 15 or 18 characters, not 12',
      },
    ],
  ])('rejects %s', async (_what, row, reject) => {
    expect(await mapOne('Task', WHO, row)).toEqual({ ok: false, rejects: [{ line: 2, ...reject }] });
  });

  it('names a type the field can take in this org but the mapping does not load', async () => {
    const what =
      '  Subject: s\n  WhatId: { column: w, typeColumn: t, lookup: { Account: External_Id__c, Case: External_Id__c } }\n';
    expect(await mapOne('Task', what, { s: 'a', t: 'opportunity', w: 'O-1' })).toEqual({
      ok: false,
      rejects: [
        {
          line: 2,
          column: 't',
          value: 'opportunity',
          rule: 'lookupTarget',
          message:
            't "opportunity": WhatId can point to Opportunity in this org, but the mapping has no lookup for it (Account, Case)',
        },
      ],
    });
  });

  it('loads a raw Id for a type that has no lookup when the Id is of that type', async () => {
    const fields =
      '  Subject: s\n  WhoId: { column: w, typeColumn: t, lookup: { Contact: Patient_Id__c }, id: true }\n';
    const { results } = await mapRows('Task', fields, [
      { s: 'a', t: 'Lead', w: LEAD_ID },
      { s: 'b', t: 'Lead', w: 'L-1' },
    ]);
    expect(results[0]).toEqual({ ok: true, group: '1', values: ['a', LEAD_ID] });
    expect(results[1]).toEqual({
      ok: false,
      rejects: [
        {
          line: 3,
          column: 'w',
          value: 'L-1',
          rule: 'lookupTarget',
          message: 't "Lead": WhoId loads Lead only by raw Id, and w holds no Lead Id',
        },
      ],
    });
  });

  it('chooses by which target column is filled when each target has its own', async () => {
    const fields =
      '  Subject: s\n  WhoId: { lookup: { Contact: { field: Patient_Id__c, column: patient }, Lead: { field: Prospect_Id__c, column: prospect } } }\n';
    const { results } = await mapRows('Task', fields, [
      { s: 'a', patient: 'P-1', prospect: '' },
      { s: 'b', patient: '', prospect: 'L-1' },
      { s: 'c', patient: 'P-2', prospect: 'L-2' },
      { s: 'd', patient: '', prospect: '' },
    ]);
    expect(results.slice(0, 2)).toEqual([
      { ok: true, group: '0', values: ['a', 'P-1'] },
      { ok: true, group: '1', values: ['b', 'L-1'] },
    ]);
    expect(results[2]).toEqual({
      ok: false,
      rejects: [
        {
          line: 4,
          column: 'patient+prospect',
          value: '',
          rule: 'lookupTarget',
          message: 'WhoId: more than one of patient, prospect is filled; fill one',
        },
      ],
    });
    expect(results[3]).toEqual({ ok: true, group: '0', values: ['d', ''] });
  });

  it('takes defaultType for a blank type cell, and for a file without the type column', async () => {
    const fields =
      '  Subject: s\n  WhatId: { column: w, typeColumn: t, defaultType: Account, lookup: { Account: External_Id__c, Case: External_Id__c } }\n';
    const { results } = await mapRows('Task', fields, [
      { s: 'a', t: '', w: 'ACC-1' },
      { s: 'b', t: 'case', w: 'C-1' },
    ]);
    expect(results.map((r) => r.ok && r.group)).toEqual(['0', '1']);
    const withoutTypeColumn = await mapOne('Task', fields, { s: 'c', w: 'ACC-2' });
    expect(withoutTypeColumn).toEqual({ ok: true, group: '0', values: ['c', 'ACC-2'] });
  });

  it('leaves a blank reference empty, or #N/A with blank: clear, and rejects it when required', async () => {
    const fields = (rule: string) =>
      `  Subject: s\n  WhoId: { column: w, lookup: { Contact: Patient_Id__c }, ${rule} }\n`;
    expect(await mapOne('Task', fields('blank: keep'), { s: 'a', w: ' ' })).toEqual({
      ok: true,
      group: '',
      values: ['a', ''],
    });
    expect(await mapOne('Task', fields('blank: clear'), { s: 'a', w: '' })).toEqual({
      ok: true,
      group: '',
      values: ['a', BULK_NULL],
    });
    expect(await mapOne('Task', fields('required: true'), { s: 'a', w: '' })).toEqual({
      ok: false,
      rejects: [
        {
          line: 2,
          column: 'w',
          value: '',
          rule: 'required',
          message: 'WhoId is required but column w is blank',
        },
      ],
    });
  });

  it('applies text rules to lookup values before they are matched', async () => {
    const fields =
      '  Subject: s\n  AccountId: { column: a, case: upper, valueMap: { legacy-1: ACC-1 }, lookup: { Account: External_Id__c } }\n';
    const { results } = await mapRows('Contact', fields.replace('Subject', 'LastName'), [
      { s: 'x', a: ' acc-2 ' },
      { s: 'y', a: 'legacy-1' },
    ]);
    expect(results.map((r) => r.ok && r.values[1])).toEqual(['ACC-2', 'ACC-1']);
  });
});

describe('value rules in rows', () => {
  it.each([
    ['trim: none keeps spaces', '{ column: v, trim: none }', '  x ', '  x '],
    ['case: title', '{ column: v, case: title }', "mary-ann o'brien", "Mary-Ann O'Brien"],
    ['valueMap', '{ column: v, valueMap: { a: Alpha } }', 'A', 'Alpha'],
    ['default for a blank value', '{ column: v, default: none given }', ' ', 'none given'],
    ['blank: clear', '{ column: v, blank: clear }', '', BULK_NULL],
    ['a source #N/A clears', '{ column: v }', '#N/A', BULK_NULL],
    ['allowedValues in their spelling', '{ column: v, allowedValues: [Red, Blue] }', 'blue', 'Blue'],
  ])('%s', async (_what, rule, value, expected) => {
    expect(await mapOne('Task', `  Subject: s\n  Description: ${rule}\n`, { s: 's', v: value })).toEqual({
      ok: true,
      group: '',
      values: ['s', expected],
    });
  });

  it.each([
    ['maxLength', '{ column: v, maxLength: 3 }', 'abcd', 'maxLength'],
    ['pattern', '{ column: v, pattern: "^[A-Z]+$" }', 'abc', 'pattern'],
    ['allowedValues', '{ column: v, allowedValues: [Red] }', 'Green', 'allowedValues'],
    [
      'valueMap otherwise reject',
      '{ column: v, valueMap: { values: { a: A }, otherwise: reject } }',
      'b',
      'valueMap',
    ],
    ['required', '{ column: v, required: true }', '', 'required'],
  ])('rejects by %s', async (_what, rule, value, expected) => {
    const result = await mapOne('Task', `  Subject: s\n  Description: ${rule}\n`, { s: 's', v: value });
    expect(result).toMatchObject({ ok: false, rejects: [{ line: 2, column: 'v', value, rule: expected }] });
  });

  it('rejects a value outside a restricted picklist, in the restricted picklist rule', async () => {
    const fields =
      '  Name: n\n  Patient__c: { column: p, lookup: { Contact: Patient_Id__c } }\n  Status__c: st\n';
    const { results } = await mapRows('Care_Plan__c', fields, [
      { n: 'a', p: 'P-1', st: 'active' },
      { n: 'b', p: 'P-1', st: 'Paused' },
    ]);
    expect(results[0]).toMatchObject({ ok: true, values: ['a', 'P-1', 'Active'] });
    expect(results[1]).toMatchObject({ ok: false, rejects: [{ column: 'st', rule: 'restrictedPicklist' }] });
  });

  it('converts numbers, booleans and dates by the mapping-wide defaults, a field overriding them', async () => {
    const extra =
      'defaults:\n  decimal: ","\n  grouping: "."\n  dateFormat: dd/MM/yyyy\n  booleans: { true: [ja], false: [nee] }\n';
    const fields =
      '  Name: n\n  Visits_Per_Week__c: visits\n  Start_Date__c: start\n  End_Date__c: { column: end, format: yyyy-MM-dd }\n  Patient__c: { column: p, lookup: { Contact: Patient_Id__c } }\n';
    expect(
      await mapOne(
        'Care_Plan__c',
        fields,
        { n: 'x', visits: '2,5', start: '31/12/2025', end: '2026-01-31', p: 'P-1' },
        extra,
      ),
    ).toMatchObject({ ok: true, values: ['x', '2.5', '2025-12-31', '2026-01-31', 'P-1'] });
    expect(
      await mapOne('Account', '  Name: n\n  AnnualRevenue: r\n', { n: 'x', r: '1.250.000' }, extra),
    ).toMatchObject({ ok: true, values: ['x', '1250000'] });
    expect(
      await mapOne('Contact', '  LastName: l\n  DoNotCall: dnc\n', { l: 'x', dnc: 'JA' }, extra),
    ).toMatchObject({ ok: true, values: ['x', 'true'] });
  });

  it('turns a local datetime into UTC in the declared zone, across DST changes', async () => {
    const rows = [
      ['Europe/London', '2025-01-15 09:30', '2025-01-15T09:30:00.000Z'],
      ['Europe/London', '2025-07-15 09:30', '2025-07-15T08:30:00.000Z'],
      ['America/New_York', '2025-03-09 01:59', '2025-03-09T06:59:00.000Z'],
      ['America/New_York', '2025-03-09 03:00', '2025-03-09T07:00:00.000Z'],
      ['America/New_York', '2025-11-02 01:30', '2025-11-02T05:30:00.000Z'],
      ['Australia/Sydney', '2025-04-06 02:30', '2025-04-05T15:30:00.000Z'],
      ['Australia/Sydney', '2025-10-05 12:00', '2025-10-05T01:00:00.000Z'],
    ];
    for (const [zone, local, utc] of rows) {
      const fields = `  Subject: s\n  ReminderDateTime: { column: at, format: "yyyy-MM-dd HH:mm", timeZone: ${zone} }\n`;
      expect(await mapOne('Task', fields, { s: 'x', at: local as string }), `${zone} ${local}`).toMatchObject(
        {
          ok: true,
          values: ['x', utc],
        },
      );
    }
  });

  it('rejects a local time that does not exist when clocks go forward, unless told to shift it', async () => {
    const fields = (extra: string) =>
      `  Subject: s\n  ReminderDateTime: { column: at, format: "yyyy-MM-dd HH:mm", timeZone: Europe/London${extra} }\n`;
    expect(await mapOne('Task', fields(''), { s: 'x', at: '2025-03-30 01:30' })).toMatchObject({
      ok: false,
      rejects: [{ column: 'at', rule: 'timeZoneGap' }],
    });
    expect(
      await mapOne('Task', fields(', nonexistentTime: shiftForward'), { s: 'x', at: '2025-03-30 01:30' }),
    ).toMatchObject({ ok: true, values: ['x', '2025-03-30T01:30:00.000Z'] });
  });

  it('keeps a date on its calendar day whatever the zone', async () => {
    const fields =
      '  Subject: s\n  ActivityDate: { column: d, format: "dd/MM/yyyy", timeZone: Pacific/Kiritimati }\n';
    expect(await mapOne('Task', fields, { s: 'x', d: '01/03/2024' })).toMatchObject({
      values: ['x', '2024-03-01'],
    });
  });
});

describe('templates, joins and compound inputs', () => {
  it('fills a template, and leaves it blank when all its columns are blank', async () => {
    const fields = '  Subject: { template: "Call {first} {last}", required: true }\n';
    const { results } = await mapRows('Task', fields, [
      { first: 'Ada', last: 'Lovelace' },
      { first: '', last: '' },
    ]);
    expect(results[0]).toEqual({ ok: true, group: '', values: ['Call Ada Lovelace'] });
    expect(results[1]).toEqual({
      ok: false,
      rejects: [
        {
          line: 3,
          column: 'first+last',
          value: '',
          rule: 'required',
          message: 'Subject is required but column first + last is blank',
        },
      ],
    });
  });

  it('joins the non-blank columns with the separator', async () => {
    const fields = '  Subject: s\n  Description: { join: { columns: [a, b, c], separator: " | " } }\n';
    expect(await mapOne('Task', fields, { s: 'x', a: 'one', b: ' ', c: 'three' })).toMatchObject({
      values: ['x', 'one | three'],
    });
  });

  it('splits a full name and a free-text address into their components', async () => {
    const fields =
      '  Name: { name: { column: n, format: "Last, First" } }\n  MailingAddress: { address: { text: a } }\n';
    const { results, header } = await mapRows('Contact', fields, [
      { n: 'Lovelace, Ada', a: '12 Park Row, Leeds LS1 5HD, United Kingdom' },
    ]);
    expect(header('')).toEqual([
      'Salutation',
      'FirstName',
      'MiddleName',
      'LastName',
      'Suffix',
      'MailingStreet',
      'MailingCity',
      'MailingState',
      'MailingPostalCode',
      'MailingCountry',
    ]);
    expect(results[0]).toEqual({
      ok: true,
      group: '',
      values: ['', 'Ada', '', 'Lovelace', '', '12 Park Row', 'Leeds', '', 'LS1 5HD', 'United Kingdom'],
    });
  });

  it('writes a geolocation from one "lat,lon" column and rejects one out of range', async () => {
    const fields = '  Name: n\n  Location__c: { geolocation: { column: at } }\n';
    const { results, header } = await mapRows('Facility__c', fields, [
      { n: 'a', at: '53.80183, -1.55192' },
      { n: 'b', at: '91,0' },
    ]);
    expect(header('')).toEqual(['Name', 'Location__Latitude__s', 'Location__Longitude__s']);
    expect(results[0]).toEqual({ ok: true, group: '', values: ['a', '53.80183', '-1.55192'] });
    expect(results[1]).toMatchObject({ ok: false, rejects: [{ line: 3, column: 'at', rule: 'geo.range' }] });
  });

  it('writes #N/A into the components of a blank compound input with blank: clear', async () => {
    const fields = '  LastName: l\n  MailingAddress: { address: { text: a }, blank: clear }\n';
    expect(await mapOne('Contact', fields, { l: 'x', a: '' })).toEqual({
      ok: true,
      group: '',
      values: ['x', BULK_NULL, BULK_NULL, BULK_NULL, BULK_NULL, BULK_NULL],
    });
  });

  it('names every column the header lacks, those of templates and compounds included', async () => {
    const plan = await planMapping(
      parseMapping(
        'object: Contact\noperation: insert\nfields:\n  Name: { name: { column: full, format: First Last } }\n  Description: { template: "{a} {b}" }\n',
        'm.yaml',
      ),
      org,
    );
    expect(() => bindHeader(plan, ['a'], 's3://b/f.csv')).toThrow(
      new InvalidFileError(
        's3://b/f.csv:1: the header has no column "b" (Description), "full" (Name (name)), which mapping m.yaml reads',
      ),
    );
  });
});

describe('a mapping-wide blank: clear', () => {
  const TASK_ID = '00T000000000001EAA';
  const update = (fields: string) =>
    planMapping(
      parseMapping(
        `object: Task\noperation: update\ndefaults:\n  blank: clear\nfields:\n${fields}`,
        'm.yaml',
      ),
      org,
    );

  it('clears the fields that can be empty and keeps the Id, checkboxes and required fields as blank cells', async () => {
    const plan = await update(
      '  Id: id\n  Description: notes\n  ActivityDate: due\n  IsReminderSet: reminder\n  Status: status\n',
    );
    const columns = ['id', 'notes', 'due', 'reminder', 'status'];
    const row = mapRow(bindHeader(plan, columns, 'f.csv'), [TASK_ID, '', '', '', ''], 2);
    expect(row).toEqual({ ok: true, group: '', values: [TASK_ID, BULK_NULL, BULK_NULL, '', ''] });
  });

  it('still refuses blank: clear written on a field that cannot be empty', async () => {
    const error = await update('  Id: id\n  IsReminderSet: { column: reminder, blank: clear }\n').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MappingError);
    expect((error as Error).message).toBe(
      'm.yaml:7:3: IsReminderSet cannot be cleared: Salesforce does not allow it to be empty',
    );
  });

  it('writes #N/A into the components of a blank compound input', async () => {
    const fields = '  LastName: l\n  MailingAddress: { address: { text: a } }\n';
    const cleared = await mapOne('Contact', fields, { l: 'x', a: '' }, 'defaults:\n  blank: clear\n');
    expect(cleared).toEqual({
      ok: true,
      group: '',
      values: ['x', BULK_NULL, BULK_NULL, BULK_NULL, BULK_NULL, BULK_NULL],
    });
  });
});

describe('#N/A where a field must keep a value', () => {
  it.each([
    [
      'a required field',
      '  Subject: { column: s, required: true }\n',
      { s: ' #N/A ' },
      {
        column: 's',
        value: ' #N/A ',
        rule: 'required',
        message: 'Subject is required; #N/A in column s would clear it',
      },
    ],
    [
      'a checkbox, which Salesforce does not let be empty',
      '  Subject: s\n  IsReminderSet: r\n',
      { s: 'a', r: '#N/A' },
      {
        column: 'r',
        value: '#N/A',
        rule: 'required',
        message: 'IsReminderSet cannot be empty in Salesforce; #N/A in column r would clear it',
      },
    ],
    [
      'a required lookup',
      '  Subject: s\n  WhoId: { column: w, lookup: { Contact: Patient_Id__c }, required: true }\n',
      { s: 'a', w: '#N/A' },
      {
        column: 'w',
        value: '#N/A',
        rule: 'required',
        message: 'WhoId is required; #N/A in column w would clear it',
      },
    ],
    [
      'a required template',
      '  Subject: { template: "{first}{last}", required: true }\n',
      { first: '#N/A', last: '' },
      {
        column: 'first+last',
        value: '#N/A',
        rule: 'required',
        message: 'Subject is required; #N/A in column first + last would clear it',
      },
    ],
  ])(
    'says that #N/A in %s would clear it, not that the column is blank',
    async (_what, fields, row, reject) => {
      expect(await mapOne('Task', fields, row)).toEqual({
        ok: false,
        rejects: [{ line: 2, ...reject }],
      });
    },
  );

  it('keeps the value map in the message when the map, not the cell, gives #N/A or blank', async () => {
    const fields = '  Subject: { column: s, required: true, valueMap: { gone: "#N/A", none: "" } }\n';
    const { results } = await mapRows('Task', fields, [{ s: 'gone' }, { s: 'none' }]);
    expect(results.map((r) => !r.ok && r.rejects[0]?.message)).toEqual([
      "Subject is required; the value map's #N/A would clear it",
      'Subject is required but the value map makes the value blank',
    ]);
  });
});

describe('raw Ids of objects the mapping does not describe', () => {
  const TASK_ID = '00T000000000001EAA';
  /** An 18-character Id with a valid checksum whose key prefix no object of the org has. */
  const NO_OBJECT_ID = toId18('0ZZ000000000901');

  async function rejectOf(
    text: string,
    row: Record<string, string>,
    options: { describeGlobal?: typeof describeGlobal } = { describeGlobal },
  ) {
    const plan = await planMapping(parseMapping(text, 'm.yaml'), org, options);
    const columns = Object.keys(row);
    const result = mapRow(bindHeader(plan, columns, 'f.csv'), Object.values(row), 2);
    return result.ok ? undefined : result.rejects.map((r) => `${r.rule}: ${r.message}`);
  }
  const deleteTasks = 'object: Task\noperation: delete\nfields:\n  Id: id\n';
  const whoIds = 'object: Task\noperation: insert\nfields:\n  Subject: s\n  WhoId: { column: w, id: true }\n';

  it("names the object of a Contact Id in Task's own Id", async () => {
    expect(await rejectOf(deleteTasks, { id: CONTACT_ID })).toEqual([
      'idPrefix: Id: the Id belongs to Contact; Id takes Task Ids',
    ]);
    expect(await rejectOf(deleteTasks, { id: TASK_ID })).toBeUndefined();
  });

  it('names Account for an Account Id in WhoId when the mapping never touches Account', async () => {
    expect(await rejectOf(whoIds, { s: 'a', w: ACCOUNT_ID })).toEqual([
      'idPrefix: WhoId: the Id belongs to Account; WhoId takes Contact or Lead Ids',
    ]);
  });

  it('says a key prefix is no object of the org only when the global describe does not list it', async () => {
    expect(await rejectOf(whoIds, { s: 'a', w: NO_OBJECT_ID })).toEqual([
      'idPrefix: WhoId: key prefix 0ZZ is not an object of this org; WhoId takes Contact or Lead Ids',
    ]);
    expect(await rejectOf(deleteTasks, { id: NO_OBJECT_ID })).toEqual([
      'idPrefix: Id: key prefix 0ZZ is not an object of this org; Id takes Task Ids',
    ]);
  });

  it('lists the accepted key prefixes when the port has no global describe', async () => {
    expect(await rejectOf(whoIds, { s: 'a', w: ACCOUNT_ID }, {})).toEqual([
      'idPrefix: WhoId: key prefix 001 is none of Contact (003), Lead (00Q); WhoId takes Contact or Lead Ids',
    ]);
  });

  it('asks for the global describe once, and only when the mapping takes raw Ids', async () => {
    let calls = 0;
    const counted = async () => {
      calls++;
      return describeGlobal();
    };
    await planMapping(parseMapping(whoIds, 'm.yaml'), org, { describeGlobal: counted });
    expect(calls).toBe(1);
    const lookupsOnly =
      'object: Task\noperation: insert\nfields:\n  Subject: s\n  WhoId: { column: w, lookup: { Contact: Patient_Id__c } }\n';
    await planMapping(parseMapping(lookupsOnly, 'm.yaml'), org, { describeGlobal: counted });
    expect(calls).toBe(1);
  });
});

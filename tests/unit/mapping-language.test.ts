/**
 * The mapping language as YAML: every key is read into the mapping, and every mistake is reported with
 * the line and column it is at (all of them at once). Checks that need the org are in
 * mapping-preflight.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../functions/shared/errors.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';

const HEAD = 'object: Task\noperation: insert\nfields:\n';

function parseError(text: string): string {
  try {
    parseMapping(text, 'm.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingError');
}

/**
 * `m.yaml:<line>:<col>` of the `nth` occurrence of `token` in `text` (the line's text), so that the
 * expected places read as what they point at.
 */
function at(line: number, text: string, token: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) index = text.indexOf(token, index + 1);
  if (index < 0) throw new Error(`"${token}" is not in "${text}"`);
  return `m.yaml:${line}:${index + 1}`;
}

/** The problem of a mapping with one field, given as the YAML after `Subject:`. */
const fieldError = (yaml: string) => parseError(`${HEAD}  Subject: ${yaml}\n`);
const field = (yaml: string) => parseMapping(`${HEAD}  WhoId: ${yaml}\n`, 'm.yaml').fields[0];

describe('top-level keys', () => {
  it('reads object, operation, externalId, source, rejectThreshold, defaults and fields', () => {
    const mapping = parseMapping(
      [
        'object: Contact',
        'operation: upsert',
        'externalId: Patient_Id__c',
        'source: { delimiter: semicolon, encoding: UTF-8, header: true }',
        'rejectThreshold: 2%',
        'defaults:',
        '  blank: clear',
        '  trim: none',
        '  dateFormat: dd/MM/yyyy',
        '  datetimeFormat: [iso, "dd/MM/yyyy HH:mm"]',
        '  timeZone: Europe/London',
        '  decimal: ","',
        '  grouping: "."',
        '  booleans: { true: [oui], false: [non] }',
        'fields:',
        '  Patient_Id__c: id',
      ].join('\n'),
      'm.yaml',
    );
    expect(mapping).toMatchObject({
      object: 'Contact',
      operation: 'upsert',
      externalId: 'Patient_Id__c',
      source: { delimiter: ';', encoding: 'utf-8', header: true },
      rejectThreshold: { kind: 'ratio', value: 0.02 },
      defaults: { blank: 'clear' },
    });
    expect(Object.fromEntries(Object.entries(mapping.defaults.rules).map(([k, s]) => [k, s.value]))).toEqual({
      blank: 'clear',
      trim: 'none',
      dateFormat: 'dd/MM/yyyy',
      datetimeFormat: ['iso', 'dd/MM/yyyy HH:mm'],
      timeZone: 'Europe/London',
      decimal: ',',
      grouping: '.',
      booleans: { true: ['oui'], false: ['non'] },
    });
  });

  it.each([
    [
      'object: Task\noperation: insert\n',
      ['m.yaml:1:1: fields is missing (which columns load which fields)'],
    ],
    [
      'operation: insert\nfields: { Subject: s }\n',
      ['m.yaml:1:1: object is missing (the Salesforce object to load, e.g. Task)'],
    ],
    [
      'object: Task\nfields: { Subject: s }\n',
      ['m.yaml:1:1: operation is missing (one of insert, update, upsert, delete, hardDelete)'],
    ],
    [
      'object: Task\noperation: insret\nfields: { Subject: s }\n',
      [
        'm.yaml:2:12: operation "insret" is not one of insert, update, upsert, delete, hardDelete (did you mean insert?)',
      ],
    ],
    [
      'object: Tas k\noperation: insert\nfields: { Subject: s }\n',
      ['m.yaml:1:9: object "Tas k" is not a Salesforce API name'],
    ],
    [
      'object: Task\noperation: insert\nobjet: Task\nfields: { Subject: s }\n',
      ['m.yaml:3:1: unknown key "objet" in the mapping (did you mean object?)'],
    ],
    [
      'object: Task\noperation: insert\nflavour: mint\nfields: { Subject: s }\n',
      [
        'm.yaml:3:1: unknown key "flavour" in the mapping (expected one of: object, operation, externalId, source, rejectThreshold, defaults, fields)',
      ],
    ],
    [
      'object: Task\nobject: Event\noperation: insert\nfields: { Subject: s }\n',
      ['m.yaml:2:1: "object" is given twice in the mapping'],
    ],
    ['object: Task\noperation: insert\nfields: {}\n', ['m.yaml:3:1: fields must map at least one field']],
    [
      'object: Task\noperation: insert\nfields: [Subject]\n',
      ['m.yaml:3:9: fields must be a mapping of keys to values'],
    ],
    ['- a list\n', ['m.yaml:1:1: the mapping must be a mapping of keys to values']],
    [
      'object: Task\noperation: insert\nexternalId: External_Id__c\nfields: { Subject: s }\n',
      ['m.yaml:3:1: externalId only applies to upsert, not insert'],
    ],
    [
      'object: Task\noperation: update\nfields: { Subject: s }\n',
      ['m.yaml:3:1: update needs Id mapped from a column: it identifies each record'],
    ],
    [
      'object: Task\noperation: update\nfields: { Id: { constant: 00T000000000001EAA } }\n',
      ['m.yaml:3:11: Id identifies each record of the update: map it from a column'],
    ],
    [
      'object: Task\noperation: delete\nfields: { Id: id, Subject: s }\n',
      ['m.yaml:3:1: delete takes only Id; remove the other fields'],
    ],
  ])('reports %j', (yaml, problems) => {
    expect(parseError(yaml).split('\n')).toEqual(problems);
  });

  it('names a field mapped twice with the line of the first', () => {
    expect(parseError(`${HEAD}  Subject: a\n  subject: b\n`)).toBe(
      'm.yaml:5:3: field subject is mapped twice (first at line 4)',
    );
  });

  it.each([
    [
      'source: { delimiter: "#" }',
      'm.yaml:1:22: delimiter must be one of: comma, semicolon, tab, pipe, caret, backquote (or the character itself)',
    ],
    [
      'source: { encoding: latin1 }',
      'm.yaml:1:21: encoding "latin1" is not supported: Bulk API 2.0 takes UTF-8 (convert the file first)',
    ],
    [
      'source: { header: false }',
      'm.yaml:1:19: header must be true: files need a header row naming their columns',
    ],
    [
      'source: { quote: "\'" }',
      'm.yaml:1:11: unknown key "quote" in source (expected one of: delimiter, encoding, header)',
    ],
    ['defaults: { blank: wipe }', 'm.yaml:1:13: blank must be one of: keep, clear'],
    [
      'defaults: { timeZone: Mars/Olympus }',
      'm.yaml:1:13: "Mars/Olympus" is not an IANA time zone (like Europe/London, America/New_York, UTC)',
    ],
    [
      'defaults: { datFormat: dd/MM/yyyy }',
      'm.yaml:1:13: unknown key "datFormat" in defaults (did you mean dateFormat?)',
    ],
    [
      'defaults: { maxLength: 3 }',
      'm.yaml:1:13: unknown key "maxLength" in defaults (expected one of: trim, blank, timeZone, ambiguousTime, nonexistentTime, decimal, grouping, decimals, rounding, booleans, defaultCountryCode, dateFormat, datetimeFormat, timeFormat)',
    ],
    ['defaults: { booleans: { true: [y], false: [y] } }', 'm.yaml:1:13: "y" cannot mean both true and false'],
  ])('checks %s', (line, problem) => {
    expect(parseError(`${line}\n${HEAD}  Subject: s\n`)).toBe(problem);
  });
});

describe('field sources', () => {
  it('reads a column, a constant, a template and a join', () => {
    const mapping = parseMapping(
      `${HEAD}  Subject: { template: "Call {first} {last}" }\n  Description: { join: { columns: [a, b], separator: " / " } }\n  Status: { constant: Completed }\n  Priority: prio\n`,
      'm.yaml',
    );
    expect(mapping.fields.map((f) => f.source)).toEqual([
      { kind: 'template', template: 'Call {first} {last}', columns: ['first', 'last'] },
      { kind: 'join', columns: ['a', 'b'], separator: ' / ' },
      { kind: 'constant', value: 'Completed' },
      { kind: 'column', column: 'prio' },
    ]);
  });

  it('joins with a space unless told otherwise', () => {
    const mapping = parseMapping(`${HEAD}  Description: { join: [a, b] }\n`, 'm.yaml');
    expect(mapping.fields[0]?.source).toEqual({ kind: 'join', columns: ['a', 'b'], separator: ' ' });
  });

  it.each([
    [
      '{ column: s, constant: c }',
      null,
      'Subject: a field takes its value from one of column, constant, template or join, not column and constant',
    ],
    [
      '{ template: "{a}", join: [b] }',
      null,
      'Subject: a field takes its value from one of column, constant, template or join, not template and join',
    ],
    [
      '{ required: true }',
      null,
      'Subject: say where its value comes from (column, constant, template, join, lookup or id)',
    ],
    ['{ column: "" }', '""', 'column must be a non-empty value'],
    ['{ colum: s }', 'colum', 'unknown key "colum" in field Subject (did you mean column?)'],
    ['{ column: s, column: t }', 'column', '"column" is given twice in field Subject', 2],
    [
      '{ template: "Dr {last" }',
      '"Dr',
      'template: "{" at character 4 is never closed (write {{ for a literal brace)',
    ],
    [
      '{ template: "no columns" }',
      '"no',
      'template: the template names no column; use constant for fixed text',
    ],
    ['{ join: [] }', '[]', 'join must be a value or a list of values'],
    ['{ join: [a, [b]] }', '[b]', 'each of join must be a non-empty value'],
    ['{ ? [x]: y }', '[x]', 'field Subject keys must be plain names'],
    ['{ join: { separator: "," } }', 'join', 'join needs columns, the columns it joins'],
    ['{ join: { columns: [a], separator: 3 } }', '3', 'separator must be text (quote it: ", ")'],
    [
      '{ join: { columns: [a], glue: "," } }',
      'glue',
      'unknown key "glue" in join (expected one of: columns, separator)',
    ],
    ['{ column: s, required: yes }', 'yes', 'required must be true or false'],
    [
      '{ column: s, blank: nothing }',
      'nothing',
      'blank must be keep (an empty cell leaves the field unchanged) or clear (sets it to null with #N/A)',
    ],
    ['[a, b]', '[', "Subject's mapping must be a mapping of keys to values"],
    [
      '{ column: s, typeColumn: t }',
      null,
      'Subject: typeColumn, typeValues and defaultType only apply to a lookup or id',
    ],
  ] as [string, string | null, string, number?][])('refuses %s', (yaml, token, problem, nth) => {
    const line = `  Subject: ${yaml}`;
    expect(fieldError(yaml)).toBe(`${token === null ? 'm.yaml:4:3' : at(4, line, token, nth)}: ${problem}`);
  });
});

describe('value rules', () => {
  it('keeps every value-rule key with its value and line', () => {
    const mapping = parseMapping(
      `${HEAD}  ReminderDateTime:\n    column: remind\n    format: dd/MM/yyyy HH:mm\n    timeZone: America/New_York\n    ambiguousTime: later\n    nonexistentTime: shiftForward\n`,
      'm.yaml',
    );
    const rules = mapping.fields[0]?.rules ?? {};
    expect(Object.fromEntries(Object.entries(rules).map(([k, s]) => [k, [s.value, s.at.line]]))).toEqual({
      format: ['dd/MM/yyyy HH:mm', 6],
      timeZone: ['America/New_York', 7],
      ambiguousTime: ['later', 8],
      nonexistentTime: ['shiftForward', 9],
    });
  });

  it.each([
    ['{ column: s, trim: yes }', 'trim', 'trim must be one of: both, start, end, none'],
    ['{ column: s, case: shout }', 'case', 'case must be one of: upper, lower, title, none'],
    ['{ column: s, maxLength: -1 }', 'maxLength', 'maxLength must be a whole number above 0'],
    ['{ column: s, allowedValues: A }', 'allowedValues', 'allowedValues must be a list of values'],
    ['{ column: s, valueMap: [a] }', 'valueMap', 'valueMap must map source values to loaded values'],
    [
      '{ column: s, valueMap: { values: { a: b }, otherwise: [x] } }',
      'otherwise',
      'otherwise must be keep, reject or a value',
    ],
    [
      '{ column: s, format: "qq/yyyy" }',
      'format',
      `format "qq/yyyy": "q" is not a pattern letter (use y M d H h m s S a X, and quote literal text: 'at'); a date pattern needs yyyy, M and d outside optional parts`,
    ],
    [
      '{ column: s, timeZone: CET+1 }',
      'timeZone',
      '"CET+1" is not an IANA time zone (like Europe/London, America/New_York, UTC)',
    ],
    ['{ column: s, decimal: ";" }', 'decimal', 'decimal must be one of: ., ,'],
    ['{ column: s, grouping: "_" }', 'grouping', `grouping must be one of: ,, ., " ", ', none`],
    ['{ column: s, normalize: e163 }', 'normalize', 'normalize must be one of: none, e164'],
    [
      '{ column: s, defaultCountryCode: UK }',
      'defaultCountryCode',
      'defaultCountryCode is 1 to 3 digits, like 44 or +1',
    ],
    ['{ column: s, separator: "" }', 'separator', 'separator cannot be empty'],
    ['{ column: s, percentInput: ratio }', 'percentInput', 'percentInput must be one of: number, fraction'],
  ])('refuses %s at the key', (yaml, token, problem) => {
    expect(fieldError(yaml)).toBe(`${at(4, `  Subject: ${yaml}`, token)}: ${problem}`);
  });

  it('points a regular expression that does not compile at pattern', () => {
    const yaml = '{ column: s, pattern: "[" }';
    expect(
      fieldError(yaml).startsWith(
        `${at(4, `  Subject: ${yaml}`, 'pattern')}: pattern is not a regular expression: `,
      ),
    ).toBe(true);
  });
});

describe('lookups and raw Ids', () => {
  it('reads targets by match field or with their own column', () => {
    expect(
      field(
        '{ typeColumn: t, lookup: { Contact: { field: Patient_Id__c, column: pid }, Lead: { field: Email, column: mail } } }',
      )?.reference?.targets,
    ).toMatchObject([
      { object: 'Contact', matchField: 'Patient_Id__c', column: 'pid' },
      { object: 'Lead', matchField: 'Email', column: 'mail' },
    ]);
  });

  it('reads id as true, as a list of objects or with its own column', () => {
    expect(field('{ column: w, id: true }')?.reference?.ids).toMatchObject({ objects: 'all' });
    expect(field('{ column: w, id: [Contact] }')?.reference?.ids).toMatchObject({ objects: ['Contact'] });
    expect(field('{ column: w, id: Lead }')?.reference?.ids).toMatchObject({ objects: ['Lead'] });
    expect(
      field(
        '{ lookup: { Contact: { field: Patient_Id__c, column: pid } }, id: { column: sfid, objects: [Lead] } }',
      )?.reference,
    ).toMatchObject({ ids: { column: 'sfid', objects: ['Lead'] } });
  });

  it('reads typeColumn, typeValues (case-insensitive, Id for raw Ids) and defaultType', () => {
    const who = field(
      '{ column: w, typeColumn: t, typeValues: { Patient: Contact, SF: Id }, defaultType: Contact, lookup: { Contact: Patient_Id__c }, id: true }',
    );
    expect(who?.reference).toMatchObject({ typeColumn: 't', defaultType: 'Contact' });
    expect([...(who?.reference?.typeValues ?? [])]).toEqual([
      ['patient', 'Contact'],
      ['sf', 'Id'],
    ]);
  });

  it('reads a constant lookup', () => {
    expect(
      parseMapping(`${HEAD}  OwnerId: { constant: a@b.c, lookup: { User: Username } }\n`, 'm.yaml').fields[0],
    ).toMatchObject({
      source: { kind: 'constant', value: 'a@b.c' },
      reference: { targets: [{ object: 'User' }] },
    });
  });

  it.each([
    [
      '{ lookup: { Contact: Patient_Id__c } }',
      null,
      "WhoId: a lookup needs the column holding the parent's key (column, or a column per target)",
    ],
    ['{ column: w, lookup: {} }', 'lookup', 'lookup must name at least one target object'],
    ['{ column: w, lookup: { Contact: A, contact: B } }', 'contact', 'lookup target contact is given twice'],
    [
      '{ column: w, lookup: { Contact: { column: c } } }',
      'Contact',
      'lookup Contact needs field, the Contact field its values match',
    ],
    [
      '{ column: w, lookup: { Contact: { field: A, colum: c } } }',
      'colum: c',
      'unknown key "colum" in lookup Contact (did you mean column?)',
    ],
    [
      '{ column: w, lookup: { Contact: "Patient Id" } }',
      '"Patient',
      'the field to match on Contact "Patient Id" is not a Salesforce API name',
    ],
    [
      '{ column: w, id: 3 }',
      '3',
      'id must be true, a list of the objects whose Ids the column may hold, or { column, objects }',
    ],
    ['{ column: w, id: { colum: x } }', 'colum: x', 'unknown key "colum" in id (did you mean column?)'],
    [
      '{ column: w, lookup: { Contact: A, Lead: B } }',
      null,
      "WhoId: a lookup with several targets (Contact, Lead) needs typeColumn, the column naming each row's target",
    ],
    [
      '{ column: w, typeValues: { p: Contact }, lookup: { Contact: A } }',
      null,
      'WhoId: typeValues needs typeColumn, the column whose values it translates',
    ],
    [
      '{ column: w, defaultType: Contact, lookup: { Contact: A } }',
      null,
      'WhoId: defaultType needs typeColumn: it is the type of rows whose type cell is blank',
    ],
    [
      '{ column: w, typeColumn: t, typeValues: { p: Contact, P: Lead }, lookup: { Contact: A, Lead: B } }',
      'P:',
      'type value "P" is given twice (type values are case-insensitive)',
    ],
    [
      '{ column: w, typeColumn: t, typeValues: { p: "Con tact" }, lookup: { Contact: A } }',
      '"Con',
      'the object for type value p "Con tact" is not a Salesforce API name',
    ],
    [
      '{ column: w, type: date, lookup: { Contact: A } }',
      null,
      'WhoId: a lookup or id field takes no type; its values are matched, not converted',
    ],
    [
      '{ constant: x, typeColumn: t, lookup: { Contact: A, Lead: B } }',
      null,
      'WhoId: a constant lookup has one target and no typeColumn',
    ],
    [
      '{ lookup: { Contact: { field: A, column: a } , Lead: B } }',
      null,
      'WhoId: lookup Lead needs a column (give the field a column, or the target one)',
    ],
    [
      '{ lookup: { Contact: { field: A, column: a } }, id: true }',
      null,
      'WhoId: id needs a column (give the field a column, or id: { column })',
    ],
  ] as [string, string | null, string][])('refuses %s', (yaml, token, problem) => {
    const line = `  WhoId: ${yaml}`;
    expect(parseError(`${HEAD}${line}\n`)).toBe(
      `${token === null ? 'm.yaml:4:3' : at(4, line, token)}: ${problem}`,
    );
  });
});

describe('compound inputs', () => {
  it('reads address, name and geolocation entries with their spec', () => {
    const mapping = parseMapping(
      'object: Contact\noperation: insert\nfields:\n  MailingAddress: { address: { text: addr } }\n  Name: { name: { column: n, format: "Last, First" } }\n',
      'm.yaml',
    );
    expect(mapping.fields.map((f) => [f.field, f.compound?.kind, f.compound?.spec.value])).toEqual([
      ['MailingAddress', 'address', { text: 'addr' }],
      ['Name', 'name', { column: 'n', format: 'Last, First' }],
    ]);
  });

  it.each([
    ['{ address: { text: a }, column: b }', null, 'Subject: address reads its own columns; remove column'],
    [
      '{ address: { text: a }, lookup: { Account: A } }',
      null,
      'Subject: address reads its own columns; remove lookup/id',
    ],
    [
      '{ address: { text: a }, name: { column: n, format: First Last } }',
      null,
      'Subject: choose one of address or name',
    ],
    ['{ geolocation: }', 'geolocation', 'geolocation needs its input: columns, or one column and its format'],
  ] as [string, string | null, string][])('refuses %s', (yaml, token, problem) => {
    const line = `  Subject: ${yaml}`;
    expect(fieldError(yaml)).toBe(`${token === null ? 'm.yaml:4:3' : at(4, line, token)}: ${problem}`);
  });
});

it('lists every problem of a mapping at once, in file order', () => {
  expect(
    parseError(
      'object: Task\noperation: merge\nrejectThreshold: -3\nfields:\n  Subject: { constant: A, column: b }\n  Status: { colum: s }\n',
    ).split('\n'),
  ).toEqual([
    'm.yaml:2:12: operation "merge" is not one of insert, update, upsert, delete, hardDelete',
    'm.yaml:3:18: rejectThreshold must be a count of rows (0, 25), a ratio below 1 (0.05) or a percentage ("5%")',
    'm.yaml:5:3: Subject: a field takes its value from one of column, constant, template or join, not column and constant',
    'm.yaml:6:13: unknown key "colum" in field Status (did you mean column?)',
  ]);
});

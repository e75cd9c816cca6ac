/**
 * Preflight of mappings against the emulator's default org (its describe, rendered without a server):
 * every check of issue 4 item 5 with its message at the mapping's line, the Bulk CSV headers each
 * reference choice produces, and the API-version rule for polymorphic type names.
 */
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../functions/shared/errors.ts';
import { allSignatures, groupColumns, groupId } from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import {
  isPolymorphicField,
  type MappingPlan,
  planMapping,
  polymorphicTypeName,
  relationshipHeader,
} from '../../functions/shared/mapping/plan-mapping.ts';
import type { DescribeField, SObjectDescribe } from '../../functions/shared/salesforce-port.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const org = defaultOrgDescribe();
const plan = (text: string, apiVersion = '62.0') =>
  planMapping(parseMapping(text, 'm.yaml'), org, { apiVersion });

async function problems(text: string): Promise<string[]> {
  const error = await plan(text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MappingError);
  return (error as Error).message.split('\n');
}

const mapping = (object: string, operation: string, fields: string, extra = '') =>
  `object: ${object}\noperation: ${operation}\n${extra}fields:\n${fields}`;

/** All headers a plan can produce, per group signature. */
function headers(planned: MappingPlan, signature: string): string[] {
  return groupColumns(planned, signature);
}

describe('fields and operations', () => {
  it.each([
    [
      'an unknown field, with a suggestion',
      mapping('Task', 'insert', '  Subjct: s\n'),
      ['m.yaml:4:3: Subjct is not a field of Task (did you mean Subject?)'],
    ],
    [
      'a field that insert cannot create',
      mapping('Task', 'insert', '  Subject: s\n  IsClosed: c\n'),
      ['m.yaml:5:3: Task.IsClosed cannot be created (read-only for insert)'],
    ],
    [
      'a field that upsert cannot update',
      mapping('Task', 'upsert', '  External_Id__c: x\n  TaskSubtype: t\n', 'externalId: External_Id__c\n'),
      ['m.yaml:6:3: Task.TaskSubtype cannot be updated (read-only for upsert)'],
    ],
    [
      'an Id on insert',
      mapping('Task', 'insert', '  Id: id\n  Subject: s\n'),
      ['m.yaml:4:3: Id cannot be set on insert (Salesforce assigns it)'],
    ],
    [
      'an object the user cannot delete',
      mapping('User', 'delete', '  Id: id\n'),
      ['m.yaml:2:1: delete: the integration user cannot delete User records'],
    ],
    [
      'an object the org does not have',
      mapping('Tsk', 'insert', '  Subject: s\n'),
      [
        'm.yaml:1:1: object Tsk cannot be described in this org (NOT_FOUND: The requested resource does not exist (Tsk))',
      ],
    ],
    [
      'an upsert key that is not a field',
      mapping('Task', 'upsert', '  External_Idc: x\n', 'externalId: External_Idc\n'),
      [
        'm.yaml:3:1: externalId External_Idc is not a field of Task (did you mean External_Id__c?)',
        'm.yaml:5:3: External_Idc is not a field of Task (did you mean External_Id__c?)',
      ],
    ],
    [
      'an upsert key that is not an External ID',
      mapping('Task', 'upsert', '  Subject: s\n', 'externalId: Subject\n'),
      ['m.yaml:3:1: externalId Subject is not an External ID field of Task (upsert matches on one)'],
    ],
    [
      'an insert that leaves required fields unmapped',
      mapping('Contact', 'insert', '  FirstName: f\n'),
      ['m.yaml:3:1: insert into Contact needs LastName (required, no default); map it'],
    ],
    [
      'a compound field loaded directly, naming its components',
      mapping('Contact', 'insert', '  LastName: l\n  MailingAddress: a\n'),
      [
        'm.yaml:5:3: MailingAddress is a compound field; map its components instead: MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, MailingLatitude, MailingLongitude (or give MailingAddress an address: rule)',
      ],
    ],
    [
      "a person's compound Name loaded directly",
      mapping('Contact', 'insert', '  Name: n\n'),
      [
        'm.yaml:4:3: Name is a compound field; map its components instead: Salutation, FirstName, MiddleName, LastName, Suffix (or give Name a name: rule)',
        'm.yaml:3:1: insert into Contact needs LastName (required, no default); map it',
      ],
    ],
    [
      'a geolocation loaded directly',
      mapping('Facility__c', 'insert', '  Location__c: l\n'),
      [
        'm.yaml:4:3: Location__c is a compound field; map its components instead: Location__Latitude__s, Location__Longitude__s (or give Location__c a geolocation: rule)',
      ],
    ],
  ])('refuses %s', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });

  it('canonicalises names and marks the key field required', async () => {
    const planned = await plan(
      mapping('task', 'upsert', '  external_id__c: x\n  subject: s\n', 'externalId: EXTERNAL_ID__C\n'),
    );
    expect(planned).toMatchObject({ object: 'Task', externalIdFieldName: 'External_Id__c' });
    expect(planned.fields.map((f) => [f.field, f.required])).toEqual([
      ['External_Id__c', true],
      ['Subject', false],
    ]);
  });
});

describe('source types and value rules against the field', () => {
  it.each([
    [
      'a date rule onto a text field',
      mapping('Task', 'insert', '  Subject: { column: s, type: date }\n'),
      [
        'm.yaml:4:25: Subject is a combobox field; date values cannot load into it (declare a type only to check text, as email, phone or url)',
      ],
    ],
    [
      'a boolean rule onto a date field',
      mapping('Task', 'insert', '  Subject: s\n  ActivityDate: { column: d, type: boolean }\n'),
      [
        'm.yaml:5:30: ActivityDate is a date field; only text fields take another type (its value is then written as text)',
      ],
    ],
    [
      'a format on a number field',
      mapping('Task', 'insert', '  Subject: s\n  CallDurationInSeconds: { column: d, format: dd/MM/yyyy }\n'),
      [
        'm.yaml:5:39: CallDurationInSeconds: format applies to date, datetime and time fields; CallDurationInSeconds is an int field',
      ],
    ],
    [
      'booleans on a text field',
      mapping('Task', 'insert', '  Subject: { column: s, booleans: { true: [y], false: [n] } }\n'),
      ['m.yaml:4:25: Subject: booleans applies to checkbox (boolean) fields; Subject is a combobox field'],
    ],
    [
      'blank: clear on a field that cannot be empty',
      mapping('Contact', 'insert', '  LastName: { column: l, blank: clear }\n'),
      ['m.yaml:4:3: LastName cannot be cleared: Salesforce does not allow it to be empty'],
    ],
    [
      'a default that would itself be rejected',
      mapping('Task', 'insert', '  Subject: s\n  ActivityDate: { column: d, default: soon }\n'),
      [
        'm.yaml:5:30: ActivityDate: the default would be rejected: ActivityDate: does not match the format yyyy-MM-dd',
      ],
    ],
  ])('refuses %s', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });

  it('lets a text field check its values as email, phone or url', async () => {
    const planned = await plan(
      mapping('Task', 'insert', '  Subject: s\n  Description: { column: d, type: email }\n'),
    );
    expect(planned.fields[1]?.convert('a@b.example')).toEqual({ ok: true, value: 'a@b.example' });
    expect(planned.fields[1]?.convert('nope')).toMatchObject({ ok: false, rule: 'type.email' });
  });
});

describe('picklist values the mapping writes', () => {
  it.each([
    [
      'a constant that is not in the picklist',
      mapping('Task', 'insert', '  Subject: s\n  Status: { constant: Done }\n'),
      [
        'm.yaml:5:13: constant "Done", which is not a value of the Status picklist (Not Started, In Progress, Completed, Waiting on someone else, Deferred)',
      ],
    ],
    [
      'a value map output that is not in the picklist',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  Priority: { column: p, valueMap: { h: Urgent, n: Normal } }\n',
      ),
      [
        'm.yaml:5:26: valueMap gives "Urgent", which is not a value of the Priority picklist (High, Normal, Low)',
      ],
    ],
    [
      'a fixed otherwise that is not in the picklist',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  Priority: { column: p, valueMap: { values: { h: High }, otherwise: Meh } }\n',
      ),
      [
        'm.yaml:5:26: valueMap gives "Meh", which is not a value of the Priority picklist (High, Normal, Low)',
      ],
    ],
  ])('refuses %s', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });

  it("accepts a constant written in another case and loads the org's spelling", async () => {
    const planned = await plan(
      mapping('Task', 'insert', '  Subject: s\n  Status: { constant: completed }\n'),
    );
    expect(planned.fields[1]?.convert('completed')).toEqual({ ok: true, value: 'Completed' });
  });
});

describe('lookups', () => {
  it.each([
    [
      'a lookup onto a field that is not a reference',
      mapping('Task', 'insert', '  Subject: { column: s, lookup: { Account: External_Id__c } }\n'),
      ['m.yaml:4:3: Task.Subject is not a lookup field (type combobox); map it from a column'],
    ],
    [
      'a target the field cannot point to',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  WhatId: { column: w, lookup: { Acount: External_Id__c } }\n',
      ),
      [
        'm.yaml:5:34: WhatId cannot point to Acount; it points to Account, Case, Opportunity, Care_Plan__c (did you mean Account?)',
      ],
    ],
    [
      'a match field the parent does not have',
      mapping(
        'Contact',
        'insert',
        '  LastName: l\n  AccountId: { column: a, lookup: { Account: External_Id } }\n',
      ),
      ['m.yaml:5:37: External_Id is not a field of Account (did you mean External_Id__c?)'],
    ],
    [
      'a match field that is neither an External ID nor an idLookup',
      mapping('Contact', 'insert', '  LastName: l\n  AccountId: { column: a, lookup: { Account: Phone } }\n'),
      [
        'm.yaml:5:37: Account.Phone is neither an External ID nor an ID lookup field; a lookup must match on one',
      ],
    ],
    [
      'typeValues naming an object the field cannot point to',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  WhoId: { column: w, typeColumn: t, typeValues: { firm: Account }, lookup: { Contact: Email, Lead: Email } }\n',
      ),
      ['m.yaml:5:38: WhoId: typeValues maps "firm" to Account, which WhoId cannot point to (Contact, Lead)'],
    ],
    [
      'typeValues naming Id without id',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  WhoId: { column: w, typeColumn: t, typeValues: { sf: Id }, lookup: { Contact: Email, Lead: Email } }\n',
      ),
      ['m.yaml:5:38: WhoId: typeValues maps "sf" to Id, but the field has no id: true'],
    ],
    [
      'a defaultType that is not a target',
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  WhoId: { column: w, typeColumn: t, defaultType: Lead, lookup: { Contact: Email } }\n',
      ),
      ['m.yaml:5:38: WhoId: defaultType Lead is not one of its targets (contact)'],
    ],
    [
      'raw Ids of an object the field cannot point to',
      mapping('Task', 'insert', '  Subject: s\n  WhoId: { column: w, id: [Contact, Account] }\n'),
      ['m.yaml:5:23: id: WhoId cannot point to Account; it points to Contact, Lead'],
    ],
  ])('refuses %s', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });

  it('matches Users by an idLookup field: Email or Username', async () => {
    const contacts = await plan(
      mapping(
        'Contact',
        'insert',
        '  LastName: l\n  OwnerId: { column: owner_email, lookup: { User: Email } }\n',
      ),
    );
    expect(headers(contacts, '')).toEqual(['LastName', 'Owner.Email']);
    // Task.OwnerId can be a User or a Group (a queue): polymorphic, so the type is named.
    const tasks = await plan(
      mapping(
        'Task',
        'insert',
        '  Subject: s\n  OwnerId: { constant: integration@polyload.local, lookup: { User: Username } }\n',
      ),
    );
    expect(headers(tasks, '')).toEqual(['Subject', 'User:Owner.Username']);
  });

  it('loads a plain column onto a lookup as raw Ids, checked against the key prefixes of its targets', async () => {
    const contacts = await plan(mapping('Contact', 'insert', '  LastName: l\n  AccountId: acct\n'));
    expect(headers(contacts, '')).toEqual(['LastName', 'AccountId']);
    const convert = contacts.fields[1]?.convertId;
    expect(convert?.('001000000000901AAA')).toEqual({ ok: true, value: '001000000000901AAA' });
    expect(convert?.('003000000000901AAA')).toEqual({
      ok: false,
      rule: 'idPrefix',
      message: 'AccountId: the Id belongs to Contact; AccountId takes Account Ids',
    });
  });

  it("checks the record's own Id on update by length, checksum and key prefix", async () => {
    const updates = await plan(mapping('Task', 'update', '  Id: id\n  Subject: s\n'));
    const convert = updates.fields[0]?.convert;
    expect(convert?.('00T000000000001EAA')).toEqual({ ok: true, value: '00T000000000001EAA' });
    expect(convert?.('00T0000000000')).toMatchObject({ ok: false, rule: 'type.id' });
    expect(convert?.('003000000000901AAA')).toMatchObject({ ok: false, rule: 'idPrefix' });
  });
});

describe('polymorphic headers', () => {
  const TASKS = mapping(
    'Task',
    'insert',
    [
      '  Subject: s',
      '  WhoId: { column: w, typeColumn: wt, lookup: { Contact: Patient_Id__c, Lead: Prospect_Id__c }, id: true }',
      '  WhatId: { column: x, typeColumn: xt, lookup: { Account: External_Id__c, Case: CaseNumber, Care_Plan__c: External_Id__c } }',
      '',
    ].join('\n'),
  );

  it('generates one header per combination of targets, raw Ids under the field name', async () => {
    const planned = await plan(TASKS);
    expect(headers(planned, '0.0')).toEqual([
      'Subject',
      'Contact:Who.Patient_Id__c',
      'Account:What.External_Id__c',
    ]);
    expect(headers(planned, '1.1')).toEqual(['Subject', 'Lead:Who.Prospect_Id__c', 'Case:What.CaseNumber']);
    expect(headers(planned, '2.2')).toEqual(['Subject', 'WhoId', 'Care_Plan__c:What.External_Id__c']);
    expect(groupId(planned, '2.2')).toBe('task-insert-whoid-id-whatid-care_plan_c');
  });

  it('spells custom types without __c (and namespace) below API 57.0', async () => {
    const planned = await plan(TASKS, '56.0');
    expect(headers(planned, '0.2')).toEqual([
      'Subject',
      'Contact:Who.Patient_Id__c',
      'Care_Plan:What.External_Id__c',
    ]);
  });

  it.each([
    ['Contact', '62.0', 'Contact'],
    ['Care_Plan__c', '57.0', 'Care_Plan__c'],
    ['ns__Care_Plan__c', '62.0', 'ns__Care_Plan__c'],
    ['ns__Care_Plan__c', '56.0', 'Care_Plan'],
    ['Care_Plan__c', '56.0', 'Care_Plan'],
    ['Account', '40.0', 'Account'],
  ])('names %s as %s', (object, version, expected) => {
    expect(polymorphicTypeName(object, version)).toBe(expected);
  });

  it('adds the type only where the org marks the field polymorphic', () => {
    const field = (referenceTo: string[], polymorphicForeignKey: boolean) =>
      ({ name: 'WhatId', relationshipName: 'What', referenceTo, polymorphicForeignKey }) as DescribeField;
    expect(isPolymorphicField(field(['Account', 'Case'], true))).toBe(true);
    expect(relationshipHeader(field(['Account'], false), 'Account', 'External_Id__c')).toBe(
      'What.External_Id__c',
    );
    expect(relationshipHeader(field(['Account', 'Case'], true), 'ns__Plan__c', 'Key__c', '62.0')).toBe(
      'ns__Plan__c:What.Key__c',
    );
  });

  it('drops the type from a header when this org has only one target for the field', async () => {
    // An org where WhoId can only be a Contact: the same mapping loads with `Who.Patient_Id__c`.
    const singleWho = async (name: string): Promise<SObjectDescribe> => {
      const described = await org(name);
      if (name.toLowerCase() !== 'task') return described;
      return {
        ...described,
        fields: described.fields.map((f) =>
          f.name === 'WhoId' ? { ...f, referenceTo: ['Contact'], polymorphicForeignKey: false } : f,
        ),
      };
    };
    const planned = await planMapping(
      parseMapping(
        mapping(
          'Task',
          'insert',
          '  Subject: s\n  WhoId: { column: w, lookup: { Contact: Patient_Id__c } }\n',
        ),
        'm.yaml',
      ),
      singleWho,
    );
    expect(headers(planned, '')).toEqual(['Subject', 'Who.Patient_Id__c']);
  });
});

describe('compound inputs', () => {
  it('writes the components a name or an address rule fills', async () => {
    const planned = await plan(
      mapping(
        'Lead',
        'insert',
        '  Company: c\n  Name: { name: { first: f, last: l } }\n  Address: { address: { street: s, city: c, postalCode: p } }\n',
      ),
    );
    expect(headers(planned, '')).toEqual([
      'Company',
      'FirstName',
      'LastName',
      'Street',
      'City',
      'PostalCode',
    ]);
  });

  it('counts a name rule as covering LastName on insert', async () => {
    await expect(
      plan(mapping('Contact', 'insert', '  Name: { name: { column: n, format: "First Last" } }\n')),
    ).resolves.toBeDefined();
  });

  it.each([
    [
      'a compound rule of the wrong kind',
      mapping('Contact', 'insert', '  LastName: l\n  MailingAddress: { name: { first: f } }\n'),
      ['m.yaml:5:21: MailingAddress is an address; give it an address: rule, not name:'],
    ],
    [
      'a compound rule on a field that is not compound',
      mapping('Contact', 'insert', '  LastName: l\n  Email: { address: { text: a } }\n'),
      ['m.yaml:5:12: Email is not a compound field of Contact'],
    ],
    [
      'a name format Polyload does not know',
      mapping('Contact', 'insert', '  Name: { name: { column: n, format: "First, Last" } }\n'),
      [
        'm.yaml:4:30: Name: format "First, Last" is not one of "First Last", "Last, First", "Last First"',
        'm.yaml:3:1: insert into Contact needs LastName (required, no default); map it',
      ],
    ],
    [
      'an address with keys of two forms',
      mapping('Contact', 'insert', '  LastName: l\n  MailingAddress: { address: { text: a, city: c } }\n'),
      ['m.yaml:5:41: MailingAddress: address does not take "city" here (it takes text, defaultCountry)'],
    ],
    [
      'a component mapped twice',
      mapping('Contact', 'insert', '  LastName: l\n  Name: { name: { column: n, format: "Last, First" } }\n'),
      ['m.yaml:5:3: LastName is filled twice (by a compound input and a field rule)'],
    ],
  ])('refuses %s', async (_what, text, expected) => {
    expect(await problems(text)).toEqual(expected);
  });
});

it('reports every problem of a mapping at once', async () => {
  expect(
    await problems(mapping('Task', 'insert', '  Subjct: s\n  IsClosed: c\n  Status: { constant: Done }\n')),
  ).toEqual([
    'm.yaml:4:3: Subjct is not a field of Task (did you mean Subject?)',
    'm.yaml:5:3: Task.IsClosed cannot be created (read-only for insert)',
    'm.yaml:6:13: constant "Done", which is not a value of the Status picklist (Not Started, In Progress, Completed, Waiting on someone else, Deferred)',
  ]);
});

it('lists every group a mapping can produce, with its header', async () => {
  const planned = await plan(
    mapping(
      'Task',
      'insert',
      '  Subject: s\n  WhoId: { column: w, typeColumn: t, lookup: { Contact: Patient_Id__c }, id: true }\n  WhatId: { column: x, typeColumn: xt, lookup: { Account: External_Id__c, Case: External_Id__c } }\n',
    ),
  );
  expect(
    allSignatures(planned).map((s) => [groupId(planned, s), headers(planned, s).slice(1).join(',')]),
  ).toEqual([
    ['task-insert-whoid-contact-whatid-account', 'Contact:Who.Patient_Id__c,Account:What.External_Id__c'],
    ['task-insert-whoid-contact-whatid-case', 'Contact:Who.Patient_Id__c,Case:What.External_Id__c'],
    ['task-insert-whoid-id-whatid-account', 'WhoId,Account:What.External_Id__c'],
    ['task-insert-whoid-id-whatid-case', 'WhoId,Case:What.External_Id__c'],
  ]);
  expect(allSignatures(await plan(mapping('Task', 'insert', '  Subject: s\n')))).toEqual(['']);
});

it('names both missing rights of an upsert field that can be neither created nor updated', async () => {
  expect(
    await problems(
      mapping('Task', 'upsert', '  External_Id__c: x\n  IsClosed: c\n', 'externalId: External_Id__c\n'),
    ),
  ).toEqual(['m.yaml:6:3: Task.IsClosed cannot be created or updated (read-only for upsert)']);
});

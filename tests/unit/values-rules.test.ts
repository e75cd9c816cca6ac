import { describe, expect, it } from 'vitest';
import {
  compileValueRule,
  type GlobalValueDefaults,
  idChecksum,
  idProblem,
  isValidSalesforceId,
  keyPrefixMap,
  objectOfId,
  toId18,
  type ValueContext,
  type ValueField,
  type ValueRuleSpec,
  ValueSpecError,
  type ValueSpecProblem,
} from '../../functions/shared/mapping/values/index.ts';

const SUBJECT: ValueField = { name: 'Subject', type: 'string', length: 20, nillable: true };
const STATUS: ValueField = {
  name: 'Status',
  type: 'picklist',
  length: 40,
  nillable: true,
  restrictedPicklist: true,
  picklistValues: [
    { value: 'Not Started', active: true },
    { value: 'In Progress', active: true },
    { value: 'Completed', active: true },
    { value: 'Deferred', active: false },
  ],
};
const OPEN_STATUS: ValueField = { ...STATUS, name: 'Stage__c', restrictedPicklist: false };
const CONDITIONS: ValueField = {
  name: 'Conditions__c',
  type: 'multipicklist',
  length: 4099,
  nillable: true,
  restrictedPicklist: true,
  picklistValues: [
    { value: 'Asthma', active: true },
    { value: 'Diabetes', active: true },
    { value: 'COPD', active: true },
  ],
};
const CONSENT: ValueField = { name: 'HasOptedOutOfEmail', type: 'boolean', nillable: false };
const EMAIL: ValueField = { name: 'Email', type: 'email', length: 80, nillable: true };
const PHONE: ValueField = { name: 'Phone', type: 'phone', length: 40, nillable: true };
const WEBSITE: ValueField = { name: 'Website', type: 'url', length: 255, nillable: true };
const WHO: ValueField = {
  name: 'WhoId',
  type: 'reference',
  nillable: true,
  referenceTo: ['Contact', 'Lead'],
};
const RECORD_ID: ValueField = { name: 'Id', type: 'id', nillable: false };

const PREFIXES = keyPrefixMap([
  { name: 'Account', keyPrefix: '001' },
  { name: 'Contact', keyPrefix: '003' },
  { name: 'Lead', keyPrefix: '00Q' },
  { name: 'Task', keyPrefix: '00T' },
  { name: 'Care_Plan__c', keyPrefix: 'a0B' },
]);
const CONTACT_ID = `0038c00002AbCdE${idChecksum('0038c00002AbCdE')}`;
const LEAD_ID = `00Q8c00001xYz12${idChecksum('00Q8c00001xYz12')}`;
const ACCOUNT_ID = `0018c00003QwErT${idChecksum('0018c00003QwErT')}`;

const out = (
  spec: ValueRuleSpec,
  field: ValueField,
  raw: string,
  defaults: GlobalValueDefaults = {},
  context: ValueContext = {},
) => {
  const result = compileValueRule(spec, field, defaults, context)(raw);
  return result.ok ? result.value : `${result.rule}: ${result.message}`;
};

function problems(
  spec: ValueRuleSpec,
  field: ValueField,
  defaults: GlobalValueDefaults = {},
): ValueSpecProblem[] {
  try {
    compileValueRule(spec, field, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(ValueSpecError);
    return (error as ValueSpecError).problems;
  }
  throw new Error('expected the spec to be refused');
}

describe('trim and case', () => {
  it.each([
    [{}, '  Call back  ', 'Call back'],
    [{ trim: 'start' }, '  Call back  ', 'Call back  '],
    [{ trim: 'end' }, '  Call back  ', '  Call back'],
    [{ trim: 'none' }, '  Call back  ', '  Call back  '],
    [{ case: 'upper' }, 'call back', 'CALL BACK'],
    [{ case: 'lower' }, 'Call Back', 'call back'],
    [{ case: 'title' }, "mary-ann o'brien", "Mary-Ann O'Brien"],
    [{ case: 'title' }, "DON'T CALL", "Don't Call"],
    [{ case: 'title' }, "d'arcy van DYKE", "D'Arcy Van Dyke"],
    [{ case: 'upper' }, 'istanbul', 'ISTANBUL'],
    [{ case: 'none' }, 'MiXeD', 'MiXeD'],
  ] as [ValueRuleSpec, string, string][])('%o turns %j into %j', (spec, raw, expected) => {
    expect(out(spec, SUBJECT, raw)).toBe(expected);
  });

  it('applies the mapping-wide trim unless the field has its own', () => {
    expect(out({}, SUBJECT, '  x  ', { trim: 'none' })).toBe('  x  ');
    expect(out({ trim: 'both' }, SUBJECT, '  x  ', { trim: 'none' })).toBe('x');
  });
});

describe('value maps', () => {
  const SEX = { M: 'Male', F: 'Female', U: '' };
  const sex: ValueRuleSpec = { valueMap: { values: SEX } };

  it('maps source values ignoring case by default', () => {
    expect(out(sex, SUBJECT, 'm')).toBe('Male');
    expect(out(sex, SUBJECT, ' F ')).toBe('Female');
  });

  it('matches exactly when ignoreCase is false', () => {
    const exact = { valueMap: { values: { M: 'Male' }, ignoreCase: false } };
    expect(out(exact, SUBJECT, 'M')).toBe('Male');
    expect(out(exact, SUBJECT, 'm')).toBe('m');
  });

  it('keeps, rejects or replaces a value the map does not list', () => {
    expect(out(sex, SUBJECT, 'X')).toBe('X');
    expect(out({ valueMap: { values: SEX, otherwise: 'reject' } }, SUBJECT, 'X')).toBe(
      'valueMap: Subject has a value the value map does not list (mapped: M, F, U)',
    );
    expect(out({ valueMap: { values: SEX, otherwise: { value: 'Other' } } }, SUBJECT, 'X')).toBe('Other');
  });

  it('lists at most ten mapped values in the message', () => {
    const values = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(out({ valueMap: { values, otherwise: 'reject' } }, SUBJECT, 'x')).toBe(
      'valueMap: Subject has a value the value map does not list (mapped: k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, …)',
    );
  });

  it('treats a value mapped to nothing as blank, and one mapped to #N/A as a clear', () => {
    expect(out(sex, SUBJECT, 'U')).toBe('');
    expect(out({ ...sex, blank: 'clear' }, SUBJECT, 'U')).toBe('#N/A');
    expect(out({ ...sex, default: 'Unknown' }, SUBJECT, 'U')).toBe('Unknown');
    expect(out({ valueMap: { values: { deceased: '#N/A' } } }, SUBJECT, 'Deceased')).toBe('#N/A');
  });

  it('runs the case rule before the map', () => {
    expect(out({ case: 'upper', valueMap: { values: { Y: 'Yes' }, ignoreCase: false } }, SUBJECT, 'y')).toBe(
      'Yes',
    );
  });

  it('refuses a map that sends the same value two ways', () => {
    expect(problems({ valueMap: { values: { m: 'Male', M: 'Man' } } }, SUBJECT)).toEqual([
      {
        key: 'valueMap',
        message:
          '"M" is mapped twice, to different values (values are compared ignoring case; set ignoreCase: false to tell them apart)',
      },
    ]);
  });
});

describe('blank, default, required and clearing', () => {
  it.each([
    [{}, {}, '', ''],
    [{}, {}, '   ', ''],
    [{ blank: 'clear' }, {}, '', '#N/A'],
    [{}, { blank: 'clear' }, '', '#N/A'],
    [{ blank: 'keep' }, { blank: 'clear' }, '', ''],
    [{ default: 'No subject' }, {}, '', 'No subject'],
    [{ default: 'No subject', required: true }, {}, ' ', 'No subject'],
    [{ required: true }, {}, '', 'required: Subject is required but the value is blank'],
    [{ required: true, blank: 'clear' }, {}, '', 'required: Subject is required but the value is blank'],
    [{}, {}, '#N/A', '#N/A'],
    [{}, {}, ' #N/A ', '#N/A'],
    [{ required: true }, {}, '#N/A', 'required: Subject is required; #N/A would clear it'],
  ] as [ValueRuleSpec, GlobalValueDefaults, string, string][])(
    '%o with defaults %o: %j → %j',
    (spec, defaults, raw, expected) => {
      expect(out(spec, SUBJECT, raw, defaults)).toBe(expected);
    },
  );

  it('coerces the default like a source value', () => {
    const when: ValueField = { name: 'ActivityDate', type: 'date', nillable: true };
    expect(out({ format: 'dd/MM/yyyy', default: '01/01/2026' }, when, '')).toBe('2026-01-01');
  });

  it('refuses a default that would be rejected', () => {
    expect(problems({ default: 'a very long default subject' }, SUBJECT)).toEqual([
      { key: 'default', message: 'the default would be rejected: Subject: is longer than 20 characters' },
    ]);
    expect(problems({ default: 'Deferred' }, STATUS)).toEqual([
      {
        key: 'default',
        message: 'the default would be rejected: Status: is an inactive value of the picklist',
      },
    ]);
  });

  it('refuses blank: clear on a field that cannot be null, and skips it when the mapping says clear', () => {
    expect(problems({ blank: 'clear' }, CONSENT)).toEqual([
      {
        key: 'blank',
        message: 'HasOptedOutOfEmail cannot be cleared: Salesforce does not allow it to be empty',
      },
    ]);
    expect(out({}, CONSENT, '', { blank: 'clear' })).toBe('');
    expect(out({}, CONSENT, '#N/A')).toBe(
      'required: HasOptedOutOfEmail cannot be empty in Salesforce; #N/A would clear it',
    );
  });

  it('says when the value map, not the cell, leaves a required value blank or #N/A', () => {
    const mapped = { valueMap: { values: { u: '', x: '#N/A' } } };
    expect(out({ ...mapped, required: true }, SUBJECT, 'U')).toBe(
      'required: Subject is required but the value map makes the value blank',
    );
    expect(out({ ...mapped, required: true }, SUBJECT, 'X')).toBe(
      "required: Subject is required; the value map's #N/A would clear it",
    );
    expect(out(mapped, CONSENT, 'X')).toBe(
      "required: HasOptedOutOfEmail cannot be empty in Salesforce; the value map's #N/A would clear it",
    );
  });
});

describe('checks', () => {
  it('limits the length to describe by default, or to maxLength', () => {
    expect(out({}, SUBJECT, 'x'.repeat(20))).toBe('x'.repeat(20));
    expect(out({}, SUBJECT, 'x'.repeat(21))).toBe('maxLength: Subject: is longer than 20 characters');
    expect(out({ maxLength: 5 }, SUBJECT, 'abcdef')).toBe('maxLength: Subject: is longer than 5 characters');
    expect(problems({ maxLength: 30 }, SUBJECT)).toEqual([
      { key: 'maxLength', message: 'maxLength 30 is more than Subject holds (20 characters)' },
    ]);
  });

  it('matches the whole value against a pattern', () => {
    const postcode = { pattern: '[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}' };
    expect(out(postcode, SUBJECT, 'SW1A 1AA')).toBe('SW1A 1AA');
    expect(out(postcode, SUBJECT, 'xSW1A 1AA')).toBe(
      'pattern: Subject: does not match the pattern [A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}',
    );
    expect(out({ pattern: 'a|b' }, SUBJECT, 'ab')).toBe('pattern: Subject: does not match the pattern a|b');
    expect(out({ case: 'upper', pattern: '[A-Z]+' }, SUBJECT, 'abc')).toBe('ABC');
    expect(problems({ pattern: '(' }, SUBJECT)).toMatchObject([
      { key: 'pattern', message: expect.stringMatching(/^pattern is not a regular expression: /) },
    ]);
  });

  it('loads an allowed value in the list spelling', () => {
    const spec = { allowedValues: ['High', 'Normal', 'Low'] };
    expect(out(spec, SUBJECT, 'high')).toBe('High');
    expect(out(spec, SUBJECT, 'Urgent')).toBe(
      'allowedValues: Subject: is not one of the allowed values (High, Normal, Low)',
    );
    expect(problems({ allowedValues: [] }, SUBJECT)).toEqual([
      { key: 'allowedValues', message: 'allowedValues lists no value' },
    ]);
  });

  it('loads a restricted picklist value in the org spelling and rejects inactive and unknown ones', () => {
    expect(out({}, STATUS, 'in progress')).toBe('In Progress');
    expect(out({}, STATUS, 'Deferred')).toBe(
      'restrictedPicklist: Status: is an inactive value of the picklist',
    );
    expect(out({}, STATUS, 'Waiting')).toBe(
      'restrictedPicklist: Status: is not an active value of the picklist (Not Started, In Progress, Completed)',
    );
  });

  it('lets an unrestricted picklist take new values, unless the mapping restricts it', () => {
    expect(out({}, OPEN_STATUS, 'completed')).toBe('Completed');
    expect(out({}, OPEN_STATUS, 'Waiting')).toBe('Waiting');
    expect(out({ restrictedPicklist: true }, OPEN_STATUS, 'Waiting')).toMatch(
      /^restrictedPicklist: Stage__c/,
    );
    expect(problems({ restrictedPicklist: true }, { ...OPEN_STATUS, picklistValues: [] })).toEqual([
      {
        key: 'restrictedPicklist',
        message: 'Stage__c has no active picklist value in this org to check against',
      },
    ]);
  });

  it('checks every value of a multi-select picklist, maps each and joins them with ;', () => {
    expect(out({}, CONDITIONS, 'asthma;copd')).toBe('Asthma;COPD');
    expect(out({ separator: ',' }, CONDITIONS, 'asthma, diabetes, ,asthma')).toBe('Asthma;Diabetes');
    expect(out({ separator: '|', valueMap: { values: { T2D: 'Diabetes' } } }, CONDITIONS, 'T2D|Asthma')).toBe(
      'Diabetes;Asthma',
    );
    expect(out({}, CONDITIONS, 'Asthma;Gout')).toBe(
      'restrictedPicklist: Conditions__c: is not an active value of the picklist (Asthma, Diabetes, COPD)',
    );
    expect(out({ separator: ',' }, CONDITIONS, ' , ')).toBe('');
  });
});

describe('booleans', () => {
  it.each([
    ['true', 'true'],
    ['Yes', 'true'],
    ['Y', 'true'],
    ['1', 'true'],
    ['t', 'true'],
    ['ON', 'true'],
    ['false', 'false'],
    ['no', 'false'],
    ['n', 'false'],
    ['0', 'false'],
    ['F', 'false'],
    ['off', 'false'],
  ])('reads %s as %s', (raw, expected) => {
    expect(out({}, CONSENT, raw)).toBe(expected);
  });

  it('names the accepted spellings when a value is none of them', () => {
    expect(out({}, CONSENT, 'maybe')).toBe(
      'type.boolean: HasOptedOutOfEmail: is not a yes/no value (true: true/yes/y/1/t/on; false: false/no/n/0/f/off)',
    );
  });

  it('takes the spellings of the field or of the mapping', () => {
    const dutch = { booleans: { true: ['ja', 'j'], false: ['nee', 'n'] } };
    expect(out(dutch, CONSENT, 'Ja')).toBe('true');
    expect(out(dutch, CONSENT, 'yes')).toMatch(/^type.boolean/);
    expect(out({}, CONSENT, 'nee', dutch)).toBe('false');
    expect(problems({ booleans: { true: ['x'], false: ['X'] } }, CONSENT)).toEqual([
      { key: 'booleans', message: '"X" cannot mean both true and false' },
    ]);
  });
});

describe('email, phone and url', () => {
  it.each([
    ['jane.doe@example.org', 'jane.doe@example.org'],
    ["o'brien+care@nhs.example.co.uk", "o'brien+care@nhs.example.co.uk"],
    ['a@b.xn--p1ai', 'a@b.xn--p1ai'],
    ['jane doe@example.org', 'type.email: Email: an email address has no spaces'],
    ['jane.example.org', 'type.email: Email: an email address needs an @'],
    ['jane@doe@example.org', 'type.email: Email: an email address has only one @'],
    ['@example.org', 'type.email: Email: nothing comes before the @'],
    [
      `${'x'.repeat(65)}@example.org`,
      'type.email: Email: the part before the @ is longer than 64 characters',
    ],
    ['jane..doe@example.org', 'type.email: Email: the part before the @ has a misplaced dot'],
    ['.jane@example.org', 'type.email: Email: the part before the @ has a misplaced dot'],
    [
      'jane(doe)@example.org',
      'type.email: Email: the part before the @ has a character email addresses cannot have',
    ],
    ['jane@localhost', 'type.email: Email: the domain after the @ needs a dot'],
    ['jane@-bad.example.org', 'type.email: Email: the domain after the @ is not a valid host name'],
    ['jane@example..org', 'type.email: Email: the domain after the @ is not a valid host name'],
    ['jane@example.123', 'type.email: Email: the domain does not end in a top-level domain'],
    [
      `${'x'.repeat(64)}@${'y'.repeat(20)}.example.org`,
      'type.email: Email: an email address has at most 80 characters',
    ],
  ])('checks the email %s', (raw, expected) => {
    expect(out({}, EMAIL, raw)).toBe(expected);
  });

  it.each([
    [{}, '+44 (0)20 7946 0958', '+44 (0)20 7946 0958'],
    [{}, '020 7946 0958 x123', '020 7946 0958 x123'],
    [{}, '(212) 555-0100 ext. 7', '(212) 555-0100 ext. 7'],
    [
      {},
      'call reception',
      'type.phone: Phone: a phone number has no letters (other than an extension such as x123)',
    ],
    [
      {},
      '0800-FLOWERS',
      'type.phone: Phone: a phone number has no letters (other than an extension such as x123)',
    ],
    [{}, '020*7946', 'type.phone: Phone: a phone number has digits, spaces and + ( ) - . / only'],
    [{}, '()', 'type.phone: Phone: a phone number has digits, spaces and + ( ) - . / only'],
    [{ normalize: 'e164', defaultCountryCode: '44' }, '020 7946 0958', '+442079460958'],
    [{ normalize: 'e164', defaultCountryCode: '+44' }, '07700 900123', '+447700900123'],
    [{ normalize: 'e164', defaultCountryCode: '1' }, '(212) 555-0100', '+12125550100'],
    [{ normalize: 'e164', defaultCountryCode: '1' }, '1-212-555-0100', '+12125550100'],
    [{ normalize: 'e164' }, '+61 2 9374 4000', '+61293744000'],
    [{ normalize: 'e164' }, '0061 2 9374 4000', '+61293744000'],
    [
      { normalize: 'e164' },
      '020 7946 0958',
      'type.phone: Phone: a national number needs a country code (set defaultCountryCode)',
    ],
    [{ normalize: 'e164' }, '+44 20 7946 0958 x12', 'type.phone: Phone: an E.164 number has no extension'],
    [{ normalize: 'e164' }, '+123', 'type.phone: Phone: an E.164 number has 7 to 15 digits'],
    [{ normalize: 'e164' }, '+0 20 7946 0958', 'type.phone: Phone: a country code does not start with 0'],
  ] as [ValueRuleSpec, string, string][])('%o phone %s → %s', (spec, raw, expected) => {
    expect(out(spec, PHONE, raw)).toBe(expected);
  });

  it('takes the default country code from the mapping and refuses a malformed one', () => {
    expect(out({ normalize: 'e164' }, PHONE, '020 7946 0958', { defaultCountryCode: '44' })).toBe(
      '+442079460958',
    );
    expect(problems({ normalize: 'e164', defaultCountryCode: '044' }, PHONE)).toEqual([
      { key: 'defaultCountryCode', message: 'defaultCountryCode is 1 to 3 digits, like 44 or +1' },
    ]);
  });

  it.each([
    ['https://www.example.org/care?x=1', 'https://www.example.org/care?x=1'],
    ['www.example.org', 'www.example.org'],
    ['example.org:8080/path', 'example.org:8080/path'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['mailto:care@example.org', 'mailto:care@example.org'],
    ['https://www.example .org', 'type.url: Website: a URL has no spaces'],
    [
      'javascript:alert(1)',
      'type.url: Website: the scheme javascript: is not http, https, ftp, ftps or mailto',
    ],
    ['intranet', 'type.url: Website: the host name needs a dot'],
    ['http://', 'type.url: Website: is not a URL'],
  ])('checks the URL %s', (raw, expected) => {
    expect(out({}, WEBSITE, raw)).toBe(expected);
  });
});

describe('Salesforce Ids', () => {
  it('validates length, characters and the 18-character checksum', () => {
    expect(isValidSalesforceId(CONTACT_ID)).toBe(true);
    expect(isValidSalesforceId(CONTACT_ID.slice(0, 15))).toBe(true);
    expect(isValidSalesforceId(CONTACT_ID.slice(0, 15) + CONTACT_ID.slice(15).toLowerCase())).toBe(true);
    expect(idProblem('003')).toBe('an Id has 15 or 18 characters, not 3');
    expect(idProblem('0038c00002AbC-E')).toBe('an Id has only letters and digits');
    expect(idProblem(`${CONTACT_ID.slice(0, 15)}999`)).toBe('an Id has only letters and digits');
    expect(idProblem(CONTACT_ID.toLowerCase())).toBe(
      'the last 3 characters do not match the case of the first 15 (a mistyped Id or one whose case was changed)',
    );
    expect(idProblem('000000000000000')).toBe('the key prefix 000 is not an object');
    expect(toId18(CONTACT_ID.slice(0, 15))).toBe(CONTACT_ID);
  });

  it('computes the documented checksum', () => {
    // Upper-case positions 1..5 → bits; 'AAA' when no letter is upper case.
    expect(idChecksum('001000000000000')).toBe('AAA');
    expect(idChecksum('A00000000000000')).toBe('BAA');
    expect(idChecksum('00000B000000000')).toBe('ABA');
    expect(idChecksum('0000000000ZZZZZ')).toBe('AA5');
  });

  it('names the object of an Id from the org key prefixes', () => {
    expect(objectOfId(LEAD_ID, PREFIXES)).toBe('Lead');
    expect(objectOfId('zzz000000000000', PREFIXES)).toBeUndefined();
  });

  it('loads a raw Id into a reference only when its key prefix is one of the field targets', () => {
    const context = { keyPrefixes: PREFIXES };
    expect(out({}, WHO, CONTACT_ID, {}, context)).toBe(CONTACT_ID);
    expect(out({}, WHO, LEAD_ID.slice(0, 15), {}, context)).toBe(LEAD_ID.slice(0, 15));
    expect(out({}, WHO, ACCOUNT_ID, {}, context)).toBe(
      'idPrefix: WhoId: the Id belongs to Account; WhoId takes Contact or Lead Ids',
    );
    expect(out({}, WHO, `zzz8c00003QwErT`, {}, context)).toBe(
      'idPrefix: WhoId: key prefix zzz is none of Contact (003), Lead (00Q); WhoId takes Contact or Lead Ids',
    );
    expect(out({}, WHO, `zzz8c00003QwErT`, {}, { ...context, everyKeyPrefix: true })).toBe(
      'idPrefix: WhoId: key prefix zzz is not an object of this org; WhoId takes Contact or Lead Ids',
    );
    expect(out({}, WHO, ACCOUNT_ID)).toBe(ACCOUNT_ID);
    expect(out({}, WHO, 'not-an-id', {}, context)).toBe(
      'type.id: WhoId: an Id has 15 or 18 characters, not 9',
    );
  });

  it("checks the record's own Id against the object being loaded", () => {
    const context = { keyPrefixes: PREFIXES, object: 'Contact' };
    expect(out({}, RECORD_ID, CONTACT_ID, {}, context)).toBe(CONTACT_ID);
    expect(out({}, RECORD_ID, LEAD_ID, {}, context)).toBe(
      'idPrefix: Id: the Id belongs to Lead; Id takes Contact Ids',
    );
  });
});

describe('spec problems', () => {
  it('names every key that does not apply to the field type', () => {
    expect(
      problems(
        { format: 'dd/MM/yyyy', decimal: ',', booleans: { true: ['y'], false: ['n'] }, separator: ',' },
        SUBJECT,
      ),
    ).toEqual([
      {
        key: 'format',
        message: 'format applies to date, datetime and time fields; Subject is a string field',
      },
      {
        key: 'decimal',
        message: 'decimal applies to number, currency and percent fields; Subject is a string field',
      },
      {
        key: 'booleans',
        message: 'booleans applies to checkbox (boolean) fields; Subject is a string field',
      },
      {
        key: 'separator',
        message: 'separator applies to multi-select picklist fields; Subject is a string field',
      },
    ]);
    expect(problems({ maxLength: 5 }, CONSENT)).toEqual([
      {
        key: 'maxLength',
        message:
          'maxLength applies to text, picklist, email, phone and URL fields; HasOptedOutOfEmail is a boolean field',
      },
    ]);
    expect(problems({ normalize: 'e164' }, EMAIL)).toEqual([
      { key: 'normalize', message: 'normalize applies to phone fields; Email is an email field' },
    ]);
  });

  it('refuses compound and unknown field types, and type overrides on typed fields', () => {
    expect(problems({}, { name: 'BillingAddress', type: 'address' })).toEqual([
      {
        key: 'type',
        message:
          'BillingAddress is an address field, which value rules cannot load (map its component fields)',
      },
    ]);
    expect(problems({}, { name: 'Body', type: 'base64' })).toEqual([
      { key: 'type', message: 'Body is a base64 field, which value rules cannot load' },
    ]);
    expect(problems({ type: 'date' }, CONSENT)).toEqual([
      {
        key: 'type',
        message:
          'HasOptedOutOfEmail is a boolean field; only text fields take another type (its value is then written as text)',
      },
    ]);
    expect(problems({ type: 'datum' }, SUBJECT)).toMatchObject([
      { key: 'type', message: expect.stringMatching(/^type datum is not one of: string, textarea/) },
    ]);
    expect(problems({ separator: '' }, CONDITIONS)).toEqual([
      { key: 'separator', message: 'separator cannot be empty' },
    ]);
  });

  it('coerces a text field as another type when asked', () => {
    expect(out({ type: 'date', format: 'dd/MM/yyyy' }, SUBJECT, '05/03/2026')).toBe('2026-03-05');
    expect(out({ type: 'boolean' }, SUBJECT, 'yes')).toBe('true');
  });

  it('reports all problems at once, keyed for the mapping to point at their lines', () => {
    const error = (() => {
      try {
        compileValueRule({ pattern: '(', maxLength: 99, allowedValues: [] }, SUBJECT);
      } catch (e) {
        return e as ValueSpecError;
      }
    })();
    expect(error?.problems.map((p) => p.key)).toEqual(['allowedValues', 'maxLength', 'pattern']);
    expect(error?.message.split('\n')).toHaveLength(3);
  });
});

describe('long cells', () => {
  // Bulk allows 131,072 characters per field; a backtracking regex would take seconds on these.
  const long = (head: string, filler: string, tail: string) => head + filler.repeat(60_000) + tail;

  it.each([
    ['phone', PHONE, long('1', ' ', 'a')],
    ['phone extension', PHONE, long('x', ' ', 'a')],
    ['email', EMAIL, long('a', 'b.', '@x')],
    ['url', WEBSITE, long('http://', 'a.', ' ')],
    ['number', { name: 'N__c', type: 'double', nillable: true }, long('1', '1', 'x')],
  ] as [string, ValueField, string][])('rejects a long malformed %s cell quickly', (_kind, field, raw) => {
    const started = performance.now();
    expect(compileValueRule({}, field)(raw).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

import { describe, expect, it } from 'vitest';
import { MappingError } from '../../functions/shared/errors.ts';
import {
  type CompiledCompound,
  type CompileOptions,
  type CompoundSpec,
  compileCompound,
} from '../../functions/shared/mapping/compound/index.ts';
import type { SObjectDescribe } from '../../functions/shared/salesforce-port.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';
import { withoutFields, withStateAndCountryPicklists } from './compound-describes.ts';

const describeOrg = defaultOrgDescribe();

const row =
  (values: Record<string, string>) =>
  (column: string): string =>
    values[column] ?? '';

async function compile(
  object: string | SObjectDescribe,
  compound: string,
  spec: CompoundSpec,
  options?: CompileOptions,
): Promise<CompiledCompound> {
  const describe = typeof object === 'string' ? await describeOrg(object) : object;
  return compileCompound(spec, describe, compound, options);
}

async function compileError(
  object: string | SObjectDescribe,
  compound: string,
  spec: CompoundSpec,
  options?: CompileOptions,
): Promise<string> {
  try {
    await compile(object, compound, spec, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingError');
}

const coded = async (object: string, labels = true) =>
  withStateAndCountryPicklists(await describeOrg(object), { labels });

describe('compileCompound: address', () => {
  it('writes street lines, city, state, postal code and country from separate columns', async () => {
    const address = await compile('Contact', 'MailingAddress', {
      address: {
        street: ['addr1', 'addr2', 'addr3'],
        city: 'town',
        state: 'county',
        postalCode: 'pc',
        country: 'ctry',
      },
    });
    expect(address.columns).toEqual(['addr1', 'addr2', 'addr3', 'town', 'county', 'pc', 'ctry']);
    expect(address.outputs).toEqual([
      'MailingStreet',
      'MailingCity',
      'MailingState',
      'MailingPostalCode',
      'MailingCountry',
    ]);
    expect(
      address.apply(
        row({
          addr1: '12 High St',
          addr2: ' ',
          addr3: 'Flat 3',
          town: 'Leeds',
          county: 'West Yorkshire',
          pc: 'LS1 4AB',
          ctry: 'UK',
        }),
      ),
    ).toEqual({ ok: true, values: ['12 High St\nFlat 3', 'Leeds', 'West Yorkshire', 'LS1 4AB', 'UK'] });
  });

  it('writes only the components a rule feeds, in the documented order', async () => {
    const address = await compile('Lead', 'Address', { address: { postalCode: 'zip', city: 'town' } });
    expect(address.outputs).toEqual(['City', 'PostalCode']);
  });

  it('writes every component blank for a blank address, default country included', async () => {
    const address = await compile('Account', 'BillingAddress', {
      address: { street: 'street', city: 'city', defaultCountry: 'United Kingdom' },
    });
    expect(address.outputs).toEqual(['BillingStreet', 'BillingCity', 'BillingCountry']);
    expect(address.apply(row({ street: '  ', city: '' }))).toEqual({ ok: true, values: ['', '', ''] });
    expect(address.apply(row({ city: 'Leeds' }))).toEqual({
      ok: true,
      values: ['', 'Leeds', 'United Kingdom'],
    });
  });

  it('parses one free-text column', async () => {
    const address = await compile('Account', 'BillingAddress', { address: { text: 'full_address' } });
    expect(address.columns).toEqual(['full_address']);
    expect(address.outputs).toEqual([
      'BillingStreet',
      'BillingCity',
      'BillingState',
      'BillingPostalCode',
      'BillingCountry',
    ]);
    expect(
      address.apply(row({ full_address: '12 High St, Flat 3, Leeds, LS1 4AB, United Kingdom' })),
    ).toEqual({
      ok: true,
      values: ['12 High St\nFlat 3', 'Leeds', '', 'LS1 4AB', 'United Kingdom'],
    });
  });

  it('rejects free text it cannot read, naming the column and the rule', async () => {
    const address = await compile('Account', 'BillingAddress', { address: { text: 'full_address' } });
    expect(address.apply(row({ full_address: '12 High St, Leeds' }))).toEqual({
      ok: false,
      rejects: [
        {
          column: 'full_address',
          value: '12 High St, Leeds',
          rule: 'address.unparsed',
          message:
            'cannot read the address "12 High St, Leeds": it has no country, postal code or state to tell the city from the street',
        },
      ],
    });
  });

  it('reads one JSON column and rejects unknown keys', async () => {
    const address = await compile('Contact', 'OtherAddress', { address: { json: 'addr' } });
    expect(
      address.apply(
        row({ addr: '{"street": ["1 Main St", "Apt 2"], "city": "Springfield", "zip": "62704"}' }),
      ),
    ).toEqual({
      ok: true,
      values: ['1 Main St\nApt 2', 'Springfield', '', '62704', ''],
    });
    expect(address.apply(row({ addr: '{"town": "Leeds"}' }))).toMatchObject({
      ok: false,
      rejects: [{ column: 'addr', rule: 'address.json' }],
    });
  });

  it('rejects a component longer than its field', async () => {
    const address = await compile('Account', 'BillingAddress', {
      address: { city: 'city', postalCode: 'pc' },
    });
    const city = 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch';
    expect(address.apply(row({ city, pc: 'LL61 5UJ' }))).toEqual({
      ok: false,
      rejects: [
        {
          column: 'city',
          value: city,
          rule: 'address.tooLong',
          message: 'BillingCity would be 58 characters; it holds at most 40',
        },
      ],
    });
  });

  it('writes latitude and longitude columns with the address, checked and rounded to describe scale', async () => {
    const address = await compile('Account', 'BillingAddress', {
      address: { city: 'city', latitude: 'lat', longitude: 'lon', geocodeAccuracy: 'acc' },
    });
    expect(address.outputs).toEqual([
      'BillingCity',
      'BillingLatitude',
      'BillingLongitude',
      'BillingGeocodeAccuracy',
    ]);
    expect(address.apply(row({ city: 'Leeds', lat: '53.7996388', lon: '-1.5491221', acc: 'zip' }))).toEqual({
      ok: true,
      values: ['Leeds', '53.7996388', '-1.5491221', 'Zip'],
    });
    expect(address.apply(row({ city: 'Leeds', lat: '53.8', lon: '-200', acc: '' }))).toMatchObject({
      ok: false,
      rejects: [{ column: 'lon', value: '-200', rule: 'geo.range' }],
    });
    expect(address.apply(row({ city: 'Leeds', lat: '53.8', lon: '-1.5', acc: 'Rooftop' }))).toMatchObject({
      ok: false,
      rejects: [{ column: 'acc', rule: 'address.picklist' }],
    });
  });

  describe('with state and country picklists', () => {
    it('writes the code fields instead of the text fields', async () => {
      const address = await compile(await coded('Account'), 'BillingAddress', { address: { text: 'addr' } });
      expect(address.outputs).toEqual([
        'BillingStreet',
        'BillingCity',
        'BillingStateCode',
        'BillingPostalCode',
        'BillingCountryCode',
      ]);
      expect(address.apply(row({ addr: '1 Main St, Springfield, IL 62704' }))).toEqual({
        ok: true,
        values: ['1 Main St', 'Springfield', 'IL', '62704', 'US'],
      });
    });

    it.each([
      [true, 'california', 'united states', 'CA', 'US'],
      [true, 'Ontario', 'Canada', 'ON', 'CA'],
      [true, 'WA', 'Australia', 'WA', 'AU'],
      [true, 'Western Australia', 'australia', 'WA', 'AU'],
      [true, 'NY', 'us', 'NY', 'US'],
      [true, '', 'United Kingdom', '', 'GB'],
      [true, '', 'England', '', 'GB'],
      [false, 'California', 'United States of America', 'CA', 'US'],
      [false, 'British Columbia', 'Canada', 'BC', 'CA'],
      [false, '', 'U.K.', '', 'GB'],
    ])(
      'with labels %s, maps state %j and country %j to %s and %s',
      async (labels, state, country, stateCode, countryCode) => {
        const address = await compile(await coded('Contact', labels), 'MailingAddress', {
          address: { state: 'state', country: 'country' },
        });
        expect(address.outputs).toEqual(['MailingStateCode', 'MailingCountryCode']);
        expect(address.apply(row({ state, country }))).toEqual({
          ok: true,
          values: [stateCode, countryCode],
        });
      },
    );

    it('rejects a country the picklist lacks and a state not of its country', async () => {
      const address = await compile(await coded('Contact'), 'MailingAddress', {
        address: { state: 'state', country: 'country' },
      });
      expect(address.apply(row({ state: 'Leinster', country: 'Atlantis' }))).toEqual({
        ok: false,
        rejects: [
          {
            column: 'country',
            value: 'Atlantis',
            rule: 'address.country',
            message: 'country "Atlantis" is not in this org\'s country picklist (MailingCountryCode)',
          },
          {
            column: 'state',
            value: 'Leinster',
            rule: 'address.state',
            message: 'state "Leinster" needs a country to find its code in MailingStateCode',
          },
        ],
      });
      expect(address.apply(row({ state: 'Ontario', country: 'United States' }))).toMatchObject({
        ok: false,
        rejects: [
          {
            column: 'state',
            rule: 'address.state',
            message: 'state "Ontario" is not a state of US in this org\'s state picklist (MailingStateCode)',
          },
        ],
      });
    });

    it('uses the default country to find state codes', async () => {
      const address = await compile(await coded('Lead'), 'Address', {
        address: { city: 'city', state: 'state', defaultCountry: 'Canada' },
      });
      expect(address.outputs).toEqual(['City', 'StateCode', 'CountryCode']);
      expect(address.apply(row({ city: 'Toronto', state: 'on' }))).toEqual({
        ok: true,
        values: ['Toronto', 'ON', 'CA'],
      });
    });

    it('refuses a state column without a country, and a default country the picklist lacks', async () => {
      expect(await compileError(await coded('Lead'), 'Address', { address: { state: 'state' } })).toBe(
        'Address: state codes (StateCode) need the country; map country or set defaultCountry',
      );
      expect(
        await compileError(await coded('Lead'), 'Address', {
          address: { country: 'c', defaultCountry: 'Japan' },
        }),
      ).toBe('defaultCountry "Japan" is not in this org\'s country picklist (CountryCode)');
    });
  });

  it.each<[string, string, CompoundSpec, string]>([
    [
      'Contact',
      'Name',
      { address: { text: 'a' } },
      'Name is a person name; give it a name: rule, not address:',
    ],
    [
      'Account',
      'BillingAddress',
      { geolocation: { column: 'c' } },
      'BillingAddress is an address; give it an address: rule, not geolocation:',
    ],
    ['Account', 'Phone', { address: { text: 'a' } }, 'Phone is not a compound field of Account'],
    [
      'Account',
      'BillingAddress',
      { address: { city: 'c', latitude: 'lat' } },
      'BillingAddress: map both latitude and longitude, or neither',
    ],
    [
      'Account',
      'BillingAddress',
      { address: { city: 'c', defaultCountry: 'Narnia' } },
      'defaultCountry "Narnia" is not a country Polyload knows',
    ],
  ])('refuses on %s.%s the rule %j', async (object, compound, spec, message) => {
    expect(await compileError(object, compound, spec)).toBe(message);
  });

  it('refuses a component the org does not have', async () => {
    const describe = withoutFields(await describeOrg('Account'), 'BillingGeocodeAccuracy');
    expect(
      await compileError(describe, 'BillingAddress', { address: { city: 'c', geocodeAccuracy: 'acc' } }),
    ).toBe('BillingAddress has no geocodeAccuracy component in this org');
  });
});

describe('compileCompound: name', () => {
  it('parses one full-name column into every name field of the org', async () => {
    const name = await compile('Contact', 'Name', {
      name: { format: 'Last, First', column: 'patient_name' },
    });
    expect(name.columns).toEqual(['patient_name']);
    expect(name.outputs).toEqual(['Salutation', 'FirstName', 'MiddleName', 'LastName', 'Suffix']);
    expect(name.apply(row({ patient_name: 'King, dr Martin Luther, Jr.' }))).toEqual({
      ok: true,
      values: ['Dr.', 'Martin', 'Luther', 'King', 'Jr.'],
    });
  });

  it('folds the middle name into FirstName and the suffix into LastName when the org has neither field', async () => {
    const describe = withoutFields(await describeOrg('Lead'), 'MiddleName', 'Suffix');
    const name = await compile(describe, 'Name', { name: { format: 'First Last', column: 'n' } });
    expect(name.outputs).toEqual(['Salutation', 'FirstName', 'LastName']);
    expect(name.apply(row({ n: 'Mrs Jane Ann van der Berg III' }))).toEqual({
      ok: true,
      values: ['Mrs.', 'Jane Ann', 'van der Berg III'],
    });
  });

  it('folds the salutation into FirstName where there is no Salutation field (User)', async () => {
    const name = await compile('User', 'Name', { name: { format: 'First Last', column: 'n' } });
    expect(name.outputs).toEqual(['FirstName', 'LastName']);
    expect(name.apply(row({ n: 'Dr Jane Ann Smith' }))).toEqual({
      ok: true,
      values: ['Dr Jane Ann', 'Smith'],
    });
  });

  it('writes separate columns, folding a middle-name column the org cannot hold', async () => {
    const describe = withoutFields(await describeOrg('Contact'), 'MiddleName');
    const name = await compile(describe, 'Name', {
      name: { first: 'given', middle: 'middle', last: 'family', salutation: 'title' },
    });
    expect(name.columns).toEqual(['title', 'given', 'middle', 'family']);
    expect(name.outputs).toEqual(['Salutation', 'FirstName', 'LastName']);
    expect(name.apply(row({ title: 'prof', given: ' Ada ', middle: 'King', family: 'Lovelace' }))).toEqual({
      ok: true,
      values: ['Prof.', 'Ada King', 'Lovelace'],
    });
  });

  it('rejects a row with no last name, and a blank name on insert only', async () => {
    const spec: CompoundSpec = { name: { first: 'given', last: 'family' } };
    const insert = await compile('Contact', 'Name', spec, { operation: 'insert' });
    expect(insert.apply(row({ given: 'Ada' }))).toEqual({
      ok: false,
      rejects: [
        {
          column: 'family',
          value: '',
          rule: 'name.lastMissing',
          message: 'the name has no last name (column family is blank)',
        },
      ],
    });
    expect(insert.apply(row({}))).toEqual({
      ok: false,
      rejects: [
        {
          column: 'family',
          value: '',
          rule: 'name.lastMissing',
          message: 'LastName is required on insert but the name is blank',
        },
      ],
    });
    const update = await compile('Contact', 'Name', spec, { operation: 'update' });
    expect(update.apply(row({}))).toEqual({ ok: true, values: ['', ''] });
    expect(update.apply(row({ given: 'Ada' }))).toMatchObject({
      ok: false,
      rejects: [{ rule: 'name.lastMissing' }],
    });
  });

  it('rejects an unreadable full name and one with no last name', async () => {
    const name = await compile(
      'Lead',
      'Name',
      { name: { format: 'Last, First', column: 'n' } },
      { operation: 'insert' },
    );
    expect(name.apply(row({ n: 'Jane Smith' }))).toMatchObject({
      ok: false,
      rejects: [{ column: 'n', value: 'Jane Smith', rule: 'name.unparsed' }],
    });
    expect(name.apply(row({ n: ', Jane' }))).toMatchObject({
      ok: false,
      rejects: [{ column: 'n', rule: 'name.lastMissing', message: 'the name ", Jane" has no last name' }],
    });
  });

  it('rejects a salutation a restricted picklist lacks and a name longer than its field', async () => {
    const base = await describeOrg('Contact');
    const restricted = {
      ...base,
      fields: base.fields.map((f) => (f.name === 'Salutation' ? { ...f, restrictedPicklist: true } : f)),
    };
    const name = await compile(restricted, 'Name', { name: { salutation: 't', first: 'f', last: 'l' } });
    expect(name.apply(row({ t: 'Rev', f: 'A'.repeat(41), l: 'Smith' }))).toEqual({
      ok: false,
      rejects: [
        {
          column: 't',
          value: 'Rev',
          rule: 'name.salutation',
          message: '"Rev" is not a value of Salutation (Mr., Ms., Mrs., Dr., Prof., Mx.)',
        },
        {
          column: 'f',
          value: 'A'.repeat(41),
          rule: 'name.tooLong',
          message: 'FirstName would be 41 characters; it holds at most 40',
        },
      ],
    });
    const open = await compile('Contact', 'Name', { name: { salutation: 't', last: 'l' } });
    expect(open.apply(row({ t: 'Rev', l: 'Smith' }))).toEqual({ ok: true, values: ['Rev', 'Smith'] });
  });

  it('refuses a columns rule without last on insert, and an unknown format', async () => {
    expect(await compileError('Contact', 'Name', { name: { first: 'f' } }, { operation: 'insert' })).toBe(
      'Name: map last (LastName is required on insert)',
    );
    expect(
      await compileError('Contact', 'Name', { name: { column: 'n', format: 'First Middle Last' } }),
    ).toBe('format "First Middle Last" is not one of "First Last", "Last, First", "Last First"');
  });
});

describe('compileCompound: geolocation', () => {
  it('reads one "lat,lon" column into the custom geolocation components at describe scale', async () => {
    const geo = await compile('Facility__c', 'Location__c', { geolocation: { column: 'coords' } });
    expect(geo.columns).toEqual(['coords']);
    expect(geo.outputs).toEqual(['Location__Latitude__s', 'Location__Longitude__s']);
    expect(geo.apply(row({ coords: '(51.50722222, -0.1275)' }))).toEqual({
      ok: true,
      values: ['51.5072222', '-0.1275'],
    });
    expect(geo.apply(row({ coords: '' }))).toEqual({ ok: true, values: ['', ''] });
    expect(geo.apply(row({ coords: '95, 0' }))).toEqual({
      ok: false,
      rejects: [
        { column: 'coords', value: '95, 0', rule: 'geo.range', message: 'latitude 95 is outside −90..90' },
      ],
    });
  });

  it('reads two columns with decimal commas and names the column at fault', async () => {
    const geo = await compile('Facility__c', 'location__c', {
      geolocation: { latitude: 'lat', longitude: 'lon', decimalComma: true },
    });
    expect(geo.apply(row({ lat: '53,8', lon: '-1,55' }))).toEqual({ ok: true, values: ['53.8', '-1.55'] });
    expect(geo.apply(row({ lat: '53,8', lon: 'west' }))).toEqual({
      ok: false,
      rejects: [
        {
          column: 'lon',
          value: 'west',
          rule: 'geo.unparsed',
          message: 'longitude "west" is not a decimal number with a decimal comma',
        },
      ],
    });
  });
});

/**
 * Describes for compound-field tests: the default org's objects with state and country picklists turned
 * on, as a real org describes them (code picklists whose labels are names, states controlled by country
 * through validFor bitmaps), and as the jsforce adapter passes them on (values only).
 */
import type { DescribeField, SObjectDescribe } from '../../functions/shared/salesforce-port.ts';

const COUNTRIES: [string, string][] = [
  ['AU', 'Australia'],
  ['CA', 'Canada'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['US', 'United States'],
];

const STATES: [country: string, code: string, label: string][] = [
  ['US', 'CA', 'California'],
  ['US', 'IL', 'Illinois'],
  ['US', 'NY', 'New York'],
  ['US', 'WA', 'Washington'],
  ['US', 'DC', 'District of Columbia'],
  ['CA', 'ON', 'Ontario'],
  ['CA', 'BC', 'British Columbia'],
  ['AU', 'NSW', 'New South Wales'],
  ['AU', 'WA', 'Western Australia'],
  ['IE', 'D', 'Dublin'],
];

function validFor(countryIndex: number): string {
  const bytes = new Uint8Array(Math.ceil(COUNTRIES.length / 8));
  bytes[countryIndex >> 3] = 0x80 >> (countryIndex & 7);
  return Buffer.from(bytes).toString('base64');
}

function picklist(name: string, compound: string, values: DescribeField['picklistValues']): DescribeField {
  return {
    name,
    label: name,
    type: 'picklist',
    length: 255,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    externalId: false,
    idLookup: false,
    unique: false,
    referenceTo: [],
    relationshipName: null,
    polymorphicForeignKey: false,
    picklistValues: values,
    restrictedPicklist: true,
    compoundFieldName: compound,
  };
}

/** `describe` with `<Prefix>StateCode` and `<Prefix>CountryCode` added to every address. */
export function withStateAndCountryPicklists(
  describe: SObjectDescribe,
  options: { labels?: boolean } = {},
): SObjectDescribe {
  const labels = options.labels ?? true;
  const added: DescribeField[] = [];
  for (const address of describe.fields.filter((f) => f.type === 'address')) {
    const prefix = address.name.replace(/Address$/, '');
    const countries = COUNTRIES.map(([value, label]) => ({
      value,
      active: true,
      ...(labels ? { label } : {}),
    }));
    const states = STATES.map(([country, value, label]) => ({
      value,
      active: true,
      ...(labels ? { label, validFor: validFor(COUNTRIES.findIndex(([c]) => c === country)) } : {}),
    }));
    added.push(picklist(`${prefix}CountryCode`, address.name, countries));
    added.push(picklist(`${prefix}StateCode`, address.name, states));
  }
  return { ...describe, fields: [...describe.fields, ...added] };
}

/** `describe` without the fields named (an org where MiddleName and Suffix are off, say). */
export function withoutFields(describe: SObjectDescribe, ...names: string[]): SObjectDescribe {
  return { ...describe, fields: describe.fields.filter((f) => !names.includes(f.name)) };
}

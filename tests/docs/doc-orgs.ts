/**
 * The orgs docs/mapping.md's examples are checked against: the emulator's default org, and variants of
 * it for the few rules the default org cannot show (named by `<!-- doc-test: org=NAME -->`, and said in
 * the doc's prose): state and country picklists turned on, a restricted Salutation picklist, and Task
 * fields of the types the default org lacks (a multi-select picklist, a time).
 */
import type { DescribeFn } from '../../functions/shared/mapping/plan-mapping.ts';
import type { DescribeField, SObjectDescribe } from '../../functions/shared/salesforce-port.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';

const COUNTRIES: [code: string, label: string][] = [
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
  ['CA', 'ON', 'Ontario'],
  ['CA', 'BC', 'British Columbia'],
  ['AU', 'NSW', 'New South Wales'],
  ['AU', 'WA', 'Western Australia'],
];

/** A describe bitmap with the bit of one controlling value set. */
function validFor(index: number): string {
  const bytes = new Uint8Array(Math.ceil(COUNTRIES.length / 8));
  bytes[index >> 3] = 0x80 >> (index & 7);
  return Buffer.from(bytes).toString('base64');
}

function field(name: string, type: string, extra: Partial<DescribeField> = {}): DescribeField {
  return {
    name,
    label: name,
    type,
    length: type === 'time' ? 0 : 255,
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
    picklistValues: [],
    restrictedPicklist: false,
    compoundFieldName: null,
    ...extra,
  };
}

type Variant = (describe: SObjectDescribe) => SObjectDescribe;

const VARIANTS: Record<string, Variant> = {
  default: (describe) => describe,
  /** Every address gains `<Prefix>StateCode` and `<Prefix>CountryCode`, as a real org describes them. */
  'state-country-picklists': (describe) => {
    const added = describe.fields
      .filter((f) => f.type === 'address')
      .flatMap((address) => {
        const prefix = address.name.replace(/Address$/, '');
        const countries = COUNTRIES.map(([value, label]) => ({ value, label, active: true }));
        const states = STATES.map(([country, value, label]) => ({
          value,
          label,
          active: true,
          validFor: validFor(COUNTRIES.findIndex(([code]) => code === country)),
        }));
        const picklist = { compoundFieldName: address.name, restrictedPicklist: true };
        return [
          field(`${prefix}CountryCode`, 'picklist', { ...picklist, picklistValues: countries }),
          field(`${prefix}StateCode`, 'picklist', {
            ...picklist,
            picklistValues: states,
            controllerName: `${prefix}CountryCode`,
          }),
        ];
      });
    return { ...describe, fields: [...describe.fields, ...added] };
  },
  'restricted-salutation': (describe) => ({
    ...describe,
    fields: describe.fields.map((f) => (f.name === 'Salutation' ? { ...f, restrictedPicklist: true } : f)),
  }),
  /** Task.Topics__c, a restricted multi-select picklist, and Task.Preferred_Time__c, a time. */
  'extra-fields': (describe) =>
    describe.name !== 'Task'
      ? describe
      : {
          ...describe,
          fields: [
            ...describe.fields,
            field('Topics__c', 'multipicklist', {
              length: 4099,
              restrictedPicklist: true,
              picklistValues: ['Medication', 'Diet', 'Exercise', 'Follow-up'].map((value) => ({
                value,
                label: value,
                active: true,
              })),
            }),
            field('Preferred_Time__c', 'time'),
          ],
        },
};

export const ORG_NAMES = Object.keys(VARIANTS);

/** The describe function of the named org. @throws Error for a name the doc should not use. */
export function docOrg(name = 'default'): DescribeFn {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown doc-test org "${name}" (known: ${ORG_NAMES.join(', ')})`);
  const org = defaultOrgDescribe();
  return async (object) => variant(await org(object));
}

/**
 * The mapping-file shape of a compound field rule, exposed 1:1 in YAML under the compound's name:
 *
 * ```yaml
 * MailingAddress:                 # an address: BillingAddress, ShippingAddress, Lead's Address...
 *   address: { street: [addr1, addr2], city: town, state: county, postalCode: postcode, country: country }
 *   # or: address: { text: full_address, defaultCountry: United Kingdom }
 *   # or: address: { json: address_json }
 * Name:                           # a person name: Contact, Lead (and User) Name
 *   name: { format: "Last, First", column: patient_name }
 *   # or: name: { salutation: title, first: given, middle: middle, last: family, suffix: suffix }
 * Location__c:                    # a geolocation
 *   geolocation: { column: coords }          # "lat,lon"; add decimalComma: true for "51,5;-0,1"
 *   # or: geolocation: { latitude: lat, longitude: lon }
 * ```
 *
 * address (one of three forms):
 * - columns: `street` (a column or a list of columns, joined as lines), `city`, `state`, `postalCode`,
 *   `country`, `latitude`, `longitude`, `geocodeAccuracy`: source column names, each optional, at least
 *   one given;
 * - `text`: the column holding the whole address as free text;
 * - `json`: the column holding the address as a JSON object;
 * - every form: `defaultCountry` (a country name or ISO code written when a non-blank address has no
 *   country); columns form: `decimalComma` (latitude/longitude written `51,5`).
 * name (one of two forms):
 * - `column` + `format` (`"First Last"`, `"Last, First"` or `"Last First"`);
 * - columns: `salutation`, `first`, `middle`, `last`, `suffix`, each optional, at least one given.
 * geolocation (one of two forms): `column` (`"lat,lon"`), or `latitude` + `longitude`; both forms take
 * `decimalComma`.
 */
import { nameFormatOf } from './person-name.ts';

export interface AddressColumnsSpec {
  street?: string | string[];
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  latitude?: string;
  longitude?: string;
  geocodeAccuracy?: string;
  defaultCountry?: string;
  decimalComma?: boolean;
}

export interface AddressTextSpec {
  text: string;
  defaultCountry?: string;
}

export interface AddressJsonSpec {
  json: string;
  defaultCountry?: string;
}

export type AddressSpec = AddressColumnsSpec | AddressTextSpec | AddressJsonSpec;

export interface NameColumnsSpec {
  salutation?: string;
  first?: string;
  middle?: string;
  last?: string;
  suffix?: string;
}

export interface NameTextSpec {
  column: string;
  format: string;
}

export type NameSpec = NameColumnsSpec | NameTextSpec;

export interface GeolocationColumnsSpec {
  latitude: string;
  longitude: string;
  decimalComma?: boolean;
}

export interface GeolocationTextSpec {
  column: string;
  decimalComma?: boolean;
}

export type GeolocationSpec = GeolocationColumnsSpec | GeolocationTextSpec;

export type CompoundSpec = { address: AddressSpec } | { name: NameSpec } | { geolocation: GeolocationSpec };

/** One problem in a spec, with the path of keys to it for pointing at the YAML line. */
export interface SpecProblem {
  path: (string | number)[];
  message: string;
}

export const ADDRESS_COLUMN_KEYS = [
  'street',
  'city',
  'state',
  'postalCode',
  'country',
  'latitude',
  'longitude',
  'geocodeAccuracy',
] as const;
export const NAME_COLUMN_KEYS = ['salutation', 'first', 'middle', 'last', 'suffix'] as const;

const FORMS: Record<'address' | 'name' | 'geolocation', { keys: string[]; required: string[] }[]> = {
  address: [
    { keys: ['text', 'defaultCountry'], required: ['text'] },
    { keys: ['json', 'defaultCountry'], required: ['json'] },
    { keys: [...ADDRESS_COLUMN_KEYS, 'defaultCountry', 'decimalComma'], required: [] },
  ],
  name: [
    { keys: ['column', 'format'], required: ['column', 'format'] },
    { keys: [...NAME_COLUMN_KEYS], required: [] },
  ],
  geolocation: [
    { keys: ['column', 'decimalComma'], required: ['column'] },
    { keys: ['latitude', 'longitude', 'decimalComma'], required: ['latitude', 'longitude'] },
  ],
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a compound rule read from YAML (`{ address: {...} }`) and returns it typed, or every problem
 * with the path of keys to it.
 */
export function readCompoundSpec(
  raw: unknown,
): { ok: true; spec: CompoundSpec } | { ok: false; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const kinds = Object.keys(FORMS);
  if (!isRecord(raw) || Object.keys(raw).length !== 1 || !kinds.includes(Object.keys(raw)[0] ?? '')) {
    return {
      ok: false,
      problems: [{ path: [], message: `a compound field rule has exactly one key: ${kinds.join(', ')}` }],
    };
  }
  const [kind, body] = Object.entries(raw)[0] as ['address' | 'name' | 'geolocation', unknown];
  if (!isRecord(body)) {
    return { ok: false, problems: [{ path: [kind], message: `${kind} takes a map of its keys` }] };
  }
  const keys = Object.keys(body);
  // The form is the one whose required keys show up (text, json, column...), else the columns form.
  const form =
    FORMS[kind].find((f) => f.required.some((k) => keys.includes(k))) ??
    FORMS[kind].find((f) => f.required.length === 0) ??
    FORMS[kind].at(-1);
  if (!form) return { ok: false, problems: [{ path: [kind], message: `${kind} has no known form` }] };
  for (const key of keys) {
    if (!form.keys.includes(key)) {
      problems.push({
        path: [kind, key],
        message: `${kind} does not take "${key}" here (it takes ${form.keys.join(', ')})`,
      });
    }
  }
  for (const key of form.required) {
    if (!keys.includes(key)) problems.push({ path: [kind], message: `${kind} needs "${key}"` });
  }
  const columnKeys = form.keys.filter((k) => !['defaultCountry', 'decimalComma', 'format'].includes(k));
  if (form.required.length === 0 && !columnKeys.some((k) => keys.includes(k))) {
    problems.push({ path: [kind], message: `${kind} needs at least one of ${columnKeys.join(', ')}` });
  }
  for (const [key, value] of Object.entries(body)) {
    if (!form.keys.includes(key)) continue;
    if (key === 'decimalComma') {
      if (typeof value !== 'boolean')
        problems.push({ path: [kind, key], message: 'decimalComma is true or false' });
    } else if (key === 'street' && Array.isArray(value)) {
      if (value.length === 0)
        problems.push({ path: [kind, key], message: 'street lists at least one column' });
      value.forEach((item, index) => {
        if (typeof item !== 'string' || item.trim() === '') {
          problems.push({ path: [kind, key, index], message: 'a street line is a column name' });
        }
      });
    } else if (typeof value !== 'string' || value.trim() === '') {
      problems.push({
        path: [kind, key],
        message: `${key} is ${key === 'format' ? 'a name format' : key === 'defaultCountry' ? 'a country' : 'a column name'}`,
      });
    } else if (key === 'format' && nameFormatOf(value) === undefined) {
      problems.push({
        path: [kind, key],
        message: `format "${value}" is not one of "First Last", "Last, First", "Last First"`,
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, spec: raw as CompoundSpec };
}

/**
 * Which fields make up a compound field, read from the org's describe: components name their compound in
 * `compoundFieldName`. Each component gets a role (street, city, firstName, latitude...) from its name,
 * so a mapping can say `city` and Polyload writes `BillingCity`, `MailingCity` or Lead's `City`.
 *
 * State and country picklists: when an org enables them, every address gains `<Prefix>StateCode` and
 * `<Prefix>CountryCode` picklists (values are ISO codes, labels are names). Polyload then writes the code
 * fields and not the text ones, so the two can never disagree.
 */
import type { DescribeField, SObjectDescribe } from '../../salesforce-port.ts';

export type CompoundKind = 'address' | 'name' | 'geolocation';

export const ADDRESS_ROLES = [
  'street',
  'city',
  'state',
  'stateCode',
  'postalCode',
  'country',
  'countryCode',
  'latitude',
  'longitude',
  'geocodeAccuracy',
] as const;
export const NAME_ROLES = ['salutation', 'firstName', 'middleName', 'lastName', 'suffix'] as const;
export const GEOLOCATION_ROLES = ['latitude', 'longitude'] as const;

export type AddressRole = (typeof ADDRESS_ROLES)[number];
export type NameRole = (typeof NAME_ROLES)[number];
export type GeolocationRole = (typeof GEOLOCATION_ROLES)[number];
export type ComponentRole = AddressRole | NameRole | GeolocationRole;

/**
 * A picklist entry as Salesforce's describe returns it. The port's type keeps only value and active;
 * describes that carry labels and validFor (the emulator, the raw REST JSON) make code lookups by name
 * and by country possible.
 */
export interface PicklistEntry {
  value: string;
  active: boolean;
  label?: string;
  /** Base64 bitmap over the controlling field's values: which countries a state belongs to. */
  validFor?: string;
}

/** A component field with what the parsers need from describe. */
export interface ComponentField {
  name: string;
  role: ComponentRole;
  type: string;
  /** Max characters for text fields; 0 when describe gives none. */
  length: number;
  /** Decimal places of numbers (latitude, longitude), when describe gives them. */
  scale?: number;
  picklist: PicklistEntry[];
  restricted: boolean;
  createable: boolean;
  updateable: boolean;
  /** Not nillable and not defaulted: an insert must give it a value. */
  required: boolean;
}

export interface CompoundComponents {
  object: string;
  /** The compound field's API name as describe spells it. */
  compound: string;
  kind: CompoundKind;
  components: Map<ComponentRole, ComponentField>;
}

type DescribeFieldExtras = DescribeField & { scale?: number };

const ADDRESS_SUFFIXES: Record<string, AddressRole> = {
  street: 'street',
  city: 'city',
  state: 'state',
  statecode: 'stateCode',
  postalcode: 'postalCode',
  country: 'country',
  countrycode: 'countryCode',
  latitude: 'latitude',
  longitude: 'longitude',
  geocodeaccuracy: 'geocodeAccuracy',
};

const NAME_FIELDS: Record<string, NameRole> = {
  salutation: 'salutation',
  firstname: 'firstName',
  middlename: 'middleName',
  lastname: 'lastName',
  suffix: 'suffix',
};

/**
 * The components of compound field `name` on `describe`, with their roles; undefined when `name` is not
 * a compound field there (no field names it as compoundFieldName and it is not of type address/location).
 */
export function findCompound(describe: SObjectDescribe, name: string): CompoundComponents | undefined {
  const key = name.toLowerCase();
  const self = describe.fields.find((f) => f.name.toLowerCase() === key);
  const members = describe.fields.filter((f) => f.compoundFieldName?.toLowerCase() === key);
  const compound = self?.name ?? members[0]?.compoundFieldName ?? undefined;
  if (compound === undefined) return undefined;
  let kind: CompoundKind;
  if (self?.type === 'address') kind = 'address';
  else if (self?.type === 'location') kind = 'geolocation';
  else if (members.some((f) => Object.hasOwn(NAME_FIELDS, f.name.toLowerCase()))) kind = 'name';
  else if (members.some((f) => /__(latitude|longitude)__s$/i.test(f.name))) kind = 'geolocation';
  else if (members.some((f) => /street$/i.test(f.name))) kind = 'address';
  else return undefined;

  const components = new Map<ComponentRole, ComponentField>();
  const prefix = compound.replace(/address$/i, '').toLowerCase();
  // Some describes leave compoundFieldName off the code picklists: find those by name as well.
  const candidates =
    kind === 'address'
      ? describe.fields.filter(
          (f) =>
            members.includes(f) ||
            (f.compoundFieldName === null &&
              [`${prefix}statecode`, `${prefix}countrycode`].includes(f.name.toLowerCase())),
        )
      : members;
  for (const field of candidates) {
    const role = roleOf(kind, field.name, prefix);
    if (role !== undefined && !components.has(role)) components.set(role, toComponent(field, role));
  }
  return { object: describe.name, compound, kind, components };
}

function roleOf(kind: CompoundKind, field: string, prefix: string): ComponentRole | undefined {
  const lower = field.toLowerCase();
  if (kind === 'name') return NAME_FIELDS[lower];
  if (kind === 'geolocation') {
    const part = /(latitude|longitude)(__s)?$/i.exec(field)?.[1]?.toLowerCase();
    return part === 'latitude' || part === 'longitude' ? part : undefined;
  }
  if (!lower.startsWith(prefix)) return undefined;
  return ADDRESS_SUFFIXES[lower.slice(prefix.length)];
}

function toComponent(field: DescribeFieldExtras, role: ComponentRole): ComponentField {
  return {
    name: field.name,
    role,
    type: field.type,
    length: field.length,
    ...(typeof field.scale === 'number' ? { scale: field.scale } : {}),
    picklist: field.picklistValues as PicklistEntry[],
    restricted: field.restrictedPicklist,
    createable: field.createable,
    updateable: field.updateable,
    required: !field.nillable && !field.defaultedOnCreate && field.createable,
  };
}

/** The order components are listed and written in, per kind. */
export function rolesOf(kind: CompoundKind): readonly ComponentRole[] {
  if (kind === 'address') return ADDRESS_ROLES;
  if (kind === 'name') return NAME_ROLES;
  return GEOLOCATION_ROLES;
}

/** Whether the org has state and country picklists on this address (its code fields exist). */
export function codePicklistsEnabled(address: CompoundComponents): { state: boolean; country: boolean } {
  return {
    state: address.components.has('stateCode'),
    country: address.components.has('countryCode'),
  };
}

/** The spec key that maps a compound of this kind (`address`, `name`, `geolocation`). */
export function specKeyOf(kind: CompoundKind): string {
  return kind;
}

/**
 * The mapping error for a field rule aimed at compound field `name` itself, naming the components to map
 * instead; undefined when `name` is not compound. Address components are listed without
 * GeocodeAccuracy (set by geocoding, rarely loaded); with state and country picklists the code fields
 * are listed instead of the text fields Polyload would not write.
 */
export function compoundError(describe: SObjectDescribe, name: string): string | undefined {
  const found = findCompound(describe, name);
  if (!found) return undefined;
  const codes = found.kind === 'address' ? codePicklistsEnabled(found) : { state: false, country: false };
  const listed = rolesOf(found.kind).filter((role) => {
    if (role === 'geocodeAccuracy') return false;
    if (role === 'state' && codes.state) return false;
    if (role === 'country' && codes.country) return false;
    return true;
  });
  const names = listed.flatMap((role) => {
    const field = found.components.get(role);
    return field && (field.createable || field.updateable) ? [field.name] : [];
  });
  return (
    `${found.compound} is a compound field; map its components instead: ${names.join(', ')}` +
    ` (or give ${found.compound} ${found.kind === 'address' ? 'an' : 'a'} ${specKeyOf(found.kind)}: rule)`
  );
}

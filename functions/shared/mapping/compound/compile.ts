/**
 * Compiles a compound field rule against the org's describe into what map-row needs: the source columns
 * it reads, the component fields it writes (its Bulk CSV columns, in a stable order) and a per-row
 * function from source values to component values or rejects.
 *
 * What is written:
 * - Address: the components the rule feeds, in the order Street, City, State, PostalCode, Country,
 *   Latitude, Longitude, GeocodeAccuracy. With state and country picklists enabled (the org describes
 *   `<Prefix>StateCode` / `<Prefix>CountryCode`), StateCode and CountryCode take the place of State and
 *   Country: names and codes become codes (codes.ts), and the text fields are left to Salesforce.
 * - Name: Salutation, FirstName, MiddleName, LastName, Suffix, each only when the org has the field.
 *   An org without MiddleName (or Suffix, or Salutation: the name settings leave them off) gets the
 *   value folded into a neighbour, never dropped: the salutation and the middle name go into FirstName
 *   (`Dr. Jane Ann`), the suffix into LastName (`King Jr.`). A salutation matching a Salutation picklist
 *   value without case or dots (`dr` → `Dr.`) is written as that value; other salutations are written
 *   as given unless the picklist is restricted (`name.salutation`).
 *   On insert, when the org requires LastName, a row with no last name is rejected (`name.lastMissing`).
 *   On other operations a blank name leaves the name alone, but a non-blank one without a last name is
 *   still rejected.
 * - Geolocation: Latitude and Longitude rounded to describe's scale.
 * Every text component longer than describe's length rejects the row (`address.tooLong`,
 * `name.tooLong`). Blank components are written blank: the caller applies its blank policy (`#N/A`).
 */
import type { Operation } from '../../contracts.ts';
import { MappingError } from '../../errors.ts';
import type { SObjectDescribe } from '../../salesforce-port.ts';
import {
  type AddressParseResult,
  type AddressParts,
  addressFromColumns,
  countryCodeOf,
  isBlankAddress,
  parseAddressJson,
  parseAddressText,
} from './address.ts';
import { resolveCountryCode, resolveStateCode } from './codes.ts';
import {
  type AddressRole,
  type ComponentField,
  type ComponentRole,
  type CompoundComponents,
  type CompoundKind,
  codePicklistsEnabled,
  findCompound,
  type NameRole,
  type PicklistEntry,
  rolesOf,
} from './components.ts';
import { DEFAULT_GEO_SCALE, type GeoResult, parseGeolocation, readCoordinatePair } from './geolocation.ts';
import { type NameFormat, nameFormatOf, type PersonName, parsePersonName } from './person-name.ts';
import type {
  AddressColumnsSpec,
  AddressSpec,
  CompoundSpec,
  GeolocationSpec,
  NameColumnsSpec,
  NameSpec,
} from './spec.ts';

export type CompoundRule =
  | 'address.unparsed'
  | 'address.json'
  | 'address.country'
  | 'address.state'
  | 'address.picklist'
  | 'address.tooLong'
  | 'name.unparsed'
  | 'name.lastMissing'
  | 'name.salutation'
  | 'name.tooLong'
  | 'geo.unparsed'
  | 'geo.range';

export interface CompoundReject {
  /** The source column the problem comes from. */
  column: string;
  /** That column's value in this row. */
  value: string;
  rule: CompoundRule;
  message: string;
}

export type CompoundRow = { ok: true; values: string[] } | { ok: false; rejects: CompoundReject[] };

export interface CompiledCompound {
  kind: CompoundKind;
  /** The compound field as describe spells it. */
  compound: string;
  /** Source columns read, each once, in the order the rule names them. */
  columns: string[];
  /** Component fields written, in the stable order documented above. */
  outputs: string[];
  apply(record: (column: string) => string): CompoundRow;
}

export interface CompileOptions {
  /** The mapping's operation: insert makes a required LastName required in every row. */
  operation?: Operation;
}

const KIND_OF_SPEC = { address: 'address', name: 'name', geolocation: 'geolocation' } as const;
const KIND_NAMES: Record<CompoundKind, string> = {
  address: 'an address',
  name: 'a person name',
  geolocation: 'a geolocation',
};

/**
 * @throws MappingError naming every problem: not a compound field, the wrong kind of rule, a component
 * the org does not have, a default country the org's picklist lacks.
 */
export function compileCompound(
  spec: CompoundSpec,
  describe: SObjectDescribe,
  compoundName: string,
  options: CompileOptions = {},
): CompiledCompound {
  const found = findCompound(describe, compoundName);
  if (!found) throw new MappingError(`${compoundName} is not a compound field of ${describe.name}`);
  const specKind = KIND_OF_SPEC[Object.keys(spec)[0] as keyof typeof KIND_OF_SPEC];
  if (specKind !== found.kind) {
    throw new MappingError(
      `${found.compound} is ${KIND_NAMES[found.kind]}; give it ${found.kind === 'address' ? 'an' : 'a'} ${found.kind}: rule, not ${specKind}:`,
    );
  }
  const problems: string[] = [];
  let compiled: CompiledCompound;
  if ('address' in spec) compiled = compileAddress(spec.address, found, problems);
  else if ('name' in spec) compiled = compileName(spec.name, found, options, problems);
  else compiled = compileGeolocation(spec.geolocation, found);
  if (problems.length > 0) throw new MappingError(problems.join('\n'));
  return compiled;
}

function unique(columns: (string | undefined)[]): string[] {
  return [...new Set(columns.filter((c): c is string => c !== undefined))];
}

function byRoleOrder<R extends ComponentRole>(kind: CompoundKind, roles: Iterable<R>): R[] {
  const wanted = new Set<ComponentRole>(roles);
  return rolesOf(kind).filter((r) => wanted.has(r)) as R[];
}

/** Characters (code points) in `value`, without spreading it into an array. */
function codePointLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function tooLong(field: ComponentField, value: string): boolean {
  // A value no longer in UTF-16 units than the limit cannot have more characters: no count needed.
  return (
    field.length > 0 &&
    field.type !== 'double' &&
    value.length > field.length &&
    codePointLength(value) > field.length
  );
}

// ---------------------------------------------------------------------------------------------------
// Address

type AddressRead = (record: (column: string) => string) => AddressParseResult;

function compileAddress(spec: AddressSpec, found: CompoundComponents, problems: string[]): CompiledCompound {
  const { components } = found;
  const codes = codePicklistsEnabled(found);
  const countryField = components.get('countryCode');
  // Org picklist labels count as country names in free text (`Republic of Korea`).
  // By lower-cased label, the first active entry winning, built once instead of a scan per row.
  const countryByLabel = new Map<string, string>();
  for (const e of countryField?.picklist ?? []) {
    if (!e.active || e.label === undefined) continue;
    const label = e.label.toLowerCase();
    if (!countryByLabel.has(label)) countryByLabel.set(label, e.value.toUpperCase());
  }
  const orgCountryNames = (text: string) => countryByLabel.get(text.toLowerCase());
  const defaultCountry = spec.defaultCountry;
  if (defaultCountry !== undefined) {
    if (countryField && !resolveCountryCode(defaultCountry, countryField).ok) {
      problems.push(
        `defaultCountry "${defaultCountry}" is not in this org's country picklist (${countryField.name})`,
      );
    } else if (!countryField && countryCodeOf(defaultCountry, orgCountryNames) === undefined) {
      problems.push(`defaultCountry "${defaultCountry}" is not a country Polyload knows`);
    }
  }
  const parseOptions = {
    countryCodeOf: orgCountryNames,
    ...(defaultCountry !== undefined ? { defaultCountry } : {}),
  };

  let read: AddressRead;
  let roles: AddressRole[];
  let columnOf: (role: AddressRole) => string;
  let columns: string[];
  let coordinates: ((record: (column: string) => string) => GeoResult) | undefined;
  if ('text' in spec || 'json' in spec) {
    const column = 'text' in spec ? spec.text : spec.json;
    const parse = 'text' in spec ? parseAddressText : parseAddressJson;
    read = (record) => parse(record(column), parseOptions);
    roles = ['street', 'city', 'state', 'postalCode', 'country'];
    columnOf = () => column;
    columns = [column];
  } else {
    const c: AddressColumnsSpec = spec;
    const street = c.street === undefined ? [] : Array.isArray(c.street) ? c.street : [c.street];
    read = (record) =>
      addressFromColumns(
        {
          street: street.map(record),
          city: c.city === undefined ? '' : record(c.city),
          state: c.state === undefined ? '' : record(c.state),
          postalCode: c.postalCode === undefined ? '' : record(c.postalCode),
          country: c.country === undefined ? '' : record(c.country),
        },
        parseOptions,
      );
    roles = [];
    if (street.length > 0) roles.push('street');
    for (const role of [
      'city',
      'state',
      'postalCode',
      'country',
      'latitude',
      'longitude',
      'geocodeAccuracy',
    ] as const) {
      if (c[role] !== undefined) roles.push(role);
    }
    if (c.country === undefined && defaultCountry !== undefined) roles.push('country');
    const sources: Partial<Record<AddressRole, string>> = {
      street: street[0],
      city: c.city,
      state: c.state,
      stateCode: c.state,
      postalCode: c.postalCode,
      country: c.country,
      countryCode: c.country,
      latitude: c.latitude,
      longitude: c.longitude,
      geocodeAccuracy: c.geocodeAccuracy,
    };
    // A default country has no column: problems with it are the address's (its first column).
    columnOf = (role) => sources[role] ?? street[0] ?? c.city ?? c.state ?? c.postalCode ?? '';
    columns = unique([
      ...street,
      c.city,
      c.state,
      c.postalCode,
      c.country,
      c.latitude,
      c.longitude,
      c.geocodeAccuracy,
    ]);
    if (codes.state && c.state !== undefined && c.country === undefined && defaultCountry === undefined) {
      problems.push(
        `${found.compound}: state codes (${components.get('stateCode')?.name}) need the country; map country or set defaultCountry`,
      );
    }
    const lat = c.latitude;
    const lon = c.longitude;
    if ((lat === undefined) !== (lon === undefined)) {
      problems.push(`${found.compound}: map both latitude and longitude, or neither`);
    } else if (lat !== undefined && lon !== undefined) {
      const scales = {
        latitude: components.get('latitude')?.scale ?? DEFAULT_GEO_SCALE,
        longitude: components.get('longitude')?.scale ?? DEFAULT_GEO_SCALE,
      };
      coordinates = (record) =>
        readCoordinatePair(record(lat), record(lon), scales, { decimalComma: c.decimalComma });
    }
  }

  // The fields written: code fields replace text fields when the org has them.
  const written = new Map<AddressRole, ComponentField>();
  for (const role of roles) {
    const target: AddressRole =
      role === 'state' && codes.state
        ? 'stateCode'
        : role === 'country' && codes.country
          ? 'countryCode'
          : role;
    const field = components.get(target);
    if (!field) problems.push(`${found.compound} has no ${role} component in this org`);
    else written.set(target, field);
  }
  const order = byRoleOrder('address', written.keys());
  const outputs = order.map((role) => written.get(role)?.name ?? '');

  const apply = (record: (column: string) => string): CompoundRow => {
    const rejects: CompoundReject[] = [];
    const reject = (role: AddressRole, rule: CompoundRule, message: string) => {
      const column = columnOf(role);
      rejects.push({ column, value: record(column), rule, message });
    };
    const parsed = read(record);
    if (!parsed.ok) {
      reject('street', parsed.rule, parsed.message);
      return { ok: false, rejects };
    }
    const geo = coordinates?.(record);
    const blank = isBlankAddress(parsed.parts) && (geo === undefined || 'blank' in geo);
    const values = new Map<AddressRole, string>();
    if (!blank) {
      fillAddress(parsed.parts, parsed.countryCode, written, values, reject);
      if (geo && !geo.ok) reject(geo.axis ?? 'latitude', geo.rule, geo.message);
      else if (geo && !('blank' in geo)) {
        values.set('latitude', geo.latitude);
        values.set('longitude', geo.longitude);
      }
      const accuracy = written.get('geocodeAccuracy');
      const accuracyColumn = (spec as AddressColumnsSpec).geocodeAccuracy;
      if (accuracy && accuracyColumn !== undefined) {
        const raw = record(accuracyColumn).trim();
        const entry = accuracy.picklist.find((e) => e.active && e.value.toLowerCase() === raw.toLowerCase());
        if (raw !== '' && !entry) {
          reject(
            'geocodeAccuracy',
            'address.picklist',
            `"${raw}" is not a value of ${accuracy.name} (${accuracy.picklist.map((e) => e.value).join(', ')})`,
          );
        } else values.set('geocodeAccuracy', entry?.value ?? '');
      }
    }
    if (rejects.length > 0) return { ok: false, rejects };
    return { ok: true, values: order.map((role) => values.get(role) ?? '') };
  };
  return { kind: 'address', compound: found.compound, columns, outputs, apply };
}

const TEXT_ADDRESS_ROLES = ['street', 'city', 'state', 'postalCode', 'country'] as const;

function fillAddress(
  parts: AddressParts,
  parsedCountryCode: string | undefined,
  written: Map<AddressRole, ComponentField>,
  values: Map<AddressRole, string>,
  reject: (role: AddressRole, rule: CompoundRule, message: string) => void,
): void {
  for (const role of TEXT_ADDRESS_ROLES) {
    const field = written.get(role);
    const value = parts[role];
    if (!field) continue;
    if (tooLong(field, value)) {
      reject(
        role,
        'address.tooLong',
        `${field.name} would be ${[...value].length} characters; it holds at most ${field.length}`,
      );
    } else values.set(role, value);
  }
  const countryField = written.get('countryCode');
  let countryCode = parsedCountryCode;
  if (countryField && parts.country !== '') {
    const resolved = resolveCountryCode(parts.country, countryField);
    if (resolved.ok) {
      countryCode = resolved.code;
      values.set('countryCode', resolved.code);
    } else reject('country', 'address.country', resolved.message);
  }
  const stateField = written.get('stateCode');
  if (stateField && parts.state !== '') {
    const resolved = resolveStateCode(parts.state, countryCode, stateField, countryField);
    if (resolved.ok) values.set('stateCode', resolved.code);
    else reject('state', 'address.state', resolved.message);
  }
}

// ---------------------------------------------------------------------------------------------------
// Person name

function compileName(
  spec: NameSpec,
  found: CompoundComponents,
  options: CompileOptions,
  problems: string[],
): CompiledCompound {
  const { components } = found;
  const has = (role: NameRole) => components.has(role);
  const lastField = components.get('lastName');
  if (!lastField) problems.push(`${found.compound} has no LastName component in this org`);
  const lastRequired = options.operation === 'insert' && lastField?.required === true;

  let read: (record: (column: string) => string) => ReturnType<typeof parsePersonName>;
  let columns: string[];
  let columnOf: (role: NameRole) => string;
  let fed: NameRole[];
  if ('column' in spec) {
    const format = nameFormatOf(spec.format) as NameFormat;
    if (format === undefined)
      problems.push(`format "${spec.format}" is not one of "First Last", "Last, First", "Last First"`);
    read = (record) => parsePersonName(record(spec.column), format);
    columns = [spec.column];
    columnOf = () => spec.column;
    fed = ['salutation', 'firstName', 'middleName', 'lastName', 'suffix'];
  } else {
    const c: NameColumnsSpec = spec;
    const keyOf: Record<NameRole, keyof NameColumnsSpec> = {
      salutation: 'salutation',
      firstName: 'first',
      middleName: 'middle',
      lastName: 'last',
      suffix: 'suffix',
    };
    read = (record) => {
      const value = (role: NameRole) => {
        const column = c[keyOf[role]];
        return column === undefined ? '' : record(column).trim().replace(/\s+/g, ' ');
      };
      const name: PersonName = {
        salutation: value('salutation'),
        firstName: value('firstName'),
        middleName: value('middleName'),
        lastName: value('lastName'),
        suffix: value('suffix'),
      };
      if (Object.values(name).every((v) => v === '')) return { ok: true, name };
      if (name.lastName === '') {
        return {
          ok: false,
          rule: 'name.lastMissing',
          message: `the name has no last name (column ${c.last ?? '(none mapped)'} is blank)`,
        };
      }
      return { ok: true, name };
    };
    columns = unique([c.salutation, c.first, c.middle, c.last, c.suffix]);
    columnOf = (role) => c[keyOf[role]] ?? c.last ?? columns[0] ?? '';
    fed = (Object.keys(keyOf) as NameRole[]).filter((role) => c[keyOf[role]] !== undefined);
    if (c.last === undefined && lastRequired) {
      problems.push(`${found.compound}: map last (${lastField?.name} is required on insert)`);
    }
  }

  // Roles without a field fold into a neighbour; the written fields follow.
  const foldTarget = (role: NameRole): NameRole =>
    has(role) ? role : role === 'suffix' ? 'lastName' : role === 'lastName' ? 'lastName' : 'firstName';
  const written = new Set<NameRole>(fed.map(foldTarget).filter(has));
  const order = byRoleOrder('name', written);
  const outputs = order.map((role) => components.get(role)?.name ?? '');

  // The org's salutations by their bare spelling, the first active entry winning: one lookup a row.
  const salutationField = components.get('salutation');
  const bareSalutation = (s: string) => s.toLowerCase().replace(/\./g, '');
  const salutationByBare = new Map<string, PicklistEntry>();
  for (const e of salutationField?.picklist ?? []) {
    const key = bareSalutation(e.value);
    if (e.active && !salutationByBare.has(key)) salutationByBare.set(key, e);
  }

  const apply = (record: (column: string) => string): CompoundRow => {
    const parsed = read(record);
    const rejects: CompoundReject[] = [];
    const reject = (role: NameRole, rule: CompoundRule, message: string) => {
      const column = columnOf(role);
      rejects.push({ column, value: record(column), rule, message });
    };
    if (!parsed.ok) {
      reject('lastName', parsed.rule, parsed.message);
      return { ok: false, rejects };
    }
    const name = { ...parsed.name };
    const blank = Object.values(name).every((v) => v === '');
    if (blank) {
      if (lastRequired) {
        reject(
          'lastName',
          'name.lastMissing',
          `${lastField?.name} is required on insert but the name is blank`,
        );
        return { ok: false, rejects };
      }
      return { ok: true, values: order.map(() => '') };
    }
    if (salutationField && name.salutation !== '') {
      const entry = salutationByBare.get(bareSalutation(name.salutation));
      if (entry) name.salutation = entry.value;
      else if (salutationField.restricted) {
        reject(
          'salutation',
          'name.salutation',
          `"${name.salutation}" is not a value of ${salutationField.name} (${salutationField.picklist.map((e) => e.value).join(', ')})`,
        );
      }
    }
    // The two words joined by a space, either one alone when the other is blank.
    const joined = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a} ${b}`);
    if (!has('middleName')) name.firstName = joined(name.firstName, name.middleName);
    if (!has('salutation')) name.firstName = joined(name.salutation, name.firstName);
    if (!has('suffix')) name.lastName = joined(name.lastName, name.suffix);
    for (const role of order) {
      const field = components.get(role);
      if (field && tooLong(field, name[role])) {
        reject(
          role,
          'name.tooLong',
          `${field.name} would be ${[...name[role]].length} characters; it holds at most ${field.length}`,
        );
      }
    }
    if (rejects.length > 0) return { ok: false, rejects };
    return { ok: true, values: order.map((role) => name[role]) };
  };
  return { kind: 'name', compound: found.compound, columns, outputs, apply };
}

// ---------------------------------------------------------------------------------------------------
// Geolocation

function compileGeolocation(spec: GeolocationSpec, found: CompoundComponents): CompiledCompound {
  const latitude = found.components.get('latitude');
  const longitude = found.components.get('longitude');
  if (!latitude || !longitude) {
    throw new MappingError(`${found.compound} has no latitude and longitude components in this org`);
  }
  const scales = {
    latitude: latitude.scale ?? DEFAULT_GEO_SCALE,
    longitude: longitude.scale ?? DEFAULT_GEO_SCALE,
  };
  const decimal = { decimalComma: spec.decimalComma === true };
  const columns = 'column' in spec ? [spec.column] : unique([spec.latitude, spec.longitude]);
  const read = (record: (column: string) => string): GeoResult =>
    'column' in spec
      ? parseGeolocation(record(spec.column), scales, decimal)
      : readCoordinatePair(record(spec.latitude), record(spec.longitude), scales, decimal);
  return {
    kind: 'geolocation',
    compound: found.compound,
    columns,
    outputs: [latitude.name, longitude.name],
    apply(record) {
      const result = read(record);
      if (!result.ok) {
        const column =
          'column' in spec ? spec.column : result.axis === 'longitude' ? spec.longitude : spec.latitude;
        return {
          ok: false,
          rejects: [{ column, value: record(column), rule: result.rule, message: result.message }],
        };
      }
      return { ok: true, values: 'blank' in result ? ['', ''] : [result.latitude, result.longitude] };
    },
  };
}

/**
 * Between the mapping and the values library: checks that a field's declared source type and value
 * keys fit the Salesforce field (a `date` rule onto a text field is a mapping error), merges the
 * mapping's defaults, and compiles the rules into one converter per field. Problems point at the key's
 * line in the mapping.
 */
import type { DescribeField } from '../salesforce-port.ts';
import type { Problems } from './plan-mapping.ts';
import type { BlankPolicy, MappingDefaults, Position, Setting } from './types.ts';
import type { ValueType } from './value-keys.ts';

export type ConvertResult = { ok: true; value: string } | { ok: false; rule: string; message: string };
/** One source string in (untrimmed, possibly blank), the Bulk CSV cell or a reject out. */
export type ValueConverter = (raw: string) => ConvertResult;

/** Which Salesforce field types each declared source type may load. */
const LOADS_INTO: Record<ValueType, readonly string[]> = {
  text: [
    'string',
    'textarea',
    'picklist',
    'multipicklist',
    'combobox',
    'email',
    'phone',
    'url',
    'encryptedstring',
    'id',
    'reference',
  ],
  date: ['date', 'datetime'],
  datetime: ['datetime'],
  number: ['double', 'int', 'long', 'currency', 'percent'],
  currency: ['currency', 'double'],
  percent: ['percent', 'double'],
  boolean: ['boolean'],
  email: ['email', 'string', 'textarea'],
  phone: ['phone', 'string'],
  url: ['url', 'string', 'textarea'],
};

/** The source type a field gets when the mapping declares none. */
export function impliedType(field: DescribeField): ValueType {
  switch (field.type) {
    case 'date':
    case 'datetime':
    case 'boolean':
    case 'currency':
    case 'percent':
    case 'email':
      return field.type;
    case 'double':
    case 'int':
    case 'long':
      return 'number';
    default:
      return 'text';
  }
}

/** Keys that only make sense for some source types. */
const KEY_TYPES: Record<string, readonly ValueType[]> = {
  format: ['date', 'datetime'],
  timeZone: ['date', 'datetime'],
  ambiguousTime: ['datetime'],
  nonexistentTime: ['datetime'],
  decimal: ['number', 'currency', 'percent'],
  grouping: ['number', 'currency', 'percent'],
  decimals: ['number', 'currency', 'percent'],
  rounding: ['number', 'currency', 'percent'],
  percentInput: ['percent'],
  booleans: ['boolean'],
  normalize: ['phone'],
  defaultCountryCode: ['phone'],
};

export interface FieldValueInput {
  rules: Record<string, Setting>;
  required: boolean;
  blank: BlankPolicy;
}

/**
 * Checks a field's value rules against its describe and compiles them. A problem is recorded in
 * `problems` (at the key's line) and the returned converter is then never used.
 */
export function compileValueRules(
  field: DescribeField,
  input: FieldValueInput,
  defaults: MappingDefaults,
  problems: Problems,
  at: Position,
  options: { reference?: boolean } = {},
): ValueConverter {
  const declared = input.rules.type?.value as ValueType | undefined;
  const type: ValueType = declared ?? (options.reference ? 'text' : impliedType(field));
  if (declared !== undefined && !LOADS_INTO[declared].includes(field.type)) {
    problems.add(
      input.rules.type?.at ?? at,
      `${field.name} is a ${field.type} field; type ${declared} values cannot load into it (${declared} loads into ${LOADS_INTO[declared].join(', ')} fields)`,
    );
  }
  for (const [key, setting] of Object.entries(input.rules)) {
    const types = KEY_TYPES[key];
    if (types && !types.includes(type))
      problems.add(
        setting.at,
        `${key} applies to ${types.join(' and ')} values, and ${field.name} takes ${type} values`,
      );
  }
  return fallbackConverter(field, input, defaults);
}

/** Until every rule is compiled by the values library: trim, default, required and blank. */
function fallbackConverter(
  field: DescribeField,
  input: FieldValueInput,
  defaults: MappingDefaults,
): ValueConverter {
  const trim = (input.rules.trim?.value ?? defaults.rules.trim?.value ?? true) !== false;
  const fallback = input.rules.default?.value;
  return (raw) => {
    let value = trim ? raw.trim() : raw;
    if (value.trim() === '' && fallback !== undefined && fallback !== null) value = String(fallback);
    if (value.trim() !== '') return { ok: true, value };
    if (input.required) return { ok: false, rule: 'required', message: `${field.name} is required` };
    return { ok: true, value: input.blank === 'clear' ? '#N/A' : '' };
  };
}

/** Raw Salesforce Ids for a reference: 15 or 18 characters, a valid checksum, an accepted key prefix. */
export function compileIdRule(
  field: DescribeField,
  input: FieldValueInput,
  defaults: MappingDefaults,
  _problems: Problems,
  _at: Position,
  prefixes: ReadonlyMap<string, string>,
): ValueConverter {
  const blank = fallbackConverter(field, { ...input, rules: {} }, defaults);
  return (raw) => {
    const value = raw.trim();
    if (value === '') return blank(raw);
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value))
      return {
        ok: false,
        rule: 'type.id',
        message: `${field.name} needs a Salesforce Id of 15 or 18 letters and digits`,
      };
    if (value.length === 18 && idChecksum(value.slice(0, 15)) !== value.slice(15))
      return {
        ok: false,
        rule: 'type.id',
        message: `${field.name}: the Id's last 3 characters are not its checksum`,
      };
    const object = prefixes.get(value.slice(0, 3));
    if (object === undefined)
      return {
        ok: false,
        rule: 'idPrefix',
        message: `${field.name}: key prefix ${value.slice(0, 3)} is not one of ${[...prefixes].map(([p, o]) => `${p} (${o})`).join(', ')}`,
      };
    return { ok: true, value };
  };
}

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return suffix;
}

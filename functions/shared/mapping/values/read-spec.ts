/**
 * Reads value rules from plain data (a YAML mapping's field keys, as `toJS()` gives them) into a typed
 * spec, with a problem per key that is wrong. What can be checked without the org is checked here —
 * formats, time zones, patterns — so `mapping check` catches them offline; the rest waits for
 * compileValueRule and the field's describe.
 */
import { compileDateFormat, ZoneRules } from './dates.ts';
import type {
  BooleanSpellings,
  GlobalValueDefaults,
  ValueMapSpec,
  ValueRuleSpec,
  ValueSpecProblem,
} from './spec.ts';

type Reader = (value: unknown, key: string, problems: ValueSpecProblem[]) => unknown;

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function oneOf(...choices: string[]): Reader {
  return (value, key, problems) => {
    if (typeof value === 'string' && choices.includes(value)) return value;
    problems.push({
      key,
      message: `${key} must be one of: ${choices.map((c) => (c === ' ' ? '" "' : c)).join(', ')}`,
    });
    return undefined;
  };
}

const bool: Reader = (value, key, problems) => {
  if (typeof value === 'boolean') return value;
  problems.push({ key, message: `${key} must be true or false` });
  return undefined;
};

/** A scalar as text: YAML reads `0`, `1.5` and `true` as numbers and booleans. */
const text: Reader = (value, key, problems) => {
  if (isScalar(value)) return String(value);
  if (value === null) return '';
  problems.push({ key, message: `${key} must be a single value` });
  return undefined;
};

const nonEmptyText: Reader = (value, key, problems) => {
  const result = text(value, key, problems);
  if (result === '') {
    problems.push({ key, message: `${key} cannot be empty` });
    return undefined;
  }
  return result;
};

function textList(value: unknown, key: string, problems: ValueSpecProblem[]): string[] | undefined {
  const list = Array.isArray(value) ? value : undefined;
  if (!list?.every(isScalar)) {
    problems.push({ key, message: `${key} must be a list of values` });
    return undefined;
  }
  return list.map(String);
}

const positiveInteger: Reader = (value, key, problems) => {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  problems.push({ key, message: `${key} must be a whole number above 0` });
  return undefined;
};

const formats: Reader = (value, key, problems) => {
  const list = typeof value === 'string' ? [value] : textList(value, key, problems);
  if (!list) return undefined;
  if (list.length === 0) {
    problems.push({ key, message: `${key} lists no format` });
    return undefined;
  }
  const before = problems.length;
  for (const format of list) {
    try {
      compileDateFormat(format);
    } catch (error) {
      problems.push({ key, message: (error as Error).message });
    }
  }
  if (problems.length > before) return undefined;
  return typeof value === 'string' ? value : list;
};

const timeZone: Reader = (value, key, problems) => {
  const name = nonEmptyText(value, key, problems) as string | undefined;
  if (name === undefined) return undefined;
  try {
    new ZoneRules(name);
    return name;
  } catch {
    problems.push({
      key,
      message: `"${name}" is not an IANA time zone (like Europe/London, America/New_York, UTC)`,
    });
    return undefined;
  }
};

const pattern: Reader = (value, key, problems) => {
  const source = nonEmptyText(value, key, problems) as string | undefined;
  if (source === undefined) return undefined;
  try {
    new RegExp(source, 'u');
    return source;
  } catch (error) {
    problems.push({ key, message: `pattern is not a regular expression: ${(error as Error).message}` });
    return undefined;
  }
};

const countryCode: Reader = (value, key, problems) => {
  const code = text(value, key, problems) as string | undefined;
  if (code === undefined) return undefined;
  if (/^\+?[1-9]\d{0,2}$/.test(code)) return code.replace(/^\+/, '');
  problems.push({ key, message: `${key} is 1 to 3 digits, like 44 or +1` });
  return undefined;
};

const VALUE_MAP_KEYS = ['values', 'ignoreCase', 'otherwise'];

/**
 * `valueMap: { M: Male, F: Female }`, or the full form
 * `valueMap: { values: { M: Male }, ignoreCase: false, otherwise: reject }`.
 * `otherwise` is keep, reject, or any other value to load instead (`{ value: keep }` for the word itself).
 */
const valueMap: Reader = (value, key, problems) => {
  if (!isRecord(value)) {
    problems.push({ key, message: 'valueMap must map source values to loaded values' });
    return undefined;
  }
  const full = isRecord(value.values) && Object.keys(value).every((k) => VALUE_MAP_KEYS.includes(k));
  const entries = full ? (value.values as Record<string, unknown>) : value;
  const values: Record<string, string> = {};
  for (const [from, to] of Object.entries(entries)) {
    const mapped = text(to, `${key} "${from}"`, problems) as string | undefined;
    if (mapped !== undefined) values[from] = mapped;
  }
  if (Object.keys(values).length === 0 && Object.keys(entries).length === 0) {
    problems.push({ key, message: 'valueMap maps no value' });
  }
  const spec: ValueMapSpec = { values };
  if (full && value.ignoreCase !== undefined) {
    const ignoreCase = bool(value.ignoreCase, `${key}.ignoreCase`, problems) as boolean | undefined;
    if (ignoreCase !== undefined) spec.ignoreCase = ignoreCase;
  }
  if (full && value.otherwise !== undefined) {
    const otherwise = value.otherwise;
    if (otherwise === 'keep' || otherwise === 'reject') spec.otherwise = otherwise;
    else if (isRecord(otherwise) && Object.keys(otherwise).length === 1 && isScalar(otherwise.value)) {
      spec.otherwise = { value: String(otherwise.value) };
    } else if (isScalar(otherwise) || otherwise === null)
      spec.otherwise = { value: otherwise === null ? '' : String(otherwise) };
    else problems.push({ key: `${key}.otherwise`, message: 'otherwise must be keep, reject or a value' });
  }
  return spec;
};

const booleans: Reader = (value, key, problems) => {
  if (!isRecord(value) || Object.keys(value).some((k) => k !== 'true' && k !== 'false')) {
    problems.push({
      key,
      message: 'booleans must list the spellings of true and of false: { true: [yes, y], false: [no, n] }',
    });
    return undefined;
  }
  const spellings: BooleanSpellings = { true: [], false: [] };
  for (const side of ['true', 'false'] as const) {
    const list = value[side] === undefined ? [] : textList(value[side], `${key}.${side}`, problems);
    if (!list) return undefined;
    if (list.length === 0) {
      problems.push({ key, message: `booleans needs at least one spelling of ${side}` });
      return undefined;
    }
    spellings[side] = list;
  }
  const trueWords = new Set(spellings.true.map((w) => w.toLowerCase()));
  const both = spellings.false.filter((w) => trueWords.has(w.toLowerCase()));
  if (both.length > 0) {
    problems.push({
      key,
      message: `${both.map((w) => `"${w}"`).join(', ')} cannot mean both true and false`,
    });
    return undefined;
  }
  return spellings;
};

const SHARED: Record<string, Reader> = {
  trim: oneOf('both', 'start', 'end', 'none'),
  blank: oneOf('keep', 'clear'),
  timeZone,
  ambiguousTime: oneOf('earlier', 'later', 'reject'),
  nonexistentTime: oneOf('reject', 'shiftForward'),
  decimal: oneOf('.', ','),
  grouping: oneOf(',', '.', ' ', "'", 'none'),
  decimals: oneOf('round', 'reject', 'keep'),
  rounding: oneOf('halfUp', 'halfEven'),
  booleans,
  defaultCountryCode: countryCode,
};

/** Keys a field's mapping may give its value rules. */
export const FIELD_RULE_READERS: Record<keyof ValueRuleSpec, Reader> = {
  ...(SHARED as Record<keyof GlobalValueDefaults & keyof ValueRuleSpec, Reader>),
  type: nonEmptyText,
  case: oneOf('upper', 'lower', 'title', 'none'),
  valueMap,
  default: text,
  required: bool,
  maxLength: positiveInteger,
  pattern,
  allowedValues: (value, key, problems) => textList(value, key, problems),
  restrictedPicklist: bool,
  separator: nonEmptyText,
  format: formats,
  percentInput: oneOf('number', 'fraction'),
  normalize: oneOf('none', 'e164'),
};

/** Keys the mapping's `defaults` may give for every field. */
export const DEFAULT_RULE_READERS: Record<keyof GlobalValueDefaults, Reader> = {
  ...(SHARED as Record<keyof GlobalValueDefaults, Reader>),
  dateFormat: formats,
  datetimeFormat: formats,
  timeFormat: formats,
};

export const VALUE_RULE_KEYS: readonly string[] = Object.keys(FIELD_RULE_READERS);
export const DEFAULT_RULE_KEYS: readonly string[] = Object.keys(DEFAULT_RULE_READERS);

function read<T>(
  raw: Record<string, unknown>,
  readers: Record<string, Reader>,
  where: string,
): { spec: T; problems: ValueSpecProblem[] } {
  const problems: ValueSpecProblem[] = [];
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const reader = Object.hasOwn(readers, key) ? readers[key] : undefined;
    if (!reader) {
      problems.push({
        key,
        message: `unknown key "${key}" in ${where} (expected one of: ${Object.keys(readers).join(', ')})`,
      });
      continue;
    }
    const result = reader(value, key, problems);
    if (result !== undefined) spec[key] = result;
  }
  return { spec: spec as T, problems };
}

/** A field's value rules from plain data; every key must be one of VALUE_RULE_KEYS. */
export function readValueRules(raw: Record<string, unknown>): {
  spec: ValueRuleSpec;
  problems: ValueSpecProblem[];
} {
  return read<ValueRuleSpec>(raw, FIELD_RULE_READERS, 'value rules');
}

/** The mapping-wide defaults from plain data; every key must be one of DEFAULT_RULE_KEYS. */
export function readValueDefaults(raw: Record<string, unknown>): {
  spec: GlobalValueDefaults;
  problems: ValueSpecProblem[];
} {
  return read<GlobalValueDefaults>(raw, DEFAULT_RULE_READERS, 'defaults');
}

/**
 * The value-rule keys of the mapping language and the shape each one takes. parse-mapping reads them
 * into settings (positions kept); the values library turns them into conversions at plan time. A check
 * returns what is wrong, to follow the key's name in the message (`maxLength must be ...`).
 */

export type ValueKeyCheck = (value: unknown) => string | undefined;

/** Source types a field's values may be declared as (`type: date`). */
export const VALUE_TYPES = [
  'text',
  'date',
  'datetime',
  'number',
  'boolean',
  'currency',
  'percent',
  'email',
  'phone',
  'url',
] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const scalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const oneOf =
  (options: readonly string[]): ValueKeyCheck =>
  (value) =>
    typeof value === 'string' && options.includes(value) ? undefined : `must be one of ${options.join(', ')}`;

const text: ValueKeyCheck = (value) => (isText(value) ? undefined : 'must be a non-empty text');
const flag: ValueKeyCheck = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');

const separator: ValueKeyCheck = (value) =>
  typeof value === 'string' && value.length <= 1
    ? undefined
    : 'must be one character (quote it: "," or "."; "" for none)';

const timeZone: ValueKeyCheck = (value) => {
  if (!isText(value)) return 'must be an IANA time zone such as Europe/London or UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return undefined;
  } catch {
    return `"${value}" is not an IANA time zone (such as Europe/London, America/New_York or UTC)`;
  }
};

const booleans: ValueKeyCheck = (value) => {
  const spelling = (list: unknown) =>
    (Array.isArray(list) && list.length > 0 && list.every(scalar)) || scalar(list);
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).every((k) => k === 'true' || k === 'false') &&
    spelling((value as Record<string, unknown>).true) &&
    spelling((value as Record<string, unknown>).false)
  )
    return undefined;
  return 'must list the spellings of true and of false: { true: [yes, y, 1], false: [no, n, 0] }';
};

const stringMap: ValueKeyCheck = (value) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => scalar(v) || v === null)
    ? undefined
    : 'must map source values to Salesforce values: { M: Male, F: Female }';

const pattern: ValueKeyCheck = (value) => {
  if (!isText(value)) return 'must be a regular expression';
  try {
    new RegExp(value, 'u');
    return undefined;
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
};

/** Keys a field may use. */
export const FIELD_VALUE_KEYS: Record<string, ValueKeyCheck> = {
  type: oneOf(VALUE_TYPES),
  format: text,
  timeZone,
  decimal: separator,
  grouping: separator,
  booleans,
  trim: flag,
  case: oneOf(['upper', 'lower', 'title']),
  valueMap: stringMap,
  default: (value) => (scalar(value) ? undefined : 'must be a single value'),
  maxLength: (value) =>
    typeof value === 'number' && Number.isInteger(value) && value > 0
      ? undefined
      : 'must be a positive whole number',
  pattern,
  allowedValues: (value) =>
    Array.isArray(value) && value.length > 0 && value.every(scalar) ? undefined : 'must be a list of values',
};

/** Keys `defaults:` may use (besides `blank`): settings every field inherits. */
export const DEFAULT_VALUE_KEYS: Record<string, ValueKeyCheck> = {
  trim: flag,
  dateFormat: text,
  datetimeFormat: text,
  timeZone,
  decimal: separator,
  grouping: separator,
  booleans,
};

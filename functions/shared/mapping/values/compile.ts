/**
 * Compiles a field's value rules, once per field, into one function per cell:
 * trim → case → valueMap → default (when blank) → type coercion → allowedValues → picklist → maxLength →
 * pattern → the Bulk CSV text, or a reject naming the rule. Everything that can be decided before the
 * first row (regexes, formats, zones, maps) is, and a spec that cannot work is refused with every
 * problem named by its key.
 */
import { booleanReader, DEFAULT_BOOLEANS, describeSpellings } from './booleans.ts';
import { EMAIL_MAX_LENGTH, emailProblem, readPhone, urlProblem } from './contact.ts';
import {
  calendarProblem,
  compileDateFormat,
  formatBulkDate,
  formatBulkDatetime,
  formatBulkTime,
  type ParsedDateTime,
  type SourceDateFormat,
  type WallTime,
  wallMs,
  ZoneRules,
} from './dates.ts';
import { idProblem, keyPrefixOf } from './ids.ts';
import { formatDecimal, numberReader, percentOfFraction, roundDigits } from './numbers.ts';
import {
  accept,
  type GlobalValueDefaults,
  reject,
  type ValueContext,
  type ValueField,
  type ValueResult,
  type ValueRule,
  type ValueRuleId,
  type ValueRuleSpec,
  ValueSpecError,
  type ValueSpecProblem,
} from './spec.ts';
import { caser, trimmer } from './text.ts';

/** Bulk API: `#N/A` sets a field to null; an empty cell leaves it unchanged (null on insert). */
export const BULK_NULL = '#N/A';

/** How a describe type is coerced. */
type Family =
  | 'text'
  | 'picklist'
  | 'multipicklist'
  | 'email'
  | 'phone'
  | 'url'
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'date'
  | 'datetime'
  | 'time'
  | 'id';

const FAMILIES: Record<string, Family> = {
  string: 'text',
  textarea: 'text',
  encryptedstring: 'text',
  anyType: 'text',
  combobox: 'picklist',
  picklist: 'picklist',
  multipicklist: 'multipicklist',
  email: 'email',
  phone: 'phone',
  url: 'url',
  boolean: 'boolean',
  int: 'integer',
  long: 'integer',
  double: 'decimal',
  currency: 'decimal',
  percent: 'decimal',
  date: 'date',
  datetime: 'datetime',
  time: 'time',
  id: 'id',
  reference: 'id',
};

/** The describe types value rules handle (compound `address`/`location` belong to compound fields). */
export const SUPPORTED_TYPES: readonly string[] = Object.keys(FAMILIES);

const TEXTUAL: readonly Family[] = ['text', 'picklist', 'multipicklist', 'email', 'phone', 'url'];

/** Keys that only make sense for some types, with the types they apply to (for the message). */
const APPLIES_TO: Partial<Record<keyof ValueRuleSpec, { families: readonly Family[]; label: string }>> = {
  format: { families: ['date', 'datetime', 'time'], label: 'date, datetime and time' },
  timeZone: { families: ['date', 'datetime', 'time'], label: 'date, datetime and time' },
  ambiguousTime: { families: ['datetime'], label: 'datetime' },
  nonexistentTime: { families: ['datetime'], label: 'datetime' },
  decimal: { families: ['integer', 'decimal'], label: 'number, currency and percent' },
  grouping: { families: ['integer', 'decimal'], label: 'number, currency and percent' },
  decimals: { families: ['decimal'], label: 'number (with decimals), currency and percent' },
  rounding: { families: ['decimal'], label: 'number (with decimals), currency and percent' },
  booleans: { families: ['boolean'], label: 'checkbox (boolean)' },
  normalize: { families: ['phone'], label: 'phone' },
  defaultCountryCode: { families: ['phone'], label: 'phone' },
  separator: { families: ['multipicklist'], label: 'multi-select picklist' },
  restrictedPicklist: { families: ['picklist', 'multipicklist'], label: 'picklist' },
  maxLength: { families: TEXTUAL, label: 'text, picklist, email, phone and URL' },
  percentInput: { families: ['decimal'], label: 'percent' },
};

const DEFAULT_FORMATS: Record<'date' | 'datetime' | 'time', string[]> = {
  date: ['yyyy-MM-dd'],
  datetime: ['iso'],
  time: ["H:mm[:ss[.SSS]]['Z']"],
};

/** One cell's coercion and checks, after the text steps. */
type Finish = (value: string) => ValueResult;

/**
 * Compiles `spec` for `field`.
 * @throws ValueSpecError listing every problem, each with the key at fault.
 */
export function compileValueRule(
  spec: ValueRuleSpec,
  field: ValueField,
  defaults: GlobalValueDefaults = {},
  context: ValueContext = {},
): ValueRule {
  const problems: ValueSpecProblem[] = [];
  const name = field.name;
  const type = effectiveType(spec, field, problems);
  const family = FAMILIES[type];
  if (family === undefined) {
    if (spec.type === undefined) {
      problems.push({
        key: 'type',
        message: `${name} is ${article(field.type)} field, which value rules cannot load${field.type === 'address' || field.type === 'location' ? ' (map its component fields)' : ''}`,
      });
    }
    throw new ValueSpecError(problems);
  }
  for (const [key, rule] of Object.entries(APPLIES_TO)) {
    if (spec[key as keyof ValueRuleSpec] !== undefined && rule && !rule.families.includes(family)) {
      problems.push({
        key,
        message: `${key} applies to ${rule.label} fields; ${name} is ${article(type)} field`,
      });
    }
  }

  const trim = trimmer(spec.trim ?? defaults.trim ?? 'both');
  const changeCase = spec.case && spec.case !== 'none' ? caser(spec.case) : undefined;
  const mapValue = spec.valueMap ? compileValueMap(spec.valueMap, name, problems) : undefined;
  const required = spec.required ?? false;
  let blank = spec.blank ?? defaults.blank ?? 'keep';
  if (blank === 'clear' && field.nillable === false) {
    if (spec.blank === 'clear') {
      problems.push({
        key: 'blank',
        message: `${name} cannot be cleared: Salesforce does not allow it to be empty`,
      });
    }
    // A mapping-wide `blank: clear` skips the fields that cannot be null (checkboxes, required fields).
    blank = 'keep';
  }

  const coerce = compileCoercion(family, type, spec, field, defaults, context, problems);
  const checks = compileChecks(family, spec, field, problems);
  const finishOne: Finish = (value) => {
    const coerced = coerce(value);
    return coerced.ok ? checks.item(coerced.value) : coerced;
  };
  let finish: Finish;
  if (family === 'multipicklist') {
    const separator = spec.separator ?? ';';
    if (separator === '') problems.push({ key: 'separator', message: 'separator cannot be empty' });
    finish = (value) => {
      const items: string[] = [];
      for (const part of value.split(separator)) {
        let item = part.trim();
        if (item === '') continue;
        if (changeCase) item = changeCase(item);
        if (mapValue) {
          const mapped = mapValue(item);
          if (!mapped.ok) return mapped;
          item = mapped.value.trim();
          if (item === '') continue;
        }
        const done = finishOne(item);
        if (!done.ok) return done;
        if (!items.includes(done.value)) items.push(done.value);
      }
      return checks.whole(items.join(';'));
    };
  } else {
    finish = (value) => {
      const done = finishOne(value);
      return done.ok ? checks.whole(done.value) : done;
    };
  }

  const blankCell = accept(blank === 'clear' ? BULK_NULL : '');
  const requiredReject = reject('required', `${name} is required but the value is blank`);
  let whenBlank: ValueResult = required ? requiredReject : blankCell;
  if (spec.default !== undefined) {
    const defaultValue = trim(spec.default);
    const result = defaultValue === '' ? whenBlank : finish(defaultValue);
    if (!result.ok)
      problems.push({ key: 'default', message: `the default would be rejected: ${result.message}` });
    whenBlank = result;
  }
  // A value the value map empties is not a blank cell: say so, or the row's reader looks for one.
  const whenMappedBlank =
    whenBlank === requiredReject
      ? reject('required', `${name} is required but the value map makes the value blank`)
      : whenBlank;
  // `#N/A` is not blank: the message says it would clear a field that must keep a value.
  const clearing = (what: string): ValueResult =>
    required
      ? reject('required', `${name} is required; ${what} would clear it`)
      : field.nillable === false
        ? reject('required', `${name} cannot be empty in Salesforce; ${what} would clear it`)
        : accept(BULK_NULL);
  const clearCell = clearing(BULK_NULL);
  const mappedClearCell = clearing(`the value map's ${BULK_NULL}`);

  if (problems.length > 0) throw new ValueSpecError(problems);

  return (raw) => {
    const value = trim(raw);
    if (value === BULK_NULL) return clearCell;
    if (value.trim() === '') return whenBlank;
    if (family === 'multipicklist') return finish(value);
    let text = changeCase ? changeCase(value) : value;
    if (mapValue) {
      const mapped = mapValue(text);
      if (!mapped.ok) return mapped;
      text = mapped.value;
      if (text === BULK_NULL) return mappedClearCell;
      if (text.trim() === '') return whenMappedBlank;
    }
    return finish(text);
  };
}

function article(type: string): string {
  return /^[aeiou]/i.test(type) ? `an ${type}` : `a ${type}`;
}

/** The type the value is coerced to: describe's, or a `type` override on a text field. */
function effectiveType(spec: ValueRuleSpec, field: ValueField, problems: ValueSpecProblem[]): string {
  if (spec.type === undefined || spec.type === field.type) return field.type;
  if (FAMILIES[spec.type] === undefined) {
    problems.push({ key: 'type', message: `type ${spec.type} is not one of: ${SUPPORTED_TYPES.join(', ')}` });
    return spec.type;
  }
  if (FAMILIES[field.type] !== 'text') {
    problems.push({
      key: 'type',
      message: `${field.name} is ${article(field.type)} field; only text fields take another type (its value is then written as text)`,
    });
  }
  return spec.type;
}

function compileValueMap(
  spec: NonNullable<ValueRuleSpec['valueMap']>,
  name: string,
  problems: ValueSpecProblem[],
): (value: string) => ValueResult {
  const ignoreCase = spec.ignoreCase ?? true;
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(spec.values)) {
    const key = ignoreCase ? from.toLowerCase() : from;
    const earlier = map.get(key);
    if (earlier !== undefined && earlier !== to) {
      problems.push({
        key: 'valueMap',
        message: `"${from}" is mapped twice, to different values (values are compared ignoring case; set ignoreCase: false to tell them apart)`,
      });
    }
    map.set(key, to);
  }
  const otherwise = spec.otherwise ?? 'keep';
  const known = Object.keys(spec.values);
  const shown = known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
  const notMapped = reject('valueMap', `${name} has a value the value map does not list (mapped: ${shown})`);
  return (value) => {
    const mapped = map.get(ignoreCase ? value.toLowerCase() : value);
    if (mapped !== undefined) return accept(mapped);
    if (otherwise === 'keep') return accept(value);
    if (otherwise === 'reject') return notMapped;
    return accept(otherwise.value);
  };
}

function compileCoercion(
  family: Family,
  type: string,
  spec: ValueRuleSpec,
  field: ValueField,
  defaults: GlobalValueDefaults,
  context: ValueContext,
  problems: ValueSpecProblem[],
): Finish {
  const name = field.name;
  const fail = (rule: ValueRuleId, message: string) => reject(rule, `${name}: ${message}`);
  switch (family) {
    case 'text':
    case 'picklist':
    case 'multipicklist':
      return accept;
    case 'email':
      return (value) => {
        const problem = emailProblem(value);
        return problem ? fail('type.email', problem) : accept(value);
      };
    case 'phone': {
      const normalize = spec.normalize ?? 'none';
      const countryCode = (spec.defaultCountryCode ?? defaults.defaultCountryCode)?.replace(/^\+/, '');
      if (countryCode !== undefined && !/^[1-9]\d{0,2}$/.test(countryCode)) {
        problems.push({
          key: 'defaultCountryCode',
          message: 'defaultCountryCode is 1 to 3 digits, like 44 or +1',
        });
      }
      return (value) => {
        const phone = readPhone(value, normalize, countryCode);
        return phone.ok ? accept(phone.value) : fail('type.phone', phone.message);
      };
    }
    case 'url':
      return (value) => {
        const problem = urlProblem(value);
        return problem ? fail('type.url', problem) : accept(value);
      };
    case 'boolean': {
      const spellings = spec.booleans ?? defaults.booleans ?? DEFAULT_BOOLEANS;
      let read: (text: string) => 'true' | 'false' | undefined = () => undefined;
      try {
        read = booleanReader(spellings);
      } catch (error) {
        problems.push({
          key: spec.booleans ? 'booleans' : 'defaults.booleans',
          message: (error as Error).message,
        });
      }
      const message = `is not a yes/no value (${describeSpellings(spellings)})`;
      return (value) => {
        const bool = read(value);
        return bool === undefined ? fail('type.boolean', message) : accept(bool);
      };
    }
    case 'integer':
    case 'decimal':
      return compileNumber(family, type, spec, field, defaults, problems);
    case 'date':
    case 'datetime':
    case 'time':
      return compileDateTime(family, spec, field, defaults, problems);
    case 'id':
      return compileId(type, field, context);
  }
}

function compileNumber(
  family: 'integer' | 'decimal',
  type: string,
  spec: ValueRuleSpec,
  field: ValueField,
  defaults: GlobalValueDefaults,
  problems: ValueSpecProblem[],
): Finish {
  const name = field.name;
  const fail = (rule: ValueRuleId, message: string) => reject(rule, `${name}: ${message}`);
  let read: ReturnType<typeof numberReader> = () => 'cannot be read';
  try {
    read = numberReader({
      decimal: spec.decimal ?? defaults.decimal ?? '.',
      grouping: spec.grouping ?? defaults.grouping ?? 'none',
      currency: type === 'currency',
      percent: type === 'percent',
    });
  } catch (error) {
    problems.push({
      key: spec.grouping !== undefined ? 'grouping' : 'decimal',
      message: (error as Error).message,
    });
  }

  if (family === 'integer') {
    // Describe gives int fields `digits` (9 for most); an emulated schema may give `precision`. Without
    // either, 9 digits (int) or 18 (long), as the org's own standard fields have.
    const limits = [field.digits ?? 0, field.precision ?? 0].filter((d) => d > 0);
    const digits = limits.length > 0 ? Math.min(...limits) : type === 'long' ? 18 : 9;
    const max = type === 'long' ? 2n ** 63n - 1n : 2n ** 31n - 1n;
    return (value) => {
      const n = read(value);
      if (typeof n === 'string') return fail('type.number', n);
      if (/[1-9]/.test(n.fraction)) return fail('type.number', 'is not a whole number');
      const magnitude = BigInt(n.integer);
      if (n.integer.replace(/^0+/, '').length > digits || magnitude > max + (n.negative ? 1n : 0n)) {
        return fail(
          'numberRange',
          `is outside the field's range (at most ${Math.min(digits, max.toString().length)} digits)`,
        );
      }
      return accept(formatDecimal({ ...n, fraction: '' }));
    };
  }

  const precision = field.precision ?? 0;
  const scale = field.scale ?? 0;
  const extra = spec.decimals ?? defaults.decimals ?? 'round';
  const rounding = spec.rounding ?? defaults.rounding ?? 'halfUp';
  const fromFraction = type === 'percent' && spec.percentInput === 'fraction';
  if (spec.percentInput !== undefined && type !== 'percent' && family === 'decimal') {
    problems.push({
      key: 'percentInput',
      message: `percentInput applies to percent fields; ${name} is ${article(type)} field`,
    });
  }
  const integerDigits = precision - scale;
  return (value) => {
    let n = read(value);
    if (typeof n === 'string') return fail('type.number', n);
    if (fromFraction && !n.percentSign) n = percentOfFraction(n);
    if (precision > 0 && n.fraction.length > scale) {
      if (extra === 'reject') {
        return fail('numberScale', `has more than ${scale} decimal place${scale === 1 ? '' : 's'}`);
      }
      if (extra === 'round') n = roundDigits(n, scale, rounding);
    }
    const significant = n.integer === '0' ? 0 : n.integer.length;
    if (precision > 0 && significant > integerDigits) {
      return fail(
        'numberRange',
        `has ${significant} digits before the decimal point; the field takes ${integerDigits} (precision ${precision}, scale ${scale})`,
      );
    }
    return accept(formatDecimal(n));
  };
}

function compileDateTime(
  family: 'date' | 'datetime' | 'time',
  spec: ValueRuleSpec,
  field: ValueField,
  defaults: GlobalValueDefaults,
  problems: ValueSpecProblem[],
): Finish {
  const name = field.name;
  const fail = (rule: ValueRuleId, message: string) => reject(rule, `${name}: ${message}`);
  const rule: ValueRuleId = `type.${family}`;
  const fromDefaults = spec.format === undefined;
  const formatKey = fromDefaults ? `defaults.${family}Format` : 'format';
  const declared = spec.format ?? defaults[`${family}Format`] ?? DEFAULT_FORMATS[family];
  const formats: SourceDateFormat[] = [];
  for (const text of Array.isArray(declared) ? declared : [declared]) {
    try {
      const format = compileDateFormat(text);
      if (family === 'date' && !format.hasDate) {
        problems.push({
          key: formatKey,
          message: `format "${text}" has no date (yyyy, M, d) for date field ${name}`,
        });
      } else if (family === 'time' && !format.hasTime) {
        problems.push({
          key: formatKey,
          message: `format "${text}" has no time (H or h) for time field ${name}`,
        });
      } else formats.push(format);
    } catch (error) {
      problems.push({ key: formatKey, message: (error as Error).message });
    }
  }
  if (Array.isArray(declared) && declared.length === 0) {
    problems.push({ key: formatKey, message: 'format lists no format' });
  }
  const zoneName = spec.timeZone ?? defaults.timeZone ?? 'UTC';
  let zone = new ZoneRules('UTC');
  try {
    zone = new ZoneRules(zoneName);
  } catch {
    problems.push({
      key: spec.timeZone !== undefined ? 'timeZone' : 'defaults.timeZone',
      message: `"${zoneName}" is not an IANA time zone (like Europe/London, America/New_York, UTC)`,
    });
  }
  const ambiguous = spec.ambiguousTime ?? defaults.ambiguousTime ?? 'earlier';
  const nonexistent = spec.nonexistentTime ?? defaults.nonexistentTime ?? 'reject';
  const mismatch =
    formats.length === 1
      ? undefined
      : `does not match any of the formats ${formats.map((f) => f.label).join(', ')}`;

  const parse = (value: string): ParsedDateTime | string => {
    let first: string | undefined;
    let fitting: string | undefined;
    for (const format of formats) {
      const parsed = format.parse(value);
      if (typeof parsed !== 'string') return parsed;
      first ??= parsed;
      // A value in a format's shape that is still no date (2025-02-29): that format says why.
      if (fitting === undefined && mismatch !== undefined && format.fits(value))
        fitting = `${parsed} (format ${format.label})`;
    }
    return fitting ?? mismatch ?? first ?? 'cannot be read';
  };
  // Any wall time with a calendar date is checked already; an instant's local date is checked here.
  const dateOf = (parsed: ParsedDateTime): WallTime =>
    parsed.kind === 'wall' ? parsed : zone.wallAt(parsed.epochMs);

  switch (family) {
    case 'date':
      return (value) => {
        const parsed = parse(value);
        if (typeof parsed === 'string') return fail(rule, parsed);
        const { year, month, day } = dateOf(parsed);
        const problem = calendarProblem(year, month, day);
        return problem ? fail(rule, problem) : accept(formatBulkDate(year, month, day));
      };
    case 'time':
      return (value) => {
        const parsed = parse(value);
        if (typeof parsed === 'string') return fail(rule, parsed);
        const { hour, minute, second, millis } = dateOf(parsed);
        return accept(formatBulkTime(hour, minute, second, millis));
      };
    case 'datetime':
      return (value) => {
        const parsed = parse(value);
        if (typeof parsed === 'string') return fail(rule, parsed);
        let epochMs: number;
        if (parsed.kind === 'instant') epochMs = parsed.epochMs;
        else if (parsed.offsetMs !== undefined) epochMs = wallMs(parsed) - parsed.offsetMs;
        else {
          const resolved = zone.resolve(wallMs(parsed));
          if (resolved.ok) epochMs = resolved.epochMs;
          else if (resolved.reason === 'gap') {
            if (nonexistent === 'reject') {
              return fail(
                'timeZoneGap',
                `the local time does not exist in ${zone.name}: clocks go forward over it (set nonexistentTime: shiftForward to move it past the change)`,
              );
            }
            epochMs = resolved.earlier;
          } else {
            if (ambiguous === 'reject') {
              return fail(
                'timeZoneOverlap',
                `the local time happens twice in ${zone.name}: clocks go back over it (set ambiguousTime: earlier or later)`,
              );
            }
            epochMs = ambiguous === 'earlier' ? resolved.earlier : resolved.later;
          }
        }
        const text = formatBulkDatetime(epochMs);
        return typeof text === 'string' ? accept(text) : fail(rule, text.problem);
      };
  }
}

function compileId(type: string, field: ValueField, context: ValueContext): Finish {
  const name = field.name;
  const fail = (rule: ValueRuleId, message: string) => reject(rule, `${name}: ${message}`);
  const targets = type === 'id' ? (context.object ? [context.object] : []) : [...(field.referenceTo ?? [])];
  const prefixes = context.keyPrefixes;
  const allowed = new Set(targets.map((t) => t.toLowerCase()));
  const expected = targets.join(' or ');
  // Without every object's prefix, an unknown one may still be an object's: list the accepted ones.
  const acceptedPrefixes = [...(prefixes ?? [])]
    .filter(([, object]) => allowed.has(object.toLowerCase()))
    .map(([prefix, object]) => `${object} (${prefix})`)
    .join(', ');
  return (value) => {
    const problem = idProblem(value);
    if (problem) return fail('type.id', problem);
    if (prefixes && allowed.size > 0) {
      const prefix = keyPrefixOf(value);
      const object = prefixes.get(prefix);
      if (object !== undefined && !allowed.has(object.toLowerCase()))
        return fail('idPrefix', `the Id belongs to ${object}; ${name} takes ${expected} Ids`);
      if (object === undefined) {
        return fail(
          'idPrefix',
          context.everyKeyPrefix
            ? `key prefix ${prefix} is not an object of this org; ${name} takes ${expected} Ids`
            : `key prefix ${prefix} is none of ${acceptedPrefixes || expected}; ${name} takes ${expected} Ids`,
        );
      }
    }
    return accept(value);
  };
}

interface Checks {
  /** Per value (per item of a multi-select picklist): allowed values and picklist spelling. */
  item: Finish;
  /** On the whole cell: length and pattern. */
  whole: Finish;
}

function compileChecks(
  family: Family,
  spec: ValueRuleSpec,
  field: ValueField,
  problems: ValueSpecProblem[],
): Checks {
  const name = field.name;
  const fail = (rule: ValueRuleId, message: string) => reject(rule, `${name}: ${message}`);
  const itemChecks: Finish[] = [];
  const wholeChecks: Finish[] = [];

  if (spec.allowedValues !== undefined) {
    if (spec.allowedValues.length === 0)
      problems.push({ key: 'allowedValues', message: 'allowedValues lists no value' });
    const canonical = new Map(spec.allowedValues.map((v) => [v.toLowerCase(), v]));
    const message = `is not one of the allowed values (${listed(spec.allowedValues)})`;
    const exact = new Map(spec.allowedValues.map((v) => [v, canonical.get(v.toLowerCase())]));
    itemChecks.push((value) => {
      const match = exact.get(value) ?? canonical.get(value.toLowerCase());
      return match === undefined ? fail('allowedValues', message) : accept(match);
    });
  }

  if (family === 'picklist' || family === 'multipicklist') {
    const values = field.picklistValues ?? [];
    const active = new Map<string, string>();
    const inactive = new Set<string>();
    for (const p of values) {
      if (p.active) active.set(p.value.toLowerCase(), p.value);
      else inactive.add(p.value.toLowerCase());
    }
    const restricted = spec.restrictedPicklist ?? field.restrictedPicklist ?? false;
    if (restricted && active.size === 0) {
      problems.push({
        key: 'restrictedPicklist',
        message: `${name} has no active picklist value in this org to check against`,
      });
    }
    const activeList = values.filter((p) => p.active).map((p) => p.value);
    const notListed = `is not an active value of the picklist (${listed(activeList)})`;
    const isInactive = 'is an inactive value of the picklist';
    // The org's own spellings find their match without lower-casing every cell.
    const exact = new Map(
      [...values].filter((p) => p.active).map((p) => [p.value, active.get(p.value.toLowerCase())]),
    );
    itemChecks.push((value) => {
      // Written in the org's spelling: reports and filters compare picklist values exactly.
      const match = exact.get(value) ?? active.get(value.toLowerCase());
      if (match !== undefined) return accept(match);
      if (!restricted) return accept(value);
      return fail('restrictedPicklist', inactive.has(value.toLowerCase()) ? isInactive : notListed);
    });
  }

  const describedLength =
    (field.length ?? 0) > 0 ? field.length : family === 'email' ? EMAIL_MAX_LENGTH : undefined;
  const maxLength = spec.maxLength ?? (TEXTUAL.includes(family) ? describedLength : undefined);
  if (spec.maxLength !== undefined && describedLength !== undefined && spec.maxLength > describedLength) {
    problems.push({
      key: 'maxLength',
      message: `maxLength ${spec.maxLength} is more than ${name} holds (${describedLength} characters)`,
    });
  }
  if (maxLength !== undefined) {
    const message = `is longer than ${maxLength} characters`;
    wholeChecks.push((value) => (value.length > maxLength ? fail('maxLength', message) : accept(value)));
  }

  if (spec.pattern !== undefined) {
    try {
      const pattern = new RegExp(`^(?:${spec.pattern})$`, 'u');
      const message = `does not match the pattern ${spec.pattern}`;
      wholeChecks.push((value) => (pattern.test(value) ? accept(value) : fail('pattern', message)));
    } catch (error) {
      problems.push({
        key: 'pattern',
        message: `pattern is not a regular expression: ${(error as Error).message}`,
      });
    }
  }

  return { item: chain(itemChecks), whole: chain(wholeChecks) };
}

function chain(checks: Finish[]): Finish {
  if (checks.length === 0) return accept;
  if (checks.length === 1) return checks[0] as Finish;
  return (value) => {
    let result = accept(value);
    for (const check of checks) {
      result = check(result.ok ? result.value : value);
      if (!result.ok) return result;
    }
    return result;
  };
}

function listed(values: readonly string[]): string {
  return values.length > 10
    ? `${values.slice(0, 10).join(', ')}, … ${values.length - 10} more`
    : values.join(', ');
}

import { isValidId, to18 } from '../ids.ts';
import type { FieldSchema } from '../schema/types.ts';
import type { StoredValue } from '../store/types.ts';
import { rowErrors } from './sf-error.ts';

/**
 * A cell converted to the field's type: the value to store and the text Salesforce echoes in
 * successfulResults, or the row's sf__Error.
 */
export type Coerced = { ok: true; value: StoredValue; echo: string } | { ok: false; error: string };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Bulk API 2.0 "Valid Date Format in Records": the doc samples also use `1940-06-07Z` for a date.
const DATE = /^(\d{4})-(\d{2})-(\d{2})Z?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/;
// Deliberately loose, like the platform's: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Converts a non-empty cell (not `#N/A`) for `field`. */
export function coerceValue(field: FieldSchema, raw: string): Coerced {
  switch (field.type) {
    case 'string':
    case 'textarea':
    case 'phone':
    case 'url':
    case 'combobox':
    case 'encryptedstring':
      return text(field, raw);
    case 'email': {
      const checked = text(field, raw);
      if (checked.ok && !EMAIL.test(raw)) return { ok: false, error: rowErrors.invalidEmail(field, raw) };
      return checked;
    }
    case 'picklist':
      return picklist(field, raw, [raw]);
    case 'multipicklist':
      return picklist(field, raw, raw.split(';'));
    case 'boolean':
      return boolean(field, raw);
    case 'int':
      return integer(field, raw, field.precision > 0 ? field.precision : 9);
    case 'long':
      return integer(field, raw, field.precision > 0 ? field.precision : 18);
    case 'double':
    case 'currency':
    case 'percent':
      return decimal(field, raw);
    case 'date':
      return date(field, raw);
    case 'datetime':
      return datetime(field, raw);
    case 'time':
      return time(field, raw);
    case 'id':
    case 'reference':
      return isValidId(raw)
        ? { ok: true, value: to18(raw), echo: raw }
        : { ok: false, error: rowErrors.malformedId(field, raw) };
    default:
      // Compound fields (address, location) are read-only; the header check never lets one through.
      return { ok: false, error: rowErrors.notWritable([field.name]) };
  }
}

function text(field: FieldSchema, raw: string): Coerced {
  if (field.length > 0 && raw.length > field.length) {
    return { ok: false, error: rowErrors.stringTooLong(field, raw) };
  }
  return { ok: true, value: raw, echo: raw };
}

function picklist(field: FieldSchema, raw: string, values: string[]): Coerced {
  const checked = text(field, raw);
  if (!checked.ok || !field.restrictedPicklist) return checked;
  const allowed = new Set(field.picklistValues.filter((p) => p.active).map((p) => p.value));
  const bad = values.find((v) => !allowed.has(v));
  return bad === undefined ? checked : { ok: false, error: rowErrors.restrictedPicklist(field, bad) };
}

function boolean(field: FieldSchema, raw: string): Coerced {
  // true/false are what clients send; 1/0 is what SOAP also accepts. yes/no stay an error (UNCONFIRMED).
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return { ok: true, value: true, echo: 'true' };
  if (lower === 'false' || lower === '0') return { ok: true, value: false, echo: 'false' };
  return { ok: false, error: rowErrors.invalidType(field, raw) };
}

function integer(field: FieldSchema, raw: string, digits: number): Coerced {
  if (!INTEGER.test(raw)) return { ok: false, error: rowErrors.invalidType(field, raw) };
  const n = BigInt(raw);
  if ((n < 0n ? -n : n) >= 10n ** BigInt(digits))
    return { ok: false, error: rowErrors.numberOutOfRange(field, raw) };
  return { ok: true, value: Number(n), echo: n.toString() };
}

function decimal(field: FieldSchema, raw: string): Coerced {
  if (!DECIMAL.test(raw)) return { ok: false, error: rowErrors.invalidType(field, raw) };
  const n = Number(raw);
  const integerDigits = field.precision > 0 ? field.precision - field.scale : 0;
  if (!Number.isFinite(n) || (integerDigits > 0 && Math.abs(n) >= 10 ** integerDigits)) {
    return { ok: false, error: rowErrors.numberOutOfRange(field, raw) };
  }
  // Salesforce rounds to the field's scale on save and echoes the Java double it parsed.
  const value = field.precision > 0 ? roundHalfUp(n, field.scale) : n;
  return { ok: true, value, echo: javaDoubleToString(n) };
}

function roundHalfUp(n: number, scale: number): number {
  const factor = 10 ** scale;
  return (Math.sign(n) * Math.round(Math.abs(n) * factor + Number.EPSILON)) / factor;
}

function date(field: FieldSchema, raw: string): Coerced {
  const m = DATE.exec(raw);
  if (!m || !isCalendarDate(m[1], m[2], m[3])) return { ok: false, error: rowErrors.invalidType(field, raw) };
  return { ok: true, value: `${m[1]}-${m[2]}-${m[3]}`, echo: raw };
}

function datetime(field: FieldSchema, raw: string): Coerced {
  const m = DATETIME.exec(raw);
  if (
    !m ||
    !isCalendarDate(m[1], m[2], m[3]) ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59 ||
    Number(m[6]) > 59
  ) {
    return { ok: false, error: rowErrors.invalidType(field, raw) };
  }
  const millis = (m[7] ?? '').padEnd(3, '0');
  const zone = m[8] === 'Z' ? 'Z' : `${m[8]?.slice(0, 3)}:${m[8]?.slice(-2)}`;
  const instant = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${millis}${zone}`);
  if (Number.isNaN(instant.getTime())) return { ok: false, error: rowErrors.invalidType(field, raw) };
  return { ok: true, value: instant.toISOString(), echo: raw };
}

function time(field: FieldSchema, raw: string): Coerced {
  const m = TIME.exec(raw);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    return { ok: false, error: rowErrors.invalidType(field, raw) };
  }
  return { ok: true, value: `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0')}Z`, echo: raw };
}

function isCalendarDate(year = '', month = '', day = ''): boolean {
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    d.getUTCFullYear() === Number(year) &&
    d.getUTCMonth() === Number(month) - 1 &&
    d.getUTCDate() === Number(day)
  );
}

/**
 * Java's `Double.toString`: plain notation with at least one fractional digit for 1e-3 ≤ |n| < 1e7,
 * otherwise `d.dddE±n` (no plus sign). Salesforce echoes numeric cells this way (`912260031` → `9.12260031E8`).
 */
export function javaDoubleToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = String(n);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa = '', exponent = '0'] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

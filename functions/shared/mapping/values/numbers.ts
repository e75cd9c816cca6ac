/**
 * Numbers as decimal text, never as floating point: `1.234,50 €` with decimal `,` and grouping `.`
 * becomes digits and a sign, is rounded or checked against the field's precision and scale as strings,
 * and is written as plain decimal text (`1234.50`), never in exponent notation. A double would turn
 * 0.1 + 0.2 into 0.30000000000000004 and 12345678901234567 into ...568.
 */
import type { DecimalSeparator, GroupingSeparator, RoundingMode } from './spec.ts';

/** A number as sign and digit strings: `-1234.5` is { negative, integer: '1234', fraction: '5' }. */
export interface DecimalDigits {
  negative: boolean;
  /** No leading zeros; '0' for a number below one. */
  integer: string;
  /** As written (trailing zeros kept), possibly ''. */
  fraction: string;
  /** The value carried a `%` sign. */
  percentSign: boolean;
}

export interface NumberSyntax {
  decimal: DecimalSeparator;
  grouping: GroupingSeparator;
  /** Strip currency symbols (`£`, `€`, `$`...) and ISO codes (`EUR`) before or after the number. */
  currency: boolean;
  /** Accept a `%` sign before or after the number. */
  percent: boolean;
}

/** Characters accepted for each grouping separator: spaces include the no-break spaces of fr/de locales. */
const GROUPING_CHARS: Record<Exclude<GroupingSeparator, 'none'>, string> = {
  ',': ',',
  '.': '.',
  ' ': ' \u00a0\u202f',
  "'": "'\u2019",
};

const CURRENCY_PREFIX = /^(?:\p{Sc}+|[A-Z]{3}(?![A-Za-z]))\s*/u;
const CURRENCY_SUFFIX = /\s*(?:\p{Sc}+|(?<![A-Za-z])[A-Z]{3})$/u;

/**
 * A compiled reader for one syntax. @throws Error when decimal and grouping are the same character.
 */
export function numberReader(syntax: NumberSyntax): (text: string) => DecimalDigits | string {
  const { decimal } = syntax;
  if (syntax.grouping !== 'none' && GROUPING_CHARS[syntax.grouping].includes(decimal)) {
    throw new Error(`the grouping separator cannot be the decimal separator "${decimal}"`);
  }
  const group = syntax.grouping === 'none' ? '' : `[${escapeClass(GROUPING_CHARS[syntax.grouping])}]`;
  const point = escapeClass(decimal);
  // Integer part plain, or grouped in threes from the point; a fraction; an optional exponent.
  const integer = group ? `(\\d{1,3}(?:${group}\\d{3})+|\\d+)` : '(\\d+)';
  const body = new RegExp(`^(?:${integer}(?:[${point}](\\d*))?|[${point}](\\d+))(?:[eE]([+-]?\\d{1,3}))?$`);
  const groupChars = group ? new RegExp(group, 'g') : undefined;

  return (text) => {
    let rest = text.trim();
    let negative = false;
    let signed = false;
    let percentSign = false;
    let currency = false;
    let parenthesised = false;
    // Affixes in any order: -£1.00, £-1.00, (£1.00), 12.5 %, 1.234,50 €, 1234-.
    for (let changed = true; changed && rest !== ''; ) {
      changed = false;
      const before = rest;
      if (!parenthesised && rest.startsWith('(') && rest.endsWith(')')) {
        if (signed) return 'has both a sign and accounting parentheses';
        parenthesised = negative = signed = true;
        rest = rest.slice(1, -1).trim();
      } else if (!signed && (rest[0] === '-' || rest[0] === '+' || rest[0] === '\u2212')) {
        signed = true;
        negative = rest[0] !== '+';
        rest = rest.slice(1).trim();
      } else if (!signed && rest.endsWith('-')) {
        signed = negative = true;
        rest = rest.slice(0, -1).trim();
      } else if (syntax.percent && !percentSign && (rest.endsWith('%') || rest.startsWith('%'))) {
        percentSign = true;
        rest = (rest.endsWith('%') ? rest.slice(0, -1) : rest.slice(1)).trim();
      } else if (syntax.currency && !currency && (CURRENCY_PREFIX.test(rest) || CURRENCY_SUFFIX.test(rest))) {
        currency = true;
        rest = rest.replace(CURRENCY_PREFIX.test(rest) ? CURRENCY_PREFIX : CURRENCY_SUFFIX, '').trim();
      }
      changed = rest !== before;
    }
    const m = body.exec(rest);
    if (!m) return describeBadNumber(rest, syntax);
    let int = m[1] ?? '';
    let fraction = m[2] ?? m[3] ?? '';
    if (groupChars) int = int.replace(groupChars, '');
    const exponent = m[4] === undefined ? 0 : Number(m[4]);
    if (exponent !== 0) [int, fraction] = shiftPoint(int, fraction, exponent);
    int = int.replace(/^0+(?=\d)/, '');
    if (int === '') int = '0';
    return { negative, integer: int, fraction, percentSign };
  };
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

function describeBadNumber(rest: string, syntax: NumberSyntax): string {
  if (rest === '') return 'has no digits';
  if (/\p{L}/u.test(rest.replace(/e/gi, ''))) {
    return syntax.currency ? 'contains letters that are not a currency code' : 'contains letters';
  }
  if (!syntax.currency && /\p{Sc}/u.test(rest))
    return 'contains a currency symbol (the field is not a currency)';
  if (!syntax.percent && rest.includes('%')) return 'contains a percent sign (the field is not a percent)';
  const otherPoint = syntax.decimal === '.' ? ',' : '.';
  if (rest.includes(otherPoint) && (syntax.grouping === 'none' || syntax.grouping !== otherPoint)) {
    return `contains "${otherPoint}", which is neither the decimal separator "${syntax.decimal}" nor the grouping separator (${syntax.grouping})`;
  }
  return `is not a number with decimal "${syntax.decimal}" and grouping ${syntax.grouping === 'none' ? 'none' : `"${syntax.grouping}" in groups of three`}`;
}

/** Moves the decimal point `by` places (an exponent) on digit strings. */
export function shiftPoint(integer: string, fraction: string, by: number): [string, string] {
  const digits = integer + fraction;
  const point = integer.length + by;
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
  return [digits.slice(0, point), digits.slice(point)];
}

/** Rounds to `scale` decimals on digit strings; a carry may add an integer digit (99.995 → 100.00). */
export function roundDigits(value: DecimalDigits, scale: number, mode: RoundingMode): DecimalDigits {
  if (value.fraction.length <= scale) return value;
  const kept = value.fraction.slice(0, scale);
  const dropped = value.fraction.slice(scale);
  const first = Number(dropped[0]);
  const exactHalf = first === 5 && /^0*$/.test(dropped.slice(1));
  const lastKept = Number((scale === 0 ? value.integer.at(-1) : kept.at(-1)) ?? 0);
  const up = first > 5 || (first === 5 && (!exactHalf || mode === 'halfUp' || lastKept % 2 === 1));
  if (!up) return { ...value, fraction: kept };
  const sum = (BigInt(value.integer + kept) + 1n).toString().padStart(value.integer.length + scale, '0');
  const integer = sum.slice(0, sum.length - scale) || '0';
  return { ...value, integer, fraction: sum.slice(sum.length - scale) };
}

/** Multiplies by 100 (a fraction read as a percentage): 0.125 → 12.5. */
export function percentOfFraction(value: DecimalDigits): DecimalDigits {
  const [integer, fraction] = shiftPoint(value.integer, value.fraction, 2);
  return { ...value, integer: integer.replace(/^0+(?=\d)/, '') || '0', fraction };
}

export function isZero(value: DecimalDigits): boolean {
  return /^0*$/.test(value.integer) && /^0*$/.test(value.fraction);
}

/** Plain decimal text; no sign on zero. */
export function formatDecimal(value: DecimalDigits): string {
  const sign = value.negative && !isZero(value) ? '-' : '';
  return value.fraction === '' ? `${sign}${value.integer}` : `${sign}${value.integer}.${value.fraction}`;
}

/**
 * Dates, datetimes and times: a declared source format in, Bulk API text out.
 *
 * A date is a calendar day with no time zone, so it is handled as three numbers from parse to output and
 * never goes through a `Date` (a date at local midnight shifts by a day in zones west of UTC). Datetimes
 * without an offset in the value are local times in a named IANA zone, converted to UTC with the zone's
 * offsets from `Intl.DateTimeFormat`; the host's own zone is never consulted.
 *
 * Formats are patterns (`dd/MM/yyyy`, `yyyy-MM-dd HH:mm[:ss]`, `d-MMM-yyyy h:mm a`) or the names `iso`,
 * `epochSeconds` and `epochMillis`. Pattern letters: `yyyy` year; `M`/`MM` month number, `MMM` English
 * abbreviation (Jan), `MMMM` English name (January); `d`/`dd` day; `H`/`HH` hour 0-23; `h`/`hh` hour
 * 1-12 with `a` (AM/PM); `m`/`mm` minute; `s`/`ss` second; `S`… fraction of a second (1-9 digits, kept
 * to the millisecond); `X`/`XXX`/`Z` offset (`Z`, `+01:00`, `+0100`, `+01`). `[...]` is optional,
 * `'text'` literal, `T` a literal T; one letter form accepts one or two digits, two letters exactly two.
 * A space matches one or more spaces. Letters and AM/PM match in any case.
 */

/** Salesforce accepts dates from 1700-01-01 to 4000-12-31. */
const MIN_YEAR = 1700;
const MAX_YEAR = 4000;
const DAY_MS = 86_400_000;

/** A local date and time as written in the source, with its offset when the value carries one. */
export interface WallTime {
  kind: 'wall';
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** Milliseconds east of UTC, when the value itself has an offset (`+01:00`, `Z`). */
  offsetMs?: number;
}

/** An instant (epoch formats): already UTC, needs a zone only to become a local date. */
export interface Instant {
  kind: 'instant';
  epochMs: number;
}

export type ParsedDateTime = WallTime | Instant;

export interface SourceDateFormat {
  /** The format as declared, for messages. */
  label: string;
  /** Whether the format gives a calendar date (year, month and day) or only a time. */
  hasDate: boolean;
  hasTime: boolean;
  /** The parsed value, or why it does not fit the format (never quoting the value). */
  parse(text: string): ParsedDateTime | string;
  /**
   * Whether the text has the format's shape, valid or not: of several formats, the one a value fits
   * says what is wrong with it (`2025-02-29`: February 2025 has 28 days), not that none matched.
   */
  fits(text: string): boolean;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_ABBREVIATIONS = new Map(MONTHS.map((name, i) => [name.slice(0, 3), i + 1]));
const MONTH_NAMES = new Map(MONTHS.map((name, i) => [name, i + 1]));

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Why year/month/day is not a day Salesforce can store, or undefined. */
export function calendarProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return 'the month is not 1 to 12';
  if (day < 1) return 'is not a date: days start at 1';
  const days = daysInMonth(year, month);
  if (day > days) {
    const name = MONTHS[month - 1] ?? '';
    return `is not a date: ${name.charAt(0).toUpperCase()}${name.slice(1)} ${year} has ${days} days`;
  }
  if (year < MIN_YEAR || year > MAX_YEAR) return `the year is outside ${MIN_YEAR} to ${MAX_YEAR}`;
  return undefined;
}

type Field =
  | 'year'
  | 'month'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'ampm'
  | 'offset';

interface Token {
  field: Field;
  regex: string;
  /** Month given by name: abbreviated or full. */
  monthName?: 'short' | 'long';
}

const DIGITS = (n: 1 | 2 | 4) => (n === 1 ? '(\\d{1,2})' : `(\\d{${n}})`);
const OFFSET = '(Z|[+-]\\d{2}(?::?\\d{2})?)';

/** The token for a run of `count` pattern letters `letter`, or a problem. */
function token(letter: string, count: number): Token | string {
  const oneOrTwo = (field: Field): Token | string =>
    count <= 2 ? { field, regex: DIGITS(count as 1 | 2) } : `"${letter.repeat(count)}" is not a pattern`;
  switch (letter) {
    case 'y':
      if (count === 4) return { field: 'year', regex: DIGITS(4) };
      return count === 2
        ? '"yy" is ambiguous about the century: use "yyyy"'
        : `"${'y'.repeat(count)}" is not a pattern: use "yyyy"`;
    case 'M':
      if (count === 3) return { field: 'month', regex: '([A-Za-z]{3})', monthName: 'short' };
      if (count === 4) return { field: 'month', regex: '([A-Za-z]+)', monthName: 'long' };
      return oneOrTwo('month');
    case 'd':
      return oneOrTwo('day');
    case 'H':
      return oneOrTwo('hour');
    case 'h':
      return oneOrTwo('hour12');
    case 'm':
      return oneOrTwo('minute');
    case 's':
      return oneOrTwo('second');
    case 'S':
      return count <= 9 ? { field: 'fraction', regex: '(\\d{1,9})' } : 'more than 9 "S" is not a pattern';
    case 'a':
      return count === 1 ? { field: 'ampm', regex: '([AaPp]\\.?[Mm]\\.?)' } : '"a" stands alone (AM/PM)';
    case 'X':
    case 'Z':
      return count <= 3 ? { field: 'offset', regex: OFFSET } : `"${letter.repeat(count)}" is not a pattern`;
    default:
      return `"${letter}" is not a pattern letter (use y M d H h m s S a X, and quote literal text: 'at')`;
  }
}

const LETTER_FIELDS: Record<string, Field> = {
  y: 'year',
  M: 'month',
  d: 'day',
  H: 'hour',
  h: 'hour12',
  m: 'minute',
  s: 'second',
  a: 'ampm',
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Capture {
  field: Field;
  monthName?: 'short' | 'long';
}

/**
 * Compiles a pattern or a named format.
 * @throws Error naming what is wrong with the pattern.
 */
export function compileDateFormat(format: string): SourceDateFormat {
  if (format === 'iso') return ISO_FORMAT;
  if (format === 'epochSeconds') return epochFormat(format, 1000);
  if (format === 'epochMillis') return epochFormat(format, 1);
  if (format.trim() === '') throw new Error('a format cannot be empty');

  const captures: Capture[] = [];
  const problems: string[] = [];
  const required = new Set<Field>();
  const present = new Set<Field>();
  let source = '';
  let optionalDepth = 0;
  for (let i = 0; i < format.length; ) {
    const c = format[i] as string;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end === -1) {
        problems.push('a quote opens literal text that is never closed');
        break;
      }
      // '' is a literal quote, inside or outside quoted text.
      source += end === i + 1 ? "'" : escapeRegex(format.slice(i + 1, end));
      i = end + 1;
    } else if (c === '[') {
      optionalDepth++;
      source += '(?:';
      i++;
    } else if (c === ']') {
      if (optionalDepth === 0) problems.push('"]" closes an optional part that was never opened');
      else {
        optionalDepth--;
        source += ')?';
      }
      i++;
    } else if (c === 'T') {
      source += 'T';
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (format[i + count] === c) count++;
      const t = token(c, count);
      if (typeof t === 'string') {
        problems.push(t);
        // Count a misspelt part as present so the pattern's shape is not reported wrong as well.
        const field = LETTER_FIELDS[c];
        if (field) {
          present.add(field);
          if (optionalDepth === 0) required.add(field);
        }
      } else {
        if (present.has(t.field)) problems.push(`"${c.repeat(count)}" repeats a part already in the pattern`);
        present.add(t.field);
        if (optionalDepth === 0) required.add(t.field);
        captures.push(t.monthName ? { field: t.field, monthName: t.monthName } : { field: t.field });
        source += t.regex;
      }
      i += count;
    } else if (c === ' ') {
      while (format[i] === ' ') i++;
      source += '\\s+';
    } else {
      source += escapeRegex(c);
      i++;
    }
  }
  if (optionalDepth > 0) problems.push('"[" opens an optional part that is never closed');
  const hasDate = present.has('year') || present.has('month') || present.has('day');
  if (hasDate && !(required.has('year') && required.has('month') && required.has('day'))) {
    problems.push('a date pattern needs yyyy, M and d outside optional parts');
  }
  const hasTime = present.has('hour') || present.has('hour12');
  if (!hasDate && !hasTime && !present.has('minute') && !present.has('second'))
    problems.push('the pattern has neither a date (yyyy, M, d) nor a time (H or h)');
  if (present.has('hour') && present.has('hour12'))
    problems.push('use either H (0-23) or h (1-12), not both');
  if (present.has('hour12') !== present.has('ampm')) {
    problems.push('h (1-12) needs a (AM/PM), and a needs h; use H for a 24-hour clock');
  }
  if ((present.has('minute') || present.has('second')) && !hasTime)
    problems.push('minutes need an hour (H or h)');
  if (problems.length > 0) throw new Error(`format "${format}": ${problems.join('; ')}`);

  const regex = new RegExp(`^${source}$`, 'i');
  const label = format;
  return {
    label,
    hasDate,
    hasTime,
    fits: (text) => regex.test(text),
    parse(text) {
      const match = regex.exec(text);
      if (!match) return `does not match the format ${label}`;
      const wall: WallTime = {
        kind: 'wall',
        year: 0,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
      };
      let pm: boolean | undefined;
      for (let g = 0; g < captures.length; g++) {
        const value = match[g + 1];
        if (value === undefined) continue;
        const capture = captures[g] as Capture;
        switch (capture.field) {
          case 'month': {
            const month = capture.monthName
              ? (capture.monthName === 'short' ? MONTH_ABBREVIATIONS : MONTH_NAMES).get(value.toLowerCase())
              : Number(value);
            if (month === undefined) return 'the month name is not an English month';
            wall.month = month;
            break;
          }
          case 'fraction':
            wall.millis = Number(value.slice(0, 3).padEnd(3, '0'));
            break;
          case 'ampm':
            pm = value[0] === 'p' || value[0] === 'P';
            break;
          case 'offset':
            wall.offsetMs = offsetMs(value);
            break;
          case 'hour12':
            wall.hour = Number(value);
            break;
          default:
            wall[capture.field] = Number(value);
        }
      }
      if (pm !== undefined) {
        if (wall.hour < 1 || wall.hour > 12) return 'the hour is not 1 to 12';
        wall.hour = (wall.hour % 12) + (pm ? 12 : 0);
      }
      return checkWall(wall, hasDate);
    },
  };
}

/** Milliseconds east of UTC for `Z`, `+01`, `+0100` or `+01:00`. */
function offsetMs(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
}

function checkWall(wall: WallTime, hasDate: boolean): WallTime | string {
  if (hasDate) {
    const problem = calendarProblem(wall.year, wall.month, wall.day);
    if (problem) return problem;
  }
  if (wall.hour > 23) return 'the hour is not 0 to 23';
  if (wall.minute > 59) return 'the minutes are not 0 to 59';
  if (wall.second > 59) return 'the seconds are not 0 to 59';
  if (wall.offsetMs !== undefined && Math.abs(wall.offsetMs) > 18 * 3_600_000)
    return 'the offset is beyond ±18:00';
  return wall;
}

// Extended ISO 8601 as systems export it: date, optional time (T or space), optional offset.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const ISO_FORMAT: SourceDateFormat = {
  label: 'iso',
  hasDate: true,
  hasTime: true,
  fits: (text) => ISO.test(text),
  parse(text) {
    const m = ISO.exec(text);
    if (!m) return 'is not an ISO 8601 date or date and time';
    const wall: WallTime = {
      kind: 'wall',
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      millis: Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')),
    };
    if (m[8] !== undefined) wall.offsetMs = offsetMs(m[8]);
    return checkWall(wall, true);
  },
};

function epochFormat(label: string, unitMs: number): SourceDateFormat {
  const shape = unitMs === 1 ? /^[+-]?\d{1,15}$/ : /^[+-]?\d{1,12}(?:\.\d{1,9})?$/;
  return {
    label,
    hasDate: true,
    hasTime: true,
    fits: (text) => shape.test(text),
    parse(text) {
      if (!shape.test(text))
        return `is not a number of ${unitMs === 1 ? 'milliseconds' : 'seconds'} since 1970`;
      return { kind: 'instant', epochMs: Math.round(Number(text) * unitMs) };
    },
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Bulk API date: `YYYY-MM-DD`. */
export function formatBulkDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Bulk API time: `HH:mm:ss.SSSZ` (Salesforce time fields carry no zone; the API spells them with Z). */
export function formatBulkTime(hour: number, minute: number, second: number, millis: number): string {
  return `${pad(hour)}:${pad(minute)}:${pad(second)}.${pad(millis, 3)}Z`;
}

/** Bulk API datetime in UTC: `YYYY-MM-DDTHH:mm:ss.SSSZ`, or why the instant cannot be stored. */
export function formatBulkDatetime(epochMs: number): string | { problem: string } {
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(epochMs) || year < MIN_YEAR || year > MAX_YEAR) {
    return { problem: `the time is outside the years ${MIN_YEAR} to ${MAX_YEAR}` };
  }
  return date.toISOString();
}

/** The UTC instant of a local time, or why there is none (gap) or more than one (overlap). */
export type Resolved =
  | { ok: true; epochMs: number }
  | { ok: false; reason: 'gap' | 'overlap'; earlier: number; later: number };

/**
 * A named zone's offsets, read from Intl. Offsets are cached per local day: one Intl call per new day
 * and a check that the day has no transition, so a file of datetimes costs little more than parsing.
 */
export class ZoneRules {
  readonly name: string;
  readonly #format: Intl.DateTimeFormat | undefined;
  /** Local day number → the day's single offset, or null when a transition falls near it. */
  readonly #days = new Map<number, number | null>();

  /** @throws RangeError for a name Intl does not know. */
  constructor(name: string) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.name = format.resolvedOptions().timeZone;
    this.#format = this.name === 'UTC' || this.name === 'Etc/UTC' ? undefined : format;
  }

  /** Milliseconds east of UTC at an instant. */
  offsetAt(epochMs: number): number {
    if (!this.#format) return 0;
    const whole = Math.floor(epochMs / 1000) * 1000;
    const parts = this.#format.formatToParts(whole);
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of parts) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'day') day = Number(part.value);
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
      else if (part.type === 'second') second = Number(part.value);
    }
    return utcMs(year, month, day, hour, minute, second, 0) - whole;
  }

  /** The local wall time of an instant in this zone. */
  wallAt(epochMs: number): WallTime {
    const local = new Date(epochMs + this.offsetAt(epochMs));
    return {
      kind: 'wall',
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      millis: local.getUTCMilliseconds(),
    };
  }

  /** The instant(s) a local time (given as if it were UTC: `localMs`) stands for. */
  resolve(localMs: number): Resolved {
    if (!this.#format) return { ok: true, epochMs: localMs };
    const dayNumber = Math.floor(localMs / DAY_MS);
    let steady = this.#days.get(dayNumber);
    if (steady === undefined) {
      // Offsets stay within ±18h, so every instant this day's local times can mean lies in these bounds.
      const start = dayNumber * DAY_MS;
      const before = this.offsetAt(start - DAY_MS);
      steady =
        before === this.offsetAt(start + DAY_MS / 2) && before === this.offsetAt(start + 2 * DAY_MS)
          ? before
          : null;
      if (this.#days.size > 10_000) this.#days.clear();
      this.#days.set(dayNumber, steady);
    }
    if (steady !== null) return { ok: true, epochMs: localMs - steady };

    const before = this.offsetAt(localMs - DAY_MS);
    const after = this.offsetAt(localMs + DAY_MS);
    const byBefore = localMs - before;
    const byAfter = localMs - after;
    const beforeFits = this.offsetAt(byBefore) === before;
    const afterFits = this.offsetAt(byAfter) === after;
    if (beforeFits && afterFits && byBefore !== byAfter) {
      return {
        ok: false,
        reason: 'overlap',
        earlier: Math.min(byBefore, byAfter),
        later: Math.max(byBefore, byAfter),
      };
    }
    if (beforeFits) return { ok: true, epochMs: byBefore };
    if (afterFits) return { ok: true, epochMs: byAfter };
    // In the gap: the offset from before the change moves the time forward by the gap's length.
    return { ok: false, reason: 'gap', earlier: byBefore, later: byBefore };
  }
}

/** Milliseconds for a wall time read as UTC (Date.UTC handles years < 100 wrongly; none here). */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number {
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

export function wallMs(wall: WallTime): number {
  return utcMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.millis);
}

import { describe, expect, it } from 'vitest';
import {
  compileDateFormat,
  compileValueRule,
  type GlobalValueDefaults,
  type ValueField,
  type ValueRuleSpec,
  ZoneRules,
} from '../../functions/shared/mapping/values/index.ts';

const field = (type: string, extra: Partial<ValueField> = {}): ValueField => ({
  name: 'When__c',
  type,
  nillable: true,
  ...extra,
});
const run = (spec: ValueRuleSpec, type: string, raw: string, defaults: GlobalValueDefaults = {}) =>
  compileValueRule(spec, field(type), defaults)(raw);
const value = (spec: ValueRuleSpec, type: string, raw: string, defaults?: GlobalValueDefaults) => {
  const result = run(spec, type, raw, defaults);
  if (!result.ok) throw new Error(`expected a value for ${raw}, got ${result.rule}: ${result.message}`);
  return result.value;
};
const specProblems = (spec: ValueRuleSpec, type: string, defaults: GlobalValueDefaults = {}) => {
  try {
    compileValueRule(spec, field(type), defaults);
  } catch (error) {
    return (error as { problems: { key: string; message: string }[] }).problems;
  }
  throw new Error('expected the spec to be refused');
};

describe('date formats', () => {
  it.each([
    ['yyyy-MM-dd', '2026-03-05', '2026-03-05'],
    ['dd/MM/yyyy', '05/03/2026', '2026-03-05'],
    ['MM/dd/yyyy', '03/05/2026', '2026-03-05'],
    ['d.M.yyyy', '5.3.2026', '2026-03-05'],
    ['d.M.yyyy', '05.03.2026', '2026-03-05'],
    ['yyyyMMdd', '20260305', '2026-03-05'],
    ['dd-MMM-yyyy', '05-Mar-2026', '2026-03-05'],
    ['dd-MMM-yyyy', '05-MAR-2026', '2026-03-05'],
    ['dd-MMM-yyyy', '31-dec-1999', '1999-12-31'],
    ['d MMMM yyyy', '5 September 2026', '2026-09-05'],
    ["yyyy-MM-dd'T'HH:mm:ss", '2026-03-05T23:59:59', '2026-03-05'],
    ['yyyy-MM-dd HH:mm[:ss]', '2026-03-05 23:30', '2026-03-05'],
    ['iso', '2026-03-05', '2026-03-05'],
    ['iso', '2026-03-05T23:30:00-08:00', '2026-03-05'],
  ])('reads %s: %s as %s', (format, raw, expected) => {
    expect(value({ format }, 'date', raw)).toBe(expected);
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['1700-01-01', '1700-01-01'],
    ['4000-12-31', '4000-12-31'],
  ])('accepts the calendar date %s', (raw, expected) => {
    expect(value({}, 'date', raw)).toBe(expected);
  });

  it.each([
    ['2025-02-29', 'is not a date: February 2025 has 28 days'],
    ['1900-02-29', 'is not a date: February 1900 has 28 days'],
    ['2025-02-30', 'is not a date: February 2025 has 28 days'],
    ['2024-02-30', 'is not a date: February 2024 has 29 days'],
    ['2025-04-31', 'is not a date: April 2025 has 30 days'],
    ['2025-01-32', 'is not a date: January 2025 has 31 days'],
    ['2025-01-00', 'is not a date: days start at 1'],
    ['2025-13-01', 'the month is not 1 to 12'],
    ['2025-00-10', 'the month is not 1 to 12'],
    ['1699-12-31', 'the year is outside 1700 to 4000'],
    ['4001-01-01', 'the year is outside 1700 to 4000'],
    ['2025-1-5', 'does not match the format yyyy-MM-dd'],
    ['05/01/2025', 'does not match the format yyyy-MM-dd'],
  ])('rejects %s as a date: %s', (raw, message) => {
    expect(run({}, 'date', raw)).toEqual({ ok: false, rule: 'type.date', message: `When__c: ${message}` });
  });

  it('rejects a month name that is not an English abbreviation', () => {
    expect(run({ format: 'dd-MMM-yyyy' }, 'date', '05-Mrz-2026')).toMatchObject({
      rule: 'type.date',
      message: 'When__c: the month name is not an English month',
    });
  });

  it('tries a list of formats in order and names them all when none fits', () => {
    const spec = { format: ['dd/MM/yyyy', 'yyyy-MM-dd'] };
    expect(value(spec, 'date', '05/03/2026')).toBe('2026-03-05');
    expect(value(spec, 'date', '2026-03-05')).toBe('2026-03-05');
    expect(run(spec, 'date', '5 March 2026')).toMatchObject({
      rule: 'type.date',
      message: 'When__c: does not match any of the formats dd/MM/yyyy, yyyy-MM-dd',
    });
  });

  it('says why a value in the shape of one of several formats is no date', () => {
    const spec = { format: ['dd/MM/yyyy', 'yyyy-MM-dd', 'dd-MMM-yyyy'] };
    expect(run(spec, 'date', '2025-02-29')).toEqual({
      ok: false,
      rule: 'type.date',
      message: 'When__c: is not a date: February 2025 has 28 days (format yyyy-MM-dd)',
    });
    expect(run(spec, 'date', '31/04/2025')).toMatchObject({
      message: 'When__c: is not a date: April 2025 has 30 days (format dd/MM/yyyy)',
    });
    expect(run(spec, 'date', '05-Mrz-2025')).toMatchObject({
      message: 'When__c: the month name is not an English month (format dd-MMM-yyyy)',
    });
    expect(run({ format: ['iso', 'epochSeconds'] }, 'datetime', '2025-02-29T10:00:00Z')).toMatchObject({
      rule: 'type.datetime',
      message: 'When__c: is not a date: February 2025 has 28 days (format iso)',
    });
  });

  it('never shifts a date whatever the time zone of the load', () => {
    for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Adak', 'Asia/Kolkata']) {
      expect(value({ format: 'dd/MM/yyyy', timeZone }, 'date', '31/12/2025')).toBe('2025-12-31');
      expect(value({ format: 'iso', timeZone }, 'date', '2026-01-01T00:00:00+14:00')).toBe('2026-01-01');
    }
  });

  it('reads an epoch into a date as the calendar day in the declared zone', () => {
    expect(value({ format: 'epochSeconds' }, 'date', '1767225600')).toBe('2026-01-01');
    expect(value({ format: 'epochSeconds', timeZone: 'America/New_York' }, 'date', '1767225600')).toBe(
      '2025-12-31',
    );
    expect(value({ format: 'epochMillis', timeZone: 'Asia/Tokyo' }, 'date', '1767193200000')).toBe(
      '2026-01-01',
    );
  });

  it('uses the mapping-wide date format unless the field has its own', () => {
    const defaults = { dateFormat: 'dd.MM.yyyy' };
    expect(value({}, 'date', '05.03.2026', defaults)).toBe('2026-03-05');
    expect(value({ format: 'yyyyMMdd' }, 'date', '20260305', defaults)).toBe('2026-03-05');
  });
});

describe('datetime and time formats', () => {
  it.each([
    ['dd/MM/yyyy HH:mm', '05/03/2026 14:07', '2026-03-05T14:07:00.000Z'],
    ['yyyy-MM-dd HH:mm[:ss]', '2026-03-05 14:07', '2026-03-05T14:07:00.000Z'],
    ['yyyy-MM-dd HH:mm[:ss]', '2026-03-05 14:07:09', '2026-03-05T14:07:09.000Z'],
    ['yyyy-MM-dd HH:mm:ss.SSS', '2026-03-05 14:07:09.5', '2026-03-05T14:07:09.500Z'],
    ['yyyy-MM-dd HH:mm', '2026-03-05   14:07', '2026-03-05T14:07:00.000Z'],
    ['dd/MM/yyyy h:mm a', '05/03/2026 2:07 pm', '2026-03-05T14:07:00.000Z'],
    ['dd/MM/yyyy h:mm a', '05/03/2026 12:00 AM', '2026-03-05T00:00:00.000Z'],
    ['dd/MM/yyyy h:mm a', '05/03/2026 12:30 p.m.', '2026-03-05T12:30:00.000Z'],
    ['yyyy-MM-dd', '2026-03-05', '2026-03-05T00:00:00.000Z'],
    ['yyyy-MM-dd HH:mmXXX', '2026-03-05 14:07+05:30', '2026-03-05T08:37:00.000Z'],
    ['yyyy-MM-dd HH:mmZ', '2026-03-05 14:07-0800', '2026-03-05T22:07:00.000Z'],
    ['iso', '2026-03-05T14:07:09Z', '2026-03-05T14:07:09.000Z'],
    ['iso', '2026-03-05T14:07:09.123456789Z', '2026-03-05T14:07:09.123Z'],
    ['iso', '2026-03-05T14:07:09.5+01:00', '2026-03-05T13:07:09.500Z'],
    ['iso', '2026-03-05 14:07', '2026-03-05T14:07:00.000Z'],
    ['iso', '2026-03-05', '2026-03-05T00:00:00.000Z'],
    ['epochSeconds', '1767225600', '2026-01-01T00:00:00.000Z'],
    ['epochSeconds', '1767225600.25', '2026-01-01T00:00:00.250Z'],
    ['epochSeconds', '-1', '1969-12-31T23:59:59.000Z'],
    ['epochMillis', '1767225600123', '2026-01-01T00:00:00.123Z'],
  ])('reads %s: %s as %s', (format, raw, expected) => {
    expect(value({ format }, 'datetime', raw)).toBe(expected);
  });

  it('lets an offset in the value win over the declared zone', () => {
    expect(value({ timeZone: 'America/New_York' }, 'datetime', '2026-03-29T01:30:00+01:00')).toBe(
      '2026-03-29T00:30:00.000Z',
    );
  });

  it.each([
    ['yyyy-MM-dd HH:mm', '2026-03-05 24:00', 'the hour is not 0 to 23'],
    ['yyyy-MM-dd HH:mm', '2026-03-05 23:60', 'the minutes are not 0 to 59'],
    ['yyyy-MM-dd HH:mm:ss', '2026-03-05 23:59:60', 'the seconds are not 0 to 59'],
    ['dd/MM/yyyy h:mm a', '05/03/2026 13:00 PM', 'the hour is not 1 to 12'],
    ['iso', '2026-03-05T14:07:09+19:00', 'the offset is beyond ±18:00'],
    ['iso', '05/03/2026', 'is not an ISO 8601 date or date and time'],
    ['epochSeconds', '17 million', 'is not a number of seconds since 1970'],
    ['epochMillis', '1767225600.5', 'is not a number of milliseconds since 1970'],
    ['epochSeconds', '99999999999', 'the time is outside the years 1700 to 4000'],
  ])('rejects with %s: %s (%s)', (format, raw, message) => {
    expect(run({ format }, 'datetime', raw)).toEqual({
      ok: false,
      rule: 'type.datetime',
      message: `When__c: ${message}`,
    });
  });

  it.each([
    ['9:30', '09:30:00.000Z'],
    ['09:30:15', '09:30:15.000Z'],
    ['23:59:59.999', '23:59:59.999Z'],
    ['10:30:00.000Z', '10:30:00.000Z'],
  ])('reads the time %s as %s by default', (raw, expected) => {
    expect(value({}, 'time', raw)).toBe(expected);
  });

  it('reads a 12-hour time and rejects one out of range', () => {
    expect(value({ format: 'h:mm a' }, 'time', '2:05 PM')).toBe('14:05:00.000Z');
    expect(run({}, 'time', '25:00')).toMatchObject({
      rule: 'type.time',
      message: 'When__c: the hour is not 0 to 23',
    });
  });
});

describe('pattern problems', () => {
  it.each([
    ['yy-MM-dd', '"yy" is ambiguous about the century: use "yyyy"'],
    ['yyy-MM-dd', '"yyy" is not a pattern: use "yyyy"'],
    ['dd/MM', 'a date pattern needs yyyy, M and d outside optional parts'],
    ['yyyy-MM[-dd]', 'a date pattern needs yyyy, M and d outside optional parts'],
    ['yyyy-MM-dd hh:mm', 'h (1-12) needs a (AM/PM), and a needs h; use H for a 24-hour clock'],
    ['yyyy-MM-dd HH:mm a', 'h (1-12) needs a (AM/PM), and a needs h; use H for a 24-hour clock'],
    ['yyyy-MM-dd HH hh a', 'use either H (0-23) or h (1-12), not both'],
    ['yyyy-MM-dd E', '"E" is not a pattern letter (use y M d H h m s S a X, and quote literal text: \'at\')'],
    ["yyyy-MM-dd 'at HH:mm", 'a quote opens literal text that is never closed'],
    ['[yyyy-MM-dd', '"[" opens an optional part that is never closed'],
    ['yyyy-MM-dd]', '"]" closes an optional part that was never opened'],
    ['yyyy-MM-dd dd', '"dd" repeats a part already in the pattern'],
    ['MMMMM yyyy d', '"MMMMM" is not a pattern'],
    ['mm:ss', 'minutes need an hour (H or h)'],
    ['--', 'the pattern has neither a date (yyyy, M, d) nor a time (H or h)'],
  ])('refuses the pattern %s', (format, message) => {
    expect(() => compileDateFormat(format)).toThrow(`format "${format}": ${message}`);
  });

  it('reads a quoted literal and a doubled quote', () => {
    expect(value({ format: "dd/MM/yyyy 'at' HH:mm" }, 'datetime', '05/03/2026 at 14:07')).toBe(
      '2026-03-05T14:07:00.000Z',
    );
    expect(value({ format: "yyyy''MM''dd" }, 'date', "2026'03'05")).toBe('2026-03-05');
  });

  it('names the key at fault: the field format, a mapping default, a zone', () => {
    expect(specProblems({ format: 'HH:mm' }, 'date')).toEqual([
      { key: 'format', message: 'format "HH:mm" has no date (yyyy, M, d) for date field When__c' },
    ]);
    expect(specProblems({}, 'time', { timeFormat: 'yyyy-MM-dd' })).toEqual([
      {
        key: 'defaults.timeFormat',
        message: 'format "yyyy-MM-dd" has no time (H or h) for time field When__c',
      },
    ]);
    expect(specProblems({ format: [] }, 'datetime')).toEqual([
      { key: 'format', message: 'format lists no format' },
    ]);
    expect(specProblems({ timeZone: 'Europe/Londres' }, 'datetime')).toEqual([
      {
        key: 'timeZone',
        message: '"Europe/Londres" is not an IANA time zone (like Europe/London, America/New_York, UTC)',
      },
    ]);
    expect(specProblems({}, 'datetime', { timeZone: 'CEST' })).toMatchObject([{ key: 'defaults.timeZone' }]);
    expect(specProblems({ ambiguousTime: 'later' }, 'date')).toEqual([
      { key: 'ambiguousTime', message: 'ambiguousTime applies to datetime fields; When__c is a date field' },
    ]);
  });
});

/** Local wall time of an instant in a zone, formatted independently of the library. */
function wallIn(zone: string, iso: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

describe('datetimes in named zones across DST changes', () => {
  it.each([
    // Europe/London: clocks go forward 01:00 → 02:00 GMT→BST, back 02:00 → 01:00.
    ['Europe/London', '2026-03-29 00:30', '2026-03-29T00:30:00.000Z'],
    ['Europe/London', '2026-03-29 02:30', '2026-03-29T01:30:00.000Z'],
    ['Europe/London', '2026-07-01 12:00', '2026-07-01T11:00:00.000Z'],
    ['Europe/London', '2026-10-25 00:59', '2026-10-24T23:59:00.000Z'],
    ['Europe/London', '2026-10-25 02:00', '2026-10-25T02:00:00.000Z'],
    // America/New_York: forward 02:00 → 03:00 EST→EDT, back 02:00 → 01:00.
    ['America/New_York', '2026-03-08 01:59', '2026-03-08T06:59:00.000Z'],
    ['America/New_York', '2026-03-08 03:00', '2026-03-08T07:00:00.000Z'],
    ['America/New_York', '2026-11-01 00:30', '2026-11-01T04:30:00.000Z'],
    ['America/New_York', '2026-11-01 02:00', '2026-11-01T07:00:00.000Z'],
    // Australia/Sydney: back 03:00 → 02:00 AEDT→AEST in April, forward 02:00 → 03:00 in October.
    ['Australia/Sydney', '2026-04-05 01:59', '2026-04-04T14:59:00.000Z'],
    ['Australia/Sydney', '2026-04-05 03:00', '2026-04-04T17:00:00.000Z'],
    ['Australia/Sydney', '2026-10-04 01:59', '2026-10-03T15:59:00.000Z'],
    ['Australia/Sydney', '2026-10-04 03:00', '2026-10-03T16:00:00.000Z'],
    // Half-hour zones and a half-hour DST shift.
    ['Asia/Kolkata', '2026-03-29 01:30', '2026-03-28T20:00:00.000Z'],
    ['Australia/Lord_Howe', '2026-04-05 02:00', '2026-04-04T15:30:00.000Z'],
    ['UTC', '2026-03-29 01:30', '2026-03-29T01:30:00.000Z'],
  ])('converts %s %s to %s', (timeZone, raw, expected) => {
    expect(value({ format: 'yyyy-MM-dd HH:mm', timeZone }, 'datetime', raw)).toBe(expected);
  });

  it.each([
    ['Europe/London', '2026-03-29 01:30', '2026-03-29T01:30:00.000Z'],
    ['America/New_York', '2026-03-08 02:30', '2026-03-08T07:30:00.000Z'],
    ['Australia/Sydney', '2026-10-04 02:30', '2026-10-03T16:30:00.000Z'],
  ])('rejects %s %s, skipped by the clocks, or moves it past the change', (timeZone, raw, shifted) => {
    const spec = { format: 'yyyy-MM-dd HH:mm', timeZone };
    expect(run(spec, 'datetime', raw)).toEqual({
      ok: false,
      rule: 'timeZoneGap',
      message: `When__c: the local time does not exist in ${timeZone}: clocks go forward over it (set nonexistentTime: shiftForward to move it past the change)`,
    });
    expect(value({ ...spec, nonexistentTime: 'shiftForward' }, 'datetime', raw)).toBe(shifted);
  });

  it.each([
    ['Europe/London', '2026-10-25 01:30', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'],
    ['America/New_York', '2026-11-01 01:30', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'],
    ['Australia/Sydney', '2026-04-05 02:30', '2026-04-04T15:30:00.000Z', '2026-04-04T16:30:00.000Z'],
    ['Australia/Lord_Howe', '2026-04-05 01:45', '2026-04-04T14:45:00.000Z', '2026-04-04T15:15:00.000Z'],
  ])('reads %s %s, which happens twice, as the earlier by default', (timeZone, raw, earlier, later) => {
    const spec = { format: 'yyyy-MM-dd HH:mm', timeZone };
    expect(value(spec, 'datetime', raw)).toBe(earlier);
    expect(value({ ...spec, ambiguousTime: 'later' }, 'datetime', raw)).toBe(later);
    expect(run({ ...spec, ambiguousTime: 'reject' }, 'datetime', raw)).toEqual({
      ok: false,
      rule: 'timeZoneOverlap',
      message: `When__c: the local time happens twice in ${timeZone}: clocks go back over it (set ambiguousTime: earlier or later)`,
    });
  });

  it.each([
    ['Europe/London', '2026-03-29', 'gap', 4],
    ['Europe/London', '2026-10-25', 'overlap', 4],
    ['America/New_York', '2026-03-08', 'gap', 4],
    ['America/New_York', '2026-11-01', 'overlap', 4],
    ['Australia/Sydney', '2026-04-05', 'overlap', 4],
    ['Australia/Sydney', '2026-10-04', 'gap', 4],
    ['Australia/Lord_Howe', '2026-10-04', 'gap', 2],
    ['Asia/Kolkata', '2026-03-29', 'gap', 0],
  ])('round-trips every quarter hour of %s %s (%s of %i quarters)', (timeZone, day, kind, quarters) => {
    const convert = compileValueRule(
      { format: 'yyyy-MM-dd HH:mm', timeZone, ambiguousTime: 'reject' },
      field('datetime'),
    );
    const later = compileValueRule(
      { format: 'yyyy-MM-dd HH:mm', timeZone, ambiguousTime: 'later' },
      field('datetime'),
    );
    const earlier = compileValueRule({ format: 'yyyy-MM-dd HH:mm', timeZone }, field('datetime'));
    let special = 0;
    for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
      const local = `${day} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      const result = convert(local);
      if (result.ok) {
        expect(wallIn(timeZone, result.value), local).toBe(local);
        continue;
      }
      special++;
      expect(result.rule).toBe(kind === 'gap' ? 'timeZoneGap' : 'timeZoneOverlap');
      if (kind === 'overlap') {
        const first = earlier(local);
        const second = later(local);
        if (!first.ok || !second.ok) throw new Error('an ambiguous time resolves either way');
        expect(wallIn(timeZone, first.value)).toBe(local);
        expect(wallIn(timeZone, second.value)).toBe(local);
        expect(Date.parse(second.value) - Date.parse(first.value)).toBe(
          timeZone === 'Australia/Lord_Howe' ? 1_800_000 : 3_600_000,
        );
      }
    }
    expect(special).toBe(quarters);
  });

  it('gives the same instant for a local time as for its offset written out', () => {
    for (const [timeZone, raw, offset] of [
      ['Europe/London', '2026-06-15 09:00', '+01:00'],
      ['America/New_York', '2026-01-15 09:00', '-05:00'],
      ['Australia/Sydney', '2026-01-15 09:00', '+11:00'],
    ] as const) {
      const local = value({ format: 'yyyy-MM-dd HH:mm', timeZone }, 'datetime', raw);
      const written = value({ format: 'yyyy-MM-dd HH:mmXXX' }, 'datetime', `${raw}${offset}`);
      expect(local).toBe(written);
    }
  });

  it('resolves zone names case-insensitively to their canonical spelling', () => {
    expect(new ZoneRules('europe/london').name).toBe('Europe/London');
    expect(
      value({ format: 'yyyy-MM-dd HH:mm', timeZone: 'america/new_york' }, 'datetime', '2026-01-15 09:00'),
    ).toBe('2026-01-15T14:00:00.000Z');
  });
});

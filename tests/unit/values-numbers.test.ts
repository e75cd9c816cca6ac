import { describe, expect, it } from 'vitest';
import {
  compileValueRule,
  type GlobalValueDefaults,
  numberReader,
  roundDigits,
  type ValueField,
  type ValueRuleSpec,
} from '../../functions/shared/mapping/values/index.ts';

const AMOUNT: ValueField = { name: 'Amount__c', type: 'currency', precision: 18, scale: 2, nillable: true };
const SCORE: ValueField = { name: 'Score__c', type: 'double', precision: 5, scale: 2, nillable: true };
const RATE: ValueField = { name: 'Rate__c', type: 'percent', precision: 5, scale: 2, nillable: true };
const STAFF: ValueField = { name: 'NumberOfEmployees', type: 'int', digits: 8, nillable: true };
const COUNT: ValueField = { name: 'Count__c', type: 'int', nillable: true };

const run = (spec: ValueRuleSpec, field: ValueField, raw: string, defaults: GlobalValueDefaults = {}) =>
  compileValueRule(spec, field, defaults)(raw);
const out = (spec: ValueRuleSpec, field: ValueField, raw: string, defaults?: GlobalValueDefaults) => {
  const result = run(spec, field, raw, defaults);
  return result.ok ? result.value : `${result.rule}: ${result.message}`;
};

describe('reading numbers with declared separators', () => {
  it.each([
    [{}, '1234.5', '1234.5'],
    [{}, '  42 ', '42'],
    [{}, '007', '7'],
    [{}, '.5', '0.5'],
    [{}, '5.', '5'],
    [{}, '-0', '0'],
    [{}, '-0.00', '0.00'],
    [{}, '+3.10', '3.10'],
    [{}, '\u22123', '-3'],
    [{}, '1.5E3', '1500'],
    [{}, '1.5e-3', '0.0015'],
    [{}, '1234567890123456.78', '1234567890123456.78'],
    [{ grouping: ',' }, '1,234,567.25', '1234567.25'],
    [{ grouping: ',' }, '1234567.25', '1234567.25'],
    [{ decimal: ',', grouping: '.' }, '1.234.567,25', '1234567.25'],
    [{ decimal: ',', grouping: ' ' }, '1 234 567,25', '1234567.25'],
    [{ decimal: ',', grouping: ' ' }, '1\u00a0234\u202f567,25', '1234567.25'],
    [{ grouping: "'" }, "1'234'567.25", '1234567.25'],
    [{ grouping: "'" }, '1\u2019234.25', '1234.25'],
    [{ decimal: ',' }, '0,5', '0.5'],
    [{}, '(1234.50)', '-1234.50'],
    [{}, '1234.50-', '-1234.50'],
  ] as [ValueRuleSpec, string, string][])('reads %o %s as %s', (spec, raw, expected) => {
    expect(out({ ...spec, decimals: 'keep' }, AMOUNT, raw)).toBe(expected);
  });

  it.each([
    [
      {},
      '1,234.50',
      'contains ",", which is neither the decimal separator "." nor the grouping separator (none)',
    ],
    [
      { decimal: ',' },
      '1.234,50',
      'contains ".", which is neither the decimal separator "," nor the grouping separator (none)',
    ],
    [{ grouping: ',' }, '1,23.5', 'is not a number with decimal "." and grouping "," in groups of three'],
    [{ grouping: ',' }, '12,3456', 'is not a number with decimal "." and grouping "," in groups of three'],
    [{}, '1.2.3', 'is not a number with decimal "." and grouping none'],
    [{}, '', 'has no digits'],
    [{}, '-', 'has no digits'],
    [{}, 'twelve', 'contains letters'],
    [{}, '12 apples', 'contains letters'],
    [{}, '-(12)', 'has both a sign and accounting parentheses'],
  ] as [ValueRuleSpec, string, string][])('refuses %o %s: %s', (spec, raw, message) => {
    const read = numberReader({
      decimal: spec.decimal ?? '.',
      grouping: spec.grouping ?? 'none',
      currency: false,
      percent: false,
    });
    expect(read(raw)).toBe(message);
  });

  it('refuses a grouping separator that is the decimal separator', () => {
    expect(() => numberReader({ decimal: ',', grouping: ',', currency: false, percent: false })).toThrow(
      'the grouping separator cannot be the decimal separator ","',
    );
    expect(() => compileValueRule({ decimal: '.', grouping: '.' }, AMOUNT)).toThrow(
      'grouping: the grouping separator cannot be the decimal separator "."',
    );
  });

  it('uses the mapping-wide separators unless the field has its own', () => {
    const defaults: GlobalValueDefaults = { decimal: ',', grouping: '.' };
    expect(out({}, AMOUNT, '1.234,5', defaults)).toBe('1234.5');
    expect(out({ decimal: '.', grouping: ',' }, AMOUNT, '1,234.5', defaults)).toBe('1234.5');
  });
});

describe('currency and percent', () => {
  it.each([
    ['£1,234.50', '1234.50'],
    ['-£1,234.50', '-1234.50'],
    ['£-1,234.50', '-1234.50'],
    ['(£1,234.50)', '-1234.50'],
    ['$ 12', '12'],
    ['1,234.50 USD', '1234.50'],
    ['EUR 99.99', '99.99'],
    ['¥1,000', '1000'],
  ])('strips the currency from %s', (raw, expected) => {
    expect(out({ grouping: ',' }, AMOUNT, raw)).toBe(expected);
  });

  it('reads a continental amount with the symbol after it', () => {
    expect(out({ decimal: ',', grouping: '.' }, AMOUNT, '1.234,50 €')).toBe('1234.50');
    expect(out({ decimal: ',', grouping: ' ' }, AMOUNT, '-1 234,50 €')).toBe('-1234.50');
  });

  it('refuses currency symbols and percent signs on the wrong kind of field', () => {
    expect(out({}, SCORE, '£12')).toBe(
      'type.number: Score__c: contains a currency symbol (the field is not a currency)',
    );
    expect(out({}, SCORE, '12%')).toBe(
      'type.number: Score__c: contains a percent sign (the field is not a percent)',
    );
    expect(out({}, AMOUNT, '12 dollars')).toBe(
      'type.number: Amount__c: contains letters that are not a currency code',
    );
  });

  it.each([
    [{}, '12.5%', '12.5'],
    [{}, '12.5 %', '12.5'],
    [{}, '12.5', '12.5'],
    [{ percentInput: 'fraction' }, '0.125', '12.5'],
    [{ percentInput: 'fraction' }, '1', '100'],
    [{ percentInput: 'fraction' }, '12.5%', '12.5'],
    [{ decimal: ',' }, '12,5 %', '12.5'],
    [{}, '-3%', '-3'],
  ] as [ValueRuleSpec, string, string][])(
    'loads a percent field with the percentage: %o %s → %s',
    (spec, raw, expected) => {
      expect(out(spec, RATE, raw)).toBe(expected);
    },
  );

  it('refuses percentInput on a field that is not a percent', () => {
    expect(() => compileValueRule({ percentInput: 'fraction' }, SCORE)).toThrow(
      'percentInput: percentInput applies to percent fields; Score__c is a double field',
    );
  });
});

describe('precision and scale', () => {
  it.each([
    ['999.99', '999.99'],
    ['999.994', '999.99'],
    ['1.005', '1.01'],
    ['-1.005', '-1.01'],
    ['0.004', '0.00'],
    [
      '999.995',
      'numberRange: Score__c: has 4 digits before the decimal point; the field takes 3 (precision 5, scale 2)',
    ],
    [
      '1000',
      'numberRange: Score__c: has 4 digits before the decimal point; the field takes 3 (precision 5, scale 2)',
    ],
    ['0001.5', '1.5'],
    ['-999', '-999'],
  ])('rounds to the scale and checks the integer digits: %s → %s', (raw, expected) => {
    expect(out({}, SCORE, raw)).toBe(expected);
  });

  it('rejects or keeps extra decimals when told to', () => {
    expect(out({ decimals: 'reject' }, SCORE, '1.234')).toBe(
      'numberScale: Score__c: has more than 2 decimal places',
    );
    expect(out({ decimals: 'reject' }, SCORE, '1.23')).toBe('1.23');
    expect(out({ decimals: 'keep' }, SCORE, '1.23456')).toBe('1.23456');
    expect(out({ decimals: 'keep' }, SCORE, '1234.5')).toMatch(/^numberRange/);
    expect(out({}, { ...SCORE, scale: 1, precision: 4 }, '1.25', { decimals: 'reject' })).toBe(
      'numberScale: Score__c: has more than 1 decimal place',
    );
  });

  it.each([
    ['halfUp', '2.5', '3'],
    ['halfUp', '-2.5', '-3'],
    ['halfEven', '2.5', '2'],
    ['halfEven', '3.5', '4'],
    ['halfEven', '2.51', '3'],
    ['halfEven', '-2.5', '-2'],
  ] as const)('rounds ties %s: %s → %s', (rounding, raw, expected) => {
    expect(out({ rounding }, { ...SCORE, scale: 0 }, raw)).toBe(expected);
  });

  it('rounds on digit strings, carrying into the integer part', () => {
    const n = (integer: string, fraction: string) => ({
      negative: false,
      integer,
      fraction,
      percentSign: false,
    });
    expect(roundDigits(n('99', '995'), 2, 'halfUp')).toMatchObject({ integer: '100', fraction: '00' });
    expect(roundDigits(n('0', '045'), 2, 'halfEven')).toMatchObject({ integer: '0', fraction: '04' });
    expect(roundDigits(n('0', '0451'), 2, 'halfEven')).toMatchObject({ integer: '0', fraction: '05' });
    expect(roundDigits(n('9', '9'), 0, 'halfUp')).toMatchObject({ integer: '10', fraction: '' });
    // 0.1 + 0.2 territory: floating point would give 0.30000000000000004.
    expect(out({ decimals: 'keep' }, AMOUNT, '0.30000000000000004')).toBe('0.30000000000000004');
  });

  it('skips the checks when describe gives no precision', () => {
    expect(out({}, { name: 'X__c', type: 'double', nillable: true }, '123456789012345678901.123')).toBe(
      '123456789012345678901.123',
    );
  });
});

describe('whole numbers', () => {
  it.each([
    [STAFF, '12', '12'],
    [STAFF, '12.0', '12'],
    [STAFF, '-5', '-5'],
    [STAFF, '99999999', '99999999'],
    [STAFF, '12.5', 'type.number: NumberOfEmployees: is not a whole number'],
    [STAFF, '100000000', "numberRange: NumberOfEmployees: is outside the field's range (at most 8 digits)"],
    [COUNT, '999999999', '999999999'],
    [COUNT, '-999999999', '-999999999'],
    [COUNT, '1000000000', "numberRange: Count__c: is outside the field's range (at most 9 digits)"],
    [{ ...COUNT, digits: 10 }, '2147483647', '2147483647'],
    [{ ...COUNT, digits: 10 }, '-2147483648', '-2147483648'],
    [
      { ...COUNT, digits: 10 },
      '2147483648',
      "numberRange: Count__c: is outside the field's range (at most 10 digits)",
    ],
    [
      { ...COUNT, digits: 9, precision: 5 },
      '123456',
      "numberRange: Count__c: is outside the field's range (at most 5 digits)",
    ],
    [{ ...COUNT, type: 'long' }, '123456789012345678', '123456789012345678'],
    [
      { ...COUNT, type: 'long' },
      '1234567890123456789',
      "numberRange: Count__c: is outside the field's range (at most 18 digits)",
    ],
    [COUNT, '1e3', '1000'],
  ] as const)('loads %s %s as %s', (f, raw, expected) => {
    expect(out({}, f, raw)).toBe(expected);
  });

  it('reads grouped whole numbers', () => {
    expect(out({ grouping: ',' }, STAFF, '1,250')).toBe('1250');
    expect(out({ decimal: ',', grouping: '.' }, STAFF, '1.250')).toBe('1250');
  });
});

import { describe, expect, it } from 'vitest';
import {
  compileJoin,
  compileTemplate,
  DEFAULT_RULE_KEYS,
  parseTemplate,
  readValueDefaults,
  readValueRules,
  VALUE_RULE_KEYS,
  ValueSpecError,
} from '../../functions/shared/mapping/values/index.ts';

const HEADER = ['first', 'last', 'Title ', 'line1', 'line2', 'line3'];
const ROW = ['Mary', "O'Brien", 'Dr', '1 High St', '', 'Flat 2'];

function specError(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValueSpecError);
    return (error as ValueSpecError).problems;
  }
  throw new Error('expected a ValueSpecError');
}

describe('templates', () => {
  it('interpolates columns, finding them as the header binding does', () => {
    expect(compileTemplate('{last}, {first}', HEADER)(ROW)).toBe("O'Brien, Mary");
    expect(compileTemplate('{TITLE} {First} {last}', HEADER)(ROW)).toBe("Dr Mary O'Brien");
    expect(compileTemplate('{{{first}}}', HEADER)(ROW)).toBe('{Mary}');
  });

  it('is blank when every column it reads is blank', () => {
    const salutation = compileTemplate('Dear {title} {last}', HEADER);
    expect(salutation(['', '', '', '', '', ''])).toBe('');
    expect(salutation(['', 'Smith', '', '', '', ''])).toBe('Dear  Smith');
  });

  it('lists the columns it reads once, in order', () => {
    expect(parseTemplate('{a} {b} {a}').columns).toEqual(['a', 'b']);
    expect(parseTemplate('x{ a b }y').parts).toEqual([{ text: 'x' }, { column: ' a b ' }, { text: 'y' }]);
  });

  it.each([
    ['{first', '"{" at character 1 is never closed (write {{ for a literal brace)'],
    ['{} x', '"{}" at character 1 names no column'],
    ['{ }', '"{}" at character 1 names no column'],
    ['{a {b}', '"{" at character 1 is never closed before the next "{"'],
    ['a}', '"}" at character 2 closes nothing (write }} for a literal brace)'],
    ['plain text', 'the template names no column; use constant for fixed text'],
  ])('refuses the template %j', (template, message) => {
    expect(specError(() => parseTemplate(template))).toEqual([{ key: 'template', message }]);
  });

  it('names every column the header lacks, with the columns it has', () => {
    expect(specError(() => compileTemplate('{first} {middle} {surname}', HEADER))).toEqual([
      {
        key: 'template',
        message:
          'the header has no column "middle", "surname" (columns: first, last, Title , line1, line2, line3)',
      },
    ]);
  });
});

describe('joins', () => {
  it('joins trimmed non-blank columns with the separator', () => {
    expect(compileJoin(['line1', 'line2', 'line3'], '\n', HEADER)(ROW)).toBe('1 High St\nFlat 2');
    expect(compileJoin(['first', 'last'], ' ', HEADER)([' Mary ', '  ', '', '', '', ''])).toBe('Mary');
    expect(compileJoin(['line2'], ', ', HEADER)(ROW)).toBe('');
  });

  it('refuses no columns and unknown columns', () => {
    expect(specError(() => compileJoin([], ' ', HEADER))).toEqual([
      { key: 'join', message: 'join needs at least one column' },
    ]);
    expect(specError(() => compileJoin(['line1', 'line4'], ' ', HEADER))).toEqual([
      {
        key: 'join',
        message: 'the header has no column "line4" (columns: first, last, Title , line1, line2, line3)',
      },
    ]);
  });
});

describe('reading value rules from mapping data', () => {
  it('reads every key into its typed form', () => {
    const { spec, problems } = readValueRules({
      trim: 'end',
      case: 'title',
      valueMap: { M: 'Male', 1: true, N: null },
      default: 0,
      required: true,
      blank: 'clear',
      maxLength: 40,
      pattern: '\\d+',
      allowedValues: ['A', 1],
      restrictedPicklist: false,
      separator: ',',
      format: ['dd/MM/yyyy', 'iso'],
      timeZone: 'Europe/London',
      ambiguousTime: 'later',
      nonexistentTime: 'shiftForward',
      decimal: ',',
      grouping: ' ',
      decimals: 'reject',
      rounding: 'halfEven',
      percentInput: 'fraction',
      booleans: { true: ['ja'], false: ['nee'] },
      normalize: 'e164',
      defaultCountryCode: 44,
      type: 'date',
    });
    expect(problems).toEqual([]);
    expect(spec).toEqual({
      trim: 'end',
      case: 'title',
      valueMap: { values: { 1: 'true', M: 'Male', N: '' } },
      default: '0',
      required: true,
      blank: 'clear',
      maxLength: 40,
      pattern: '\\d+',
      allowedValues: ['A', '1'],
      restrictedPicklist: false,
      separator: ',',
      format: ['dd/MM/yyyy', 'iso'],
      timeZone: 'Europe/London',
      ambiguousTime: 'later',
      nonexistentTime: 'shiftForward',
      decimal: ',',
      grouping: ' ',
      decimals: 'reject',
      rounding: 'halfEven',
      percentInput: 'fraction',
      booleans: { true: ['ja'], false: ['nee'] },
      normalize: 'e164',
      defaultCountryCode: '44',
      type: 'date',
    });
    expect([...VALUE_RULE_KEYS].sort()).toEqual(Object.keys(spec).sort());
  });

  it('reads the full form of a value map and its otherwise', () => {
    const read = (otherwise: unknown) =>
      readValueRules({ valueMap: { values: { a: 'b' }, ignoreCase: false, otherwise } }).spec.valueMap;
    expect(read('reject')).toEqual({ values: { a: 'b' }, ignoreCase: false, otherwise: 'reject' });
    expect(read('Other')).toMatchObject({ otherwise: { value: 'Other' } });
    expect(read({ value: 'keep' })).toMatchObject({ otherwise: { value: 'keep' } });
    expect(read(null)).toMatchObject({ otherwise: { value: '' } });
    // A map whose only key is "values" but not a mapping is the shorthand.
    expect(readValueRules({ valueMap: { values: 'x' } }).spec.valueMap).toEqual({ values: { values: 'x' } });
  });

  it.each([
    [{ trim: 'all' }, 'trim', 'trim must be one of: both, start, end, none'],
    [{ case: 'camel' }, 'case', 'case must be one of: upper, lower, title, none'],
    [{ grouping: '_' }, 'grouping', 'grouping must be one of: ,, ., " ", \', none'],
    [{ required: 'yes' }, 'required', 'required must be true or false'],
    [{ maxLength: 0 }, 'maxLength', 'maxLength must be a whole number above 0'],
    [{ maxLength: 2.5 }, 'maxLength', 'maxLength must be a whole number above 0'],
    [{ default: ['a'] }, 'default', 'default must be a single value'],
    [{ separator: '' }, 'separator', 'separator cannot be empty'],
    [{ allowedValues: 'A' }, 'allowedValues', 'allowedValues must be a list of values'],
    [{ allowedValues: [{ a: 1 }] }, 'allowedValues', 'allowedValues must be a list of values'],
    [{ format: 'yy-MM-dd' }, 'format', 'format "yy-MM-dd": "yy" is ambiguous about the century: use "yyyy"'],
    [{ format: [] }, 'format', 'format lists no format'],
    [
      { timeZone: 'Mars/Olympus' },
      'timeZone',
      '"Mars/Olympus" is not an IANA time zone (like Europe/London, America/New_York, UTC)',
    ],
    [{ pattern: '[' }, 'pattern', expect.stringMatching(/^pattern is not a regular expression: /)],
    [{ valueMap: ['a'] }, 'valueMap', 'valueMap must map source values to loaded values'],
    [{ valueMap: {} }, 'valueMap', 'valueMap maps no value'],
    [{ valueMap: { a: { b: 1 } } }, 'valueMap "a"', 'valueMap "a" must be a single value'],
    [
      { valueMap: { values: { a: 'b' }, ignoreCase: 'no' } },
      'valueMap.ignoreCase',
      'valueMap.ignoreCase must be true or false',
    ],
    [
      { valueMap: { values: { a: 'b' }, otherwise: ['x'] } },
      'valueMap.otherwise',
      'otherwise must be keep, reject or a value',
    ],
    [
      { booleans: ['yes'] },
      'booleans',
      'booleans must list the spellings of true and of false: { true: [yes, y], false: [no, n] }',
    ],
    [{ booleans: { true: [], false: ['n'] } }, 'booleans', 'booleans needs at least one spelling of true'],
    [{ booleans: { true: ['y'], false: ['Y'] } }, 'booleans', '"Y" cannot mean both true and false'],
    [{ booleans: { true: 'y', false: ['n'] } }, 'booleans.true', 'booleans.true must be a list of values'],
    [
      { defaultCountryCode: '0044' },
      'defaultCountryCode',
      'defaultCountryCode is 1 to 3 digits, like 44 or +1',
    ],
    [{ type: '' }, 'type', 'type cannot be empty'],
    [
      { colour: 'red' },
      'colour',
      expect.stringMatching(/^unknown key "colour" in value rules \(expected one of: trim, blank, /),
    ],
  ] as [Record<string, unknown>, string, string][])('refuses %o', (raw, key, message) => {
    expect(readValueRules(raw).problems).toEqual([{ key, message }]);
  });

  it('reads the mapping-wide defaults and refuses field-only keys there', () => {
    const { spec, problems } = readValueDefaults({
      trim: 'none',
      blank: 'clear',
      dateFormat: 'dd/MM/yyyy',
      datetimeFormat: 'dd/MM/yyyy HH:mm',
      timeFormat: 'HH:mm',
      timeZone: 'Australia/Sydney',
      decimal: ',',
      grouping: '.',
      booleans: { true: ['J'], false: ['N'] },
    });
    expect(problems).toEqual([]);
    expect(spec).toMatchObject({ dateFormat: 'dd/MM/yyyy', timeZone: 'Australia/Sydney', grouping: '.' });
    expect(readValueDefaults({ maxLength: 3 }).problems).toEqual([
      {
        key: 'maxLength',
        message: `unknown key "maxLength" in defaults (expected one of: ${DEFAULT_RULE_KEYS.join(', ')})`,
      },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type NameFormat,
  nameFormatOf,
  parsePersonName,
} from '../../functions/shared/mapping/compound/person-name.ts';

const name = (
  salutation: string,
  firstName: string,
  middleName: string,
  lastName: string,
  suffix: string,
) => ({
  salutation,
  firstName,
  middleName,
  lastName,
  suffix,
});

describe('parsePersonName', () => {
  it.each<[NameFormat, string, ReturnType<typeof name>]>([
    ['First Last', 'Jane Smith', name('', 'Jane', '', 'Smith', '')],
    ['First Last', '  Jane   Ann  Smith ', name('', 'Jane', 'Ann', 'Smith', '')],
    ['First Last', 'Dr. Jane Ann Smith PhD', name('Dr.', 'Jane', 'Ann', 'Smith', 'PhD')],
    ['First Last', 'mr john smith jr', name('mr', 'john', '', 'smith', 'jr')],
    ['First Last', 'Martin Luther King, Jr.', name('', 'Martin', 'Luther', 'King', 'Jr.')],
    ['First Last', 'Prof Alan Turing OBE, PhD', name('Prof', 'Alan', '', 'Turing', 'OBE PhD')],
    ['First Last', 'John Smith III MD', name('', 'John', '', 'Smith', 'III MD')],
    ['First Last', 'Ludwig van Beethoven', name('', 'Ludwig', '', 'van Beethoven', '')],
    ['First Last', 'Jan Pieter van der Berg', name('', 'Jan', 'Pieter', 'van der Berg', '')],
    ['First Last', 'Leonardo da Vinci', name('', 'Leonardo', '', 'da Vinci', '')],
    ['First Last', "Mary O' Neill", name('', 'Mary', '', "O' Neill", '')],
    ['First Last', "Conan O'Brien", name('', 'Conan', '', "O'Brien", '')],
    ['First Last', 'Mary-Jane Smith-Jones', name('', 'Mary-Jane', '', 'Smith-Jones', '')],
    ['First Last', 'Van Morrison', name('', 'Van', '', 'Morrison', '')],
    ['First Last', 'Madonna', name('', '', '', 'Madonna', '')],
    ['First Last', 'Mrs Smith', name('Mrs', '', '', 'Smith', '')],
    ['Last, First', 'Smith, Jane', name('', 'Jane', '', 'Smith', '')],
    ['Last, First', 'Smith,Jane Ann', name('', 'Jane', 'Ann', 'Smith', '')],
    ['Last, First', 'Smith, Dr. Jane', name('Dr.', 'Jane', '', 'Smith', '')],
    ['Last, First', 'van der Berg, Jan Pieter', name('', 'Jan', 'Pieter', 'van der Berg', '')],
    ['Last, First', 'King, Martin Luther, Jr.', name('', 'Martin', 'Luther', 'King', 'Jr.')],
    ['Last, First', 'King Jr., Martin Luther', name('', 'Martin', 'Luther', 'King', 'Jr.')],
    ['Last, First', 'King, Martin Luther Jr.', name('', 'Martin', 'Luther', 'King', 'Jr.')],
    ['Last, First', 'Smith-Jones, Mary-Jane', name('', 'Mary-Jane', '', 'Smith-Jones', '')],
    ['Last, First', 'Smith', name('', '', '', 'Smith', '')],
    ['Last, First', 'van Dijk', name('', '', '', 'van Dijk', '')],
    ['Last, First', 'Smith,', name('', '', '', 'Smith', '')],
    ['Last First', 'Wang Xiao Ming', name('', 'Xiao', 'Ming', 'Wang', '')],
    ['Last First', 'Dr Wang Wei', name('Dr', 'Wei', '', 'Wang', '')],
    ['Last First', 'van Dijk Jan', name('', 'Jan', '', 'van Dijk', '')],
  ])('reads "%s" name %j', (format, text, expected) => {
    expect(parsePersonName(text, format)).toEqual({ ok: true, name: expected });
  });

  it.each<[NameFormat, string]>([
    ['First Last', ''],
    ['Last, First', '   '],
    ['Last First', ''],
  ])('reads a blank %s name as all blank', (format, text) => {
    expect(parsePersonName(text, format)).toEqual({ ok: true, name: name('', '', '', '', '') });
  });

  it.each<[NameFormat, string, string]>([
    [
      'First Last',
      'Smith, Jane',
      'cannot read the name "Smith, Jane" as "First Last": it has a comma that is not before a suffix such as Jr.',
    ],
    [
      'Last, First',
      'Jane Smith',
      'cannot read the name "Jane Smith" as "Last, First": it has no comma between the last and first names',
    ],
    [
      'Last, First',
      'Smith, Jane, Ann',
      'cannot read the name "Smith, Jane, Ann" as "Last, First": only suffixes such as Jr. may follow a second comma',
    ],
  ])('rejects the %s name %j as unparsed', (format, text, message) => {
    expect(parsePersonName(text, format)).toEqual({ ok: false, rule: 'name.unparsed', message });
  });

  it.each<[NameFormat, string]>([
    ['First Last', 'Dr.'],
    ['Last, First', ', Jane'],
    ['Last First', 'Mr'],
  ])('rejects the %s name %j for having no last name', (format, text) => {
    expect(parsePersonName(text, format)).toEqual({
      ok: false,
      rule: 'name.lastMissing',
      message: `the name "${text}" has no last name`,
    });
  });
});

describe('nameFormatOf', () => {
  it.each([
    ['Last, First', 'Last, First'],
    ['last-comma-first', 'Last, First'],
    ['first  last', 'First Last'],
    ['first-last', 'First Last'],
    ['Last First', 'Last First'],
    ['last-first', 'Last First'],
  ])('reads %j as %s', (text, format) => {
    expect(nameFormatOf(text)).toBe(format);
  });

  it('knows no other format', () => {
    expect(nameFormatOf('First Middle Last')).toBeUndefined();
  });
});

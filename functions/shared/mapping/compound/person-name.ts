/**
 * Person names: salutation, first, middle, last and suffix, from separate columns or from one full-name
 * column with a declared format. Rules (quoted by docs/mapping.md):
 *
 * - Words are separated by spaces (runs of spaces count as one). A hyphenated name is one word
 *   (`Mary-Jane`, `Smith-Jones`), and so is `O'Brien`.
 * - Salutation: the first word when it is one of Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Professor, Rev, Fr,
 *   Sir, Dame, Lord, Lady (any case, with or without a dot).
 * - Suffixes: the last words when they are Jr, Sr, II, III, IV, PhD, MD, DDS, DMD, RN, Esq, CPA, OBE,
 *   MBE, CBE, KC, QC (any case, with or without dots, optionally after a comma: `King, Jr.`); several
 *   are kept together (`Jr. MD`). A suffix is only taken when a name word remains before it.
 * - Surname particles van, von, de, der, den, del, della, di, da, das, dos, du, la, le, ten, ter, bin,
 *   binti, al, el, mac and O' (any case) stay with the word after them in the last name
 *   (`Ludwig van Beethoven` → last name `van Beethoven`); the first word is never a particle.
 * - Format `First Last` (alias `first-last`): `[Salutation] First [Middle...] Last [Suffix...]`. One
 *   word is the last name (`Madonna`). Any other comma than the one before a suffix → `name.unparsed`.
 * - Format `Last, First` (alias `last-comma-first`): the last name before the first comma, then
 *   `[Salutation] First [Middle...] [Suffix...]`, and after further commas only suffixes
 *   (`King, Martin Luther, Jr.`). Without a comma only a last name alone is accepted (`van Dijk`);
 *   `John Smith` is `name.unparsed`.
 * - Format `Last First` (alias `last-first`): `[Salutation] Last First [Middle...] [Suffix...]`, the
 *   last name being its particles and one word (`Wang Xiao Ming` → Wang / Xiao / Ming).
 * - A non-blank name with no last name (`Dr.`, `, John`) is rejected with `name.lastMissing`.
 */
import { SALUTATIONS, SUFFIXES, SURNAME_PARTICLES } from './reference-data.ts';

export type NameFormat = 'First Last' | 'Last, First' | 'Last First';

export const NAME_FORMATS: Record<string, NameFormat> = {
  'first last': 'First Last',
  'first-last': 'First Last',
  'last, first': 'Last, First',
  'last-comma-first': 'Last, First',
  'last first': 'Last First',
  'last-first': 'Last First',
};

/** The format a mapping declares (`"Last, First"`, `last-comma-first`...), or undefined. */
export function nameFormatOf(text: string): NameFormat | undefined {
  return NAME_FORMATS[text.trim().toLowerCase().replace(/\s+/g, ' ')];
}

export interface PersonName {
  salutation: string;
  firstName: string;
  middleName: string;
  lastName: string;
  suffix: string;
}

export type NameRule = 'name.unparsed' | 'name.lastMissing';

export type NameParseResult = { ok: true; name: PersonName } | { ok: false; rule: NameRule; message: string };

export const BLANK_NAME: PersonName = {
  salutation: '',
  firstName: '',
  middleName: '',
  lastName: '',
  suffix: '',
};

// Most words have neither a dot nor a comma: skip the replace for them.
const bare = (word: string) => {
  const lower = word.toLowerCase();
  return lower.includes('.') || lower.includes(',') ? lower.replace(/[.,]/g, '') : lower;
};
const isSalutation = (word: string) => SALUTATIONS.has(bare(word));
const isSuffix = (word: string) => SUFFIXES.has(bare(word));
const isParticle = (word: string) => SURNAME_PARTICLES.has(word.toLowerCase());

function words(text: string): string[] {
  // `trim` removes exactly what `\s` matches, so splitting the trimmed text leaves no empty words.
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** Takes a leading salutation off `list` (when `keepOne`, only if a name word remains). */
function takeSalutation(list: string[], keepOne = false): string {
  const first = list[0];
  if (first === undefined || !isSalutation(first) || (keepOne && list.length === 1)) return '';
  return list.shift() ?? '';
}

/** Takes trailing suffixes off `list` (keeping at least one word), in their written order. */
function takeSuffixes(list: string[]): string[] {
  const taken: string[] = [];
  while (list.length > 1 && isSuffix(list.at(-1) ?? '')) taken.unshift(list.pop() ?? '');
  return taken.map((w) => w.replace(/,$/, ''));
}

/** Splits `list` into the last name (trailing word with its particles) and what precedes it. */
function splitTrailingSurname(list: string[]): { before: string[]; last: string } {
  let start = list.length - 1;
  while (start > 1 && isParticle(list[start - 1] ?? '')) start--;
  return { before: list.slice(0, start), last: list.slice(start).join(' ') };
}

const unparsed = (text: string, why: string): NameParseResult => ({
  ok: false,
  rule: 'name.unparsed',
  message: `cannot read the name "${text.trim()}" as ${why}`,
});

function result(text: string, name: PersonName): NameParseResult {
  if (name.lastName === '') {
    return { ok: false, rule: 'name.lastMissing', message: `the name "${text.trim()}" has no last name` };
  }
  return { ok: true, name };
}

/** Parses one full name in the declared format by the rules in this module's comment. */
export function parsePersonName(text: string, format: NameFormat): NameParseResult {
  if (text.trim() === '') return { ok: true, name: { ...BLANK_NAME } };
  if (format === 'Last, First') return parseLastCommaFirst(text);

  // A comma may only separate suffixes: `Martin Luther King, Jr.`.
  const [main = '', ...tail] = text.split(',');
  if (!tail.every((segment) => words(segment).every(isSuffix))) {
    return unparsed(text, `"${format}": it has a comma that is not before a suffix such as Jr.`);
  }
  const list = words(main);
  const salutation = takeSalutation(list);
  const suffixes = [...takeSuffixes(list), ...tail.flatMap(words)];
  if (list.length === 0) return result(text, { ...BLANK_NAME, salutation, suffix: suffixes.join(' ') });

  if (format === 'First Last') {
    const { before, last } = splitTrailingSurname(list);
    return result(text, {
      salutation,
      firstName: before[0] ?? '',
      middleName: before.slice(1).join(' '),
      lastName: last,
      suffix: suffixes.join(' '),
    });
  }
  // Last First: particles, then the surname word, then the given names.
  let end = 0;
  while (end < list.length - 1 && isParticle(list[end] ?? '')) end++;
  return result(text, {
    salutation,
    lastName: list.slice(0, end + 1).join(' '),
    firstName: list[end + 1] ?? '',
    middleName: list.slice(end + 2).join(' '),
    suffix: suffixes.join(' '),
  });
}

function parseLastCommaFirst(text: string): NameParseResult {
  const [lastPart = '', givenPart, ...rest] = text.split(',');
  const lastWords = words(lastPart);
  if (givenPart === undefined) {
    const { before } = splitTrailingSurname(lastWords);
    if (before.length > 0 && !before.every(isParticle)) {
      return unparsed(text, '"Last, First": it has no comma between the last and first names');
    }
    return result(text, { ...BLANK_NAME, lastName: lastWords.join(' ') });
  }
  if (!rest.every((segment) => words(segment).every(isSuffix))) {
    return unparsed(text, '"Last, First": only suffixes such as Jr. may follow a second comma');
  }
  const lastSalutation = takeSalutation(lastWords, true);
  const lastSuffixes = takeSuffixes(lastWords);
  const given = words(givenPart);
  const salutation = takeSalutation(given) || lastSalutation;
  // A given part of suffixes only (`King, Jr.`) leaves no first name.
  const givenSuffixes = given.every(isSuffix) ? given.splice(0) : takeSuffixes(given);
  return result(text, {
    salutation,
    firstName: given[0] ?? '',
    middleName: given.slice(1).join(' '),
    lastName: lastWords.join(' '),
    suffix: [...lastSuffixes, ...givenSuffixes.map((w) => w.replace(/,$/, '')), ...rest.flatMap(words)].join(
      ' ',
    ),
  });
}

/**
 * Text steps of the value pipeline (trim, case) and the ways a value is built from several columns:
 * templates (`"{first} {last}"`) and joins of non-blank columns.
 */
import { type CaseMode, type TrimMode, ValueSpecError } from './spec.ts';

export function trimmer(mode: TrimMode): (text: string) => string {
  switch (mode) {
    case 'both':
      return (text) => text.trim();
    case 'start':
      return (text) => text.trimStart();
    case 'end':
      return (text) => text.trimEnd();
    case 'none':
      return (text) => text;
  }
}

/** Case changes are locale-independent (a Turkish host must not turn i into İ). */
export function caser(mode: CaseMode): (text: string) => string {
  switch (mode) {
    case 'upper':
      return (text) => text.toUpperCase();
    case 'lower':
      return (text) => text.toLowerCase();
    case 'title':
      return titleCase;
    case 'none':
      return (text) => text;
  }
}

const LETTER = /\p{L}/u;
const WORD_BREAK = /[\s\-\u2010/]/u;

/**
 * `mary-ann o'brien` → `Mary-Ann O'Brien`: a word starts after a space, hyphen or slash, or after an
 * apostrophe that follows a one-letter word (O'Brien, d'Arcy) but not inside a contraction (Don't).
 */
export function titleCase(text: string): string {
  const chars = [...text.toLowerCase()];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (!LETTER.test(c)) continue;
    const prev = chars[i - 1];
    const atStart = prev === undefined || WORD_BREAK.test(prev);
    const afterInitial =
      (prev === "'" || prev === '\u2019') &&
      i >= 2 &&
      LETTER.test(chars[i - 2] as string) &&
      (i === 2 || WORD_BREAK.test(chars[i - 3] as string));
    if (atStart || afterInitial) chars[i] = c.toUpperCase();
  }
  return chars.join('');
}

/** A header bound by name: exact first, then ignoring case and surrounding spaces (as bindHeader does). */
export function columnFinder(header: readonly string[]): (name: string) => number | undefined {
  const exact = new Map<string, number>();
  const loose = new Map<string, number>();
  header.forEach((name, index) => {
    if (!exact.has(name)) exact.set(name, index);
    const key = name.trim().toLowerCase();
    if (!loose.has(key)) loose.set(key, index);
  });
  return (name) => exact.get(name) ?? loose.get(name.trim().toLowerCase());
}

export type TemplatePart = { text: string } | { column: string };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** The columns it reads, in order of first use. */
  columns: string[];
}

/**
 * Parses `"{first} {last}"`; `{{` and `}}` are literal braces.
 * @throws ValueSpecError (key `template`) for an unclosed or empty placeholder or a stray `}`.
 */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const columns: string[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end === -1)
        throw templateError(`"{" at character ${i + 1} is never closed (write {{ for a literal brace)`);
      const column = template.slice(i + 1, end);
      if (column.trim() === '') throw templateError(`"{}" at character ${i + 1} names no column`);
      if (column.includes('{'))
        throw templateError(`"{" at character ${i + 1} is never closed before the next "{"`);
      if (text) parts.push({ text });
      text = '';
      parts.push({ column });
      if (!columns.includes(column)) columns.push(column);
      i = end;
    } else if (c === '}') {
      throw templateError(`"}" at character ${i + 1} closes nothing (write }} for a literal brace)`);
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  if (columns.length === 0) throw templateError('the template names no column; use constant for fixed text');
  return { parts, columns };
}

function templateError(message: string): ValueSpecError {
  return new ValueSpecError([{ key: 'template', message }]);
}

function unknownColumns(key: string, missing: string[], header: readonly string[]): ValueSpecError {
  return new ValueSpecError([
    {
      key,
      message: `the header has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${header.join(', ')})`,
    },
  ]);
}

/**
 * A template bound to a file's header: record → text. When every column it reads is blank the result is
 * blank, so `"Dr {last}"` does not load a bare "Dr " and the field's blank rule applies.
 * @throws ValueSpecError (key `template`) naming every column the header lacks.
 */
export function compileTemplate(
  template: string | ParsedTemplate,
  header: readonly string[],
): (record: readonly string[]) => string {
  const parsed = typeof template === 'string' ? parseTemplate(template) : template;
  const find = columnFinder(header);
  const missing = parsed.columns.filter((c) => find(c) === undefined);
  if (missing.length > 0) throw unknownColumns('template', missing, header);
  const pieces = parsed.parts.map((p) => ('text' in p ? p.text : (find(p.column) as number)));
  return (record) => {
    let out = '';
    let anyValue = false;
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      else {
        const value = record[piece] ?? '';
        if (value.trim() !== '') anyValue = true;
        out += value;
      }
    }
    return anyValue ? out : '';
  };
}

/**
 * Columns joined with `separator`, each trimmed, blanks skipped: address lines, name parts.
 * @throws ValueSpecError (key `join`) naming every column the header lacks.
 */
export function compileJoin(
  columns: readonly string[],
  separator: string,
  header: readonly string[],
): (record: readonly string[]) => string {
  if (columns.length === 0)
    throw new ValueSpecError([{ key: 'join', message: 'join needs at least one column' }]);
  const find = columnFinder(header);
  const missing = columns.filter((c) => find(c) === undefined);
  if (missing.length > 0) throw unknownColumns('join', missing, header);
  const indexes = columns.map((c) => find(c) as number);
  return (record) => {
    let out = '';
    for (const index of indexes) {
      const value = (record[index] ?? '').trim();
      if (value === '') continue;
      out = out === '' ? value : out + separator + value;
    }
    return out;
  };
}

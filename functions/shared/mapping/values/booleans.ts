/** Boolean spellings: the words a source system uses for true and false, read ignoring case. */
import type { BooleanSpellings } from './spec.ts';

export const DEFAULT_BOOLEANS: BooleanSpellings = {
  true: ['true', 'yes', 'y', '1', 't', 'on'],
  false: ['false', 'no', 'n', '0', 'f', 'off'],
};

/**
 * A reader from the spellings to `true`/`false`.
 * @throws Error naming a spelling given for both values.
 */
export function booleanReader(spellings: BooleanSpellings): (text: string) => 'true' | 'false' | undefined {
  const map = new Map<string, 'true' | 'false'>();
  for (const word of spellings.true) map.set(word.trim().toLowerCase(), 'true');
  const both = spellings.false.filter((word) => map.has(word.trim().toLowerCase()));
  if (both.length > 0)
    throw new Error(`${both.map((w) => `"${w}"`).join(', ')} cannot mean both true and false`);
  for (const word of spellings.false) map.set(word.trim().toLowerCase(), 'false');
  return (text) => map.get(text.toLowerCase());
}

export function describeSpellings(spellings: BooleanSpellings): string {
  return `true: ${spellings.true.join('/')}; false: ${spellings.false.join('/')}`;
}

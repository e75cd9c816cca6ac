/** "Did you mean" for names typed into a mapping: keys, fields, objects. */

/** The candidate closest to `name` (ignoring case and underscores), when it is close enough to be a typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalise(name);
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const other = normalise(candidate);
    const score =
      other === wanted || other === `${wanted}c`
        ? 0
        : distance(other, wanted, Math.min(2, wanted.length - 1));
    if (score <= 2 && (!best || score < best.score)) best = { candidate, score };
  }
  return best?.candidate;
}

/** ` (did you mean X?)` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/** Levenshtein distance, capped: anything beyond `max` is `max + 1`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  const result = previous[b.length] ?? 0;
  return result > max ? max + 1 : result;
}

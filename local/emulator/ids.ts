/**
 * Salesforce record Ids: 3-character key prefix, 12 characters of base-62 identity, and (in the
 * 18-character form) a 3-character suffix that encodes which of the first 15 characters are upper case,
 * so the Id survives case-insensitive systems.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-safe suffix of a 15-character Id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** The 18-character form of a 15- or 18-character Id (an 18-character Id is normalised). */
export function to18(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + idChecksum(id15);
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/**
 * Whether `id` is a well-formed Salesforce Id: 15 case-sensitive characters, or 18 whose suffix matches.
 * Salesforce compares the 18-character suffix case-insensitively.
 */
export function isValidId(id: string): boolean {
  if (!ID_SHAPE.test(id.length === 18 ? id.slice(0, 15) + id.slice(15).toUpperCase() : id)) return false;
  return id.length === 15 || idChecksum(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/**
 * Generates Ids for one org. The 4th–6th characters are a fixed pod/instance marker; the rest is a
 * per-prefix counter in base 62, so Ids are unique, sortable by creation and stable across restarts
 * when `next` is seeded from the store's high-water mark.
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();
  private readonly instance: string;

  constructor(instance = '8c0') {
    this.instance = instance;
  }

  /** Makes the next Id for a key prefix (e.g. "003"). */
  next(keyPrefix: string): string {
    const n = (this.counters.get(keyPrefix) ?? 0) + 1;
    this.counters.set(keyPrefix, n);
    return this.format(keyPrefix, n);
  }

  /** Continues a prefix's sequence after `count` Ids already issued (restart with --data-dir). */
  resume(keyPrefix: string, count: number): void {
    if (count > (this.counters.get(keyPrefix) ?? 0)) this.counters.set(keyPrefix, count);
  }

  /** The sequence number encoded in an Id made by this generator, for resuming. */
  static sequenceOf(id: string): number {
    let n = 0;
    for (const c of id.slice(6, 15)) n = n * 62 + BASE62.indexOf(c);
    return n;
  }

  private format(keyPrefix: string, n: number): string {
    let body = '';
    let rest = n;
    for (let i = 0; i < 9; i++) {
      body = BASE62[rest % 62] + body;
      rest = Math.floor(rest / 62);
    }
    return to18(`${keyPrefix}${this.instance}${body}`);
  }
}

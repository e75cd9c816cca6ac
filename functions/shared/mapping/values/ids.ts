/**
 * Salesforce record Ids: a 3-character key prefix naming the object, 12 characters of identity, and in
 * the 18-character form a 3-character suffix that records which of the first 15 characters are upper
 * case. (The emulator has its own copy under local/; functions/ must not import from there.)
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_15 = /^[a-zA-Z0-9]{15}$/;

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

/**
 * Why `id` is not a well-formed Salesforce Id, or undefined: 15 letters and digits, or 18 whose last 3
 * match the case of the first 15 (the suffix is compared ignoring case, as Salesforce does).
 */
export function idProblem(id: string): string | undefined {
  if (id.length !== 15 && id.length !== 18) return `an Id has 15 or 18 characters, not ${id.length}`;
  if (!ID_15.test(id.slice(0, 15)) || !/^[a-zA-Z0-5]{0,3}$/.test(id.slice(15))) {
    return 'an Id has only letters and digits';
  }
  if (id.length === 18 && idChecksum(id.slice(0, 15)) !== id.slice(15).toUpperCase()) {
    return 'the last 3 characters do not match the case of the first 15 (a mistyped Id or one whose case was changed)';
  }
  if (/^0{3}/.test(id)) return 'the key prefix 000 is not an object';
  return undefined;
}

export function isValidSalesforceId(id: string): boolean {
  return idProblem(id) === undefined;
}

/** The 18-character form of a valid 15- or 18-character Id. */
export function toId18(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + idChecksum(id15);
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Key prefix → object name, from the describes of the objects a load may point to. */
export function keyPrefixMap(
  objects: Iterable<{ name: string; keyPrefix: string | null }>,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const { name, keyPrefix } of objects) if (keyPrefix) map.set(keyPrefix, name);
  return map;
}

/** The object a valid Id belongs to, or undefined when its key prefix is not in the map. */
export function objectOfId(id: string, keyPrefixes: ReadonlyMap<string, string>): string | undefined {
  return keyPrefixes.get(keyPrefixOf(id));
}

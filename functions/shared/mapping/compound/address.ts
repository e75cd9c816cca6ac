/**
 * Address values from the three input forms. Rules (quoted by docs/mapping.md):
 *
 * Separate columns (`address: { street: [addr1, addr2], city, state, postalCode, country }`)
 * - `street` is one column or a list of columns; their values are trimmed, blank ones skipped, and the
 *   rest joined with a newline (Salesforce's street is a text area; each column is a line).
 * - Every other component is its column's value, trimmed.
 *
 * One free-text column (`address: { text: full_address }`), read right to left:
 * 1. The value is split into parts at commas and line breaks; blank parts are dropped.
 * 2. Country: the last part, when it is a country's English name or a common alias (`United Kingdom`,
 *    `UK`, `England`, `USA`) or a label of the org's country picklist (when describe has labels).
 *    Two-letter ISO codes are not read as countries here (`CA` is California as often as Canada),
 *    except the aliases `US` and `UK`. Otherwise the mapping's `defaultCountry`, if any.
 * 3. Postal code, in the (new) last part, by the country's pattern: UK (`LS1 4AB`, `SW1A 2AA`), US ZIP
 *    or ZIP+4 (`62704`, `62704-1234`), Canada (`M5V 2T6`), Australia (4 digits), all at the end of the
 *    part; Germany and France (5 digits) and the Netherlands (`1012 LG`) at its start (`10115 Berlin`).
 *    Other countries: one token of
 *    letters, digits and hyphens with a digit, 3–10 characters, the whole part, its first or its last
 *    token. With no country, the UK, Canadian, US and Australian patterns (at the end) and the 5-digit
 *    one (at the start) are tried in that order.
 * 4. State or province, for the US, Canada and Australia only: what is left of the postal code's part,
 *    or else the last part, when it ends with a state written as its upper-case abbreviation (`IL`,
 *    `ON`, `NSW`) or its name in any case (`california`, `New South Wales`): `Springfield, IL 62704`.
 *    Regions of other countries are not recognised: give them a column of their own or use JSON.
 * 5. City: what is left of the part that held the postal code or the state (`Leeds` in
 *    `Leeds LS1 4AB`), else the part before them.
 * 6. Street: the remaining parts, in order, joined with newlines.
 * 7. With no country in the text, the country is inferred, and written as its English name, only from a
 *    postal code that belongs to one country (UK, Canada, ZIP+4) or from a state or province that
 *    belongs to one of the US, Canada and Australia and fits the postal code (`IL 62704` → United
 *    States; `WA 6000` → Australia).
 * The row is rejected with rule `address.unparsed`, never guessed at, when: no country, postal code or
 * state anchors the parse (`12 High St, Leeds`: which part is the city?); a state could be in two
 * countries (`Perth, WA` without a country or postal code); or the city found contains a digit (it is
 * then most likely a street line, as in `12 High St, LS1 4AB`).
 *
 * One JSON column (`address: { json: address_json }`)
 * - An object with the keys `street` (a string or an array of strings, joined like street columns),
 *   `city`, `state` or `province` or `region`, `postalCode` or `postcode` or `zip`, and `country`. Each
 *   is a string or null (blank). Any other key, two keys for one component, a number, or text that is
 *   not a JSON object rejects the row with rule `address.json`. A blank cell is a blank address.
 *
 * Every form: a blank address (all its inputs blank) writes all its components blank.
 */
import {
  countryCodeByName,
  countryName,
  GENERIC_POSTAL,
  hasSubdivisions,
  isCountryCode,
  isWrittenSubdivision,
  POSTAL_PATTERNS,
  type SubdivisionCountry,
} from './reference-data.ts';

/** An address's text components; blank components are ''. */
export interface AddressParts {
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

/** What a parse learned beyond the text: the ISO code of the country, when it is known. */
export interface ParsedAddress {
  parts: AddressParts;
  countryCode?: string;
}

export type AddressRule = 'address.unparsed' | 'address.json';

export type AddressParseResult =
  | ({ ok: true } & ParsedAddress)
  | { ok: false; rule: AddressRule; message: string };

export interface AddressTextOptions {
  /** Written as the country when the text has none (and used to read postal codes and states). */
  defaultCountry?: string;
  /** Extra country names, such as the labels of the org's country picklist, → ISO code. */
  countryCodeOf?: (text: string) => string | undefined;
}

export const BLANK_ADDRESS: AddressParts = { street: '', city: '', state: '', postalCode: '', country: '' };

/** Street lines: trimmed, blanks skipped, joined with newlines. */
export function joinStreet(lines: readonly string[]): string {
  // One pass without the two intermediate arrays: this runs for every row's street.
  let street = '';
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed !== '') street = street === '' ? trimmed : `${street}\n${trimmed}`;
  }
  return street;
}

/** The ISO code of a country given by name, alias or (for defaults and JSON) ISO code. */
export function countryCodeOf(
  text: string,
  extra?: (text: string) => string | undefined,
): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return (
    countryCodeByName(trimmed) ??
    extra?.(trimmed) ??
    (/^[A-Za-z]{2}$/.test(trimmed) && isCountryCode(trimmed) ? trimmed.toUpperCase() : undefined)
  );
}

interface PostalMatch {
  postal: string;
  /** The rest of the part (the city or a state), '' when the code was the whole part. */
  rest: string;
  /** Countries this code fits, for choosing a state's country. */
  fits: readonly string[];
  /** Whether the code alone identifies its country. */
  identifies: boolean;
}

// Keyed by the pattern object (all module constants), so a row finds its regex without building a key.
const anchoredPatterns = { trailing: new WeakMap<RegExp, RegExp>(), leading: new WeakMap<RegExp, RegExp>() };

function matchAt(
  part: string,
  pattern: RegExp,
  position: 'trailing' | 'leading',
): { postal: string; rest: string } | undefined {
  let regex = anchoredPatterns[position].get(pattern);
  if (!regex) {
    regex =
      position === 'trailing'
        ? new RegExp(`^(?:(.*?)\\s+)?(${pattern.source})$`, pattern.flags)
        : new RegExp(`^(${pattern.source})(?:\\s+(.*))?$`, pattern.flags);
    anchoredPatterns[position].set(pattern, regex);
  }
  const match = regex.exec(part);
  if (!match) return undefined;
  return position === 'trailing'
    ? { postal: match[2] ?? '', rest: (match[1] ?? '').trim() }
    : { postal: match[1] ?? '', rest: (match[2] ?? '').trim() };
}

/** Postal codes tried, in order, when the country is not known: built once, not per row. */
const POSTAL_TRIES: readonly [RegExp, 'trailing' | 'leading', boolean, readonly string[]][] = [
  [/[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}/i, 'trailing', true, ['GB']],
  [/[A-Z]\d[A-Z] ?\d[A-Z]\d/i, 'trailing', true, ['CA']],
  [/\d{5}-\d{4}/, 'trailing', true, ['US']],
  [/\d{5}/, 'trailing', false, ['US']],
  [/\d{4}/, 'trailing', false, ['AU']],
  [/\d{5}/, 'leading', false, ['DE', 'FR']],
];

function findPostal(part: string, country: string | undefined): PostalMatch | undefined {
  if (country !== undefined) {
    const known = POSTAL_PATTERNS[country];
    if (known) {
      const found = matchAt(part, known.pattern, known.position);
      return found && { ...found, fits: [country], identifies: false };
    }
    const generic = matchAt(part, GENERIC_POSTAL, 'leading') ?? matchAt(part, GENERIC_POSTAL, 'trailing');
    return generic && { ...generic, fits: [country], identifies: false };
  }
  for (const [pattern, position, identifies, fits] of POSTAL_TRIES) {
    const found = matchAt(part, pattern, position);
    if (found) return { ...found, fits, identifies };
  }
  return undefined;
}

interface StateMatch {
  state: string;
  rest: string;
  country: SubdivisionCountry;
}

/** States at the end of `part`: abbreviations in upper case, names in any case, longest first. */
function findStates(part: string, countries: readonly SubdivisionCountry[]): StateMatch[] {
  const words = part.split(/\s+/);
  for (let take = Math.min(4, words.length); take >= 1; take--) {
    const candidate = words.slice(words.length - take).join(' ');
    const rest = words.slice(0, words.length - take).join(' ');
    const found = countries
      .filter((country) => isWrittenSubdivision(country, candidate))
      .map((country) => ({ state: candidate, rest, country }));
    if (found.length > 0) return found;
  }
  return [];
}

const unparsed = (text: string, why: string): AddressParseResult => ({
  ok: false,
  rule: 'address.unparsed',
  message: `cannot read the address "${text.replace(/\s*\n\s*/g, ', ')}": ${why}`,
});

/** Parses a one-line or multi-line address by the rules in this module's comment. */
export function parseAddressText(text: string, options: AddressTextOptions = {}): AddressParseResult {
  const parts = text
    .split(/[,\r\n]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return { ok: true, parts: { ...BLANK_ADDRESS } };

  let country = '';
  let code: string | undefined;
  const last = parts.at(-1) ?? '';
  const lastCode = /^[A-Za-z]{2}$/.test(last)
    ? countryCodeByName(last)
    : (countryCodeByName(last) ?? options.countryCodeOf?.(last));
  let anchored = false;
  if (lastCode !== undefined) {
    country = last;
    code = lastCode;
    parts.pop();
    anchored = true;
  } else if (options.defaultCountry) {
    country = options.defaultCountry;
    code = countryCodeOf(options.defaultCountry, options.countryCodeOf);
  }

  let postalCode = '';
  let fits: readonly string[] | undefined;
  // Text left in the part that held the postal code or state: the city.
  let pending: string | undefined;
  const tail = parts.at(-1);
  const postal = tail === undefined ? undefined : findPostal(tail, code);
  if (postal) {
    postalCode = postal.postal;
    fits = postal.fits;
    parts.pop();
    pending = postal.rest || undefined;
    anchored = true;
    if (code === undefined && postal.identifies) {
      code = postal.fits[0];
      country = countryName(code ?? '') ?? '';
    }
  }

  let state = '';
  const stateCountries: SubdivisionCountry[] =
    code !== undefined
      ? hasSubdivisions(code)
        ? [code]
        : []
      : (['US', 'CA', 'AU'] as const).filter((c) => fits === undefined || fits.includes(c));
  const target = pending ?? parts.at(-1);
  if (target !== undefined && stateCountries.length > 0) {
    const states = findStates(target, stateCountries);
    if (states.length > 1) {
      return unparsed(
        text,
        `the state "${states[0]?.state}" could be in ${states.map((s) => countryName(s.country)).join(' or ')}; add the country`,
      );
    }
    const found = states[0];
    if (found) {
      state = found.state;
      if (pending === undefined) parts.pop();
      pending = found.rest || undefined;
      anchored = true;
      if (code === undefined) {
        code = found.country;
        country = countryName(code) ?? '';
      }
    }
  }

  if (!anchored) {
    return unparsed(text, 'it has no country, postal code or state to tell the city from the street');
  }
  const city = pending ?? parts.pop() ?? '';
  if (/\d/.test(city)) {
    return unparsed(text, `"${city}" would be the city but has a digit, so the street and city are unclear`);
  }
  return {
    ok: true,
    parts: { street: joinStreet(parts), city, state, postalCode, country },
    ...(code !== undefined ? { countryCode: code } : {}),
  };
}

const JSON_KEYS: Record<string, keyof AddressParts> = {
  street: 'street',
  city: 'city',
  state: 'state',
  province: 'state',
  region: 'state',
  postalCode: 'postalCode',
  postcode: 'postalCode',
  zip: 'postalCode',
  country: 'country',
};

const badJson = (message: string): AddressParseResult => ({ ok: false, rule: 'address.json', message });

/** Parses a JSON object address by the rules in this module's comment. */
export function parseAddressJson(text: string, options: AddressTextOptions = {}): AddressParseResult {
  if (text.trim() === '') return { ok: true, parts: { ...BLANK_ADDRESS } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return badJson('the address is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return badJson('the address must be a JSON object such as {"street": "...", "city": "..."}');
  }
  const parts: AddressParts = { ...BLANK_ADDRESS };
  const seen = new Map<keyof AddressParts, string>();
  for (const [key, raw] of Object.entries(value)) {
    const component = Object.hasOwn(JSON_KEYS, key) ? JSON_KEYS[key] : undefined;
    if (component === undefined) {
      return badJson(`the address has an unknown key "${key}" (known: ${Object.keys(JSON_KEYS).join(', ')})`);
    }
    const earlier = seen.get(component);
    if (earlier !== undefined) return badJson(`the address has both "${earlier}" and "${key}"`);
    seen.set(component, key);
    if (raw === null) continue;
    if (component === 'street' && Array.isArray(raw)) {
      if (!raw.every((line) => typeof line === 'string' || line === null)) {
        return badJson('"street" must be a string or an array of strings');
      }
      parts.street = joinStreet(raw.filter((line): line is string => line !== null));
      continue;
    }
    if (typeof raw !== 'string') {
      return badJson(`"${key}" must be a string${component === 'street' ? ' or an array of strings' : ''}`);
    }
    parts[component] = component === 'street' ? joinStreet(raw.split(/\r?\n/)) : raw.trim();
  }
  return withCountry(parts, options);
}

/** Separate columns' values assembled into parts. */
export function addressFromColumns(
  values: {
    street?: readonly string[];
    city?: string;
    state?: string;
    postalCode?: string;
    country?: string;
  },
  options: AddressTextOptions = {},
): AddressParseResult {
  const parts: AddressParts = {
    street: joinStreet(values.street ?? []),
    city: (values.city ?? '').trim(),
    state: (values.state ?? '').trim(),
    postalCode: (values.postalCode ?? '').trim(),
    country: (values.country ?? '').trim(),
  };
  return withCountry(parts, options);
}

/** Fills a default country into a non-blank address and records the country's code when known. */
function withCountry(parts: AddressParts, options: AddressTextOptions): AddressParseResult {
  if (isBlankAddress(parts)) return { ok: true, parts };
  if (parts.country === '' && options.defaultCountry) parts.country = options.defaultCountry;
  const code = countryCodeOf(parts.country, options.countryCodeOf);
  return { ok: true, parts, ...(code !== undefined ? { countryCode: code } : {}) };
}

export function isBlankAddress(parts: AddressParts): boolean {
  return (
    parts.street === '' &&
    parts.city === '' &&
    parts.state === '' &&
    parts.postalCode === '' &&
    parts.country === ''
  );
}

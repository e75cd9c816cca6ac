/**
 * Fixed reference data the compound parsers recognise: countries (ISO 3166-1 alpha-2 with their English
 * names), the states and provinces of the United States, Canada and Australia, postal-code shapes, and
 * the salutations, suffixes and surname particles of person names. The org's own state and country
 * picklists (when enabled) are consulted on top of this, never instead of it.
 */

/** Codes ICU still names but that are withdrawn, reserved or not countries. */
const NOT_COUNTRIES = new Set(
  'AC AN BU CP CQ CS DD DG DY EA EU EZ FX HV IC NH QO RH SU TA TP UK UN VD XA XB YD YU ZR ZZ'.split(' '),
);

/** Spellings people write that ICU's English names do not cover. */
const COUNTRY_ALIASES: Record<string, string[]> = {
  GB: ['UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland'],
  US: ['USA', 'U.S.A.', 'US', 'U.S.', 'United States of America', 'America'],
  CZ: ['Czech Republic'],
  NL: ['The Netherlands', 'Holland'],
  HK: ['Hong Kong'],
  MO: ['Macao', 'Macau'],
  MM: ['Myanmar', 'Burma'],
  CD: ['Democratic Republic of the Congo', 'DR Congo'],
  CG: ['Republic of the Congo'],
  CI: ["Cote d'Ivoire", 'Ivory Coast'],
  TR: ['Turkey'],
  KR: ['Republic of Korea', 'Korea'],
  RU: ['Russian Federation'],
  VA: ['Holy See'],
  PS: ['Palestine'],
  SZ: ['Swaziland'],
  MK: ['Macedonia'],
  IE: ['Republic of Ireland', 'Eire'],
};

/**
 * Whether `text` is already folded but for its case: printable ASCII without `&`, `.`, `'`, `` ` ``,
 * `,` or `-`, single spaces, none at either end. Most names are (`United Kingdom`), and for them the
 * fold is only `toLowerCase`, without normalizing or four regex passes on every row.
 */
function foldsToLowerCase(text: string): boolean {
  let previous = 32; // as if a space came before: a leading space fails
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      if (previous === 32) return false;
    } else if (c < 33 || c > 126 || c === 38 || c === 46 || c === 39 || c === 96 || c === 44 || c === 45) {
      return false;
    }
    previous = c;
  }
  return previous !== 32 || text.length === 0;
}

/** A name or alias, lower-cased, accents and punctuation folded: `Côte d’Ivoire` → `cote divoire`. */
export function foldName(text: string): string {
  if (foldsToLowerCase(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'’`]/g, '')
    .replace(/[\s,-]+/g, ' ')
    .trim();
}

function buildCountries(): { names: Map<string, string>; codes: Map<string, string> } {
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  const names = new Map<string, string>();
  const codes = new Map<string, string>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_COUNTRIES.has(code)) continue;
      const name = display.of(code);
      if (!name || name === code) continue;
      codes.set(code, name);
      names.set(foldName(name), code);
      // `St. Kitts & Nevis` is also written `Saint Kitts and Nevis`.
      if (/\bSt\.\s/.test(name)) names.set(foldName(name.replace(/\bSt\.\s/, 'Saint ')), code);
    }
  }
  for (const [code, aliases] of Object.entries(COUNTRY_ALIASES)) {
    for (const alias of aliases) names.set(foldName(alias), code);
  }
  return { names, codes };
}

const COUNTRIES = buildCountries();

/** The ISO code of a country written by name or alias (`united kingdom`, `U.K.`), else undefined. */
export function countryCodeByName(text: string): string | undefined {
  return COUNTRIES.names.get(foldName(text));
}

/** The English name of an ISO code (`GB` → `United Kingdom`), else undefined. */
export function countryName(code: string): string | undefined {
  return COUNTRIES.codes.get(code.toUpperCase());
}

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code. */
export function isCountryCode(code: string): boolean {
  return COUNTRIES.codes.has(code.toUpperCase());
}

/** Countries whose states or provinces the free-text parser recognises, by code → ISO 3166-2 suffix. */
export const SUBDIVISIONS: Record<'US' | 'CA' | 'AU', Record<string, string>> = {
  US: {
    AL: 'Alabama',
    AK: 'Alaska',
    AZ: 'Arizona',
    AR: 'Arkansas',
    CA: 'California',
    CO: 'Colorado',
    CT: 'Connecticut',
    DE: 'Delaware',
    DC: 'District of Columbia',
    FL: 'Florida',
    GA: 'Georgia',
    HI: 'Hawaii',
    ID: 'Idaho',
    IL: 'Illinois',
    IN: 'Indiana',
    IA: 'Iowa',
    KS: 'Kansas',
    KY: 'Kentucky',
    LA: 'Louisiana',
    ME: 'Maine',
    MD: 'Maryland',
    MA: 'Massachusetts',
    MI: 'Michigan',
    MN: 'Minnesota',
    MS: 'Mississippi',
    MO: 'Missouri',
    MT: 'Montana',
    NE: 'Nebraska',
    NV: 'Nevada',
    NH: 'New Hampshire',
    NJ: 'New Jersey',
    NM: 'New Mexico',
    NY: 'New York',
    NC: 'North Carolina',
    ND: 'North Dakota',
    OH: 'Ohio',
    OK: 'Oklahoma',
    OR: 'Oregon',
    PA: 'Pennsylvania',
    RI: 'Rhode Island',
    SC: 'South Carolina',
    SD: 'South Dakota',
    TN: 'Tennessee',
    TX: 'Texas',
    UT: 'Utah',
    VT: 'Vermont',
    VA: 'Virginia',
    WA: 'Washington',
    WV: 'West Virginia',
    WI: 'Wisconsin',
    WY: 'Wyoming',
    AS: 'American Samoa',
    GU: 'Guam',
    MP: 'Northern Mariana Islands',
    PR: 'Puerto Rico',
    VI: 'Virgin Islands',
  },
  CA: {
    AB: 'Alberta',
    BC: 'British Columbia',
    MB: 'Manitoba',
    NB: 'New Brunswick',
    NL: 'Newfoundland and Labrador',
    NS: 'Nova Scotia',
    NT: 'Northwest Territories',
    NU: 'Nunavut',
    ON: 'Ontario',
    PE: 'Prince Edward Island',
    QC: 'Quebec',
    SK: 'Saskatchewan',
    YT: 'Yukon',
  },
  AU: {
    ACT: 'Australian Capital Territory',
    NSW: 'New South Wales',
    NT: 'Northern Territory',
    QLD: 'Queensland',
    SA: 'South Australia',
    TAS: 'Tasmania',
    VIC: 'Victoria',
    WA: 'Western Australia',
  },
};

export type SubdivisionCountry = keyof typeof SUBDIVISIONS;

export function hasSubdivisions(country: string | undefined): country is SubdivisionCountry {
  return country === 'US' || country === 'CA' || country === 'AU';
}

const SUBDIVISION_NAMES = Object.fromEntries(
  Object.entries(SUBDIVISIONS).map(([country, table]) => [
    country,
    new Map(Object.entries(table).map(([code, name]) => [foldName(name), code])),
  ]),
) as Record<SubdivisionCountry, Map<string, string>>;

/** The code of a state or province written as its code or its name, within one country. */
export function subdivisionCode(country: SubdivisionCountry, text: string): string | undefined {
  const upper = text.trim().replace(/\.$/, '').toUpperCase();
  if (Object.hasOwn(SUBDIVISIONS[country], upper)) return upper;
  return SUBDIVISION_NAMES[country].get(foldName(text));
}

/**
 * Whether `text` names a state of `country` the way free text must: its abbreviation in upper case
 * (`IL`, `NSW.`) or its name in any case (`illinois`); `in`, `or` and `me` are words, not states.
 */
export function isWrittenSubdivision(country: SubdivisionCountry, text: string): boolean {
  return (
    Object.hasOwn(SUBDIVISIONS[country], text.replace(/\.$/, '')) ||
    SUBDIVISION_NAMES[country].has(foldName(text))
  );
}

/**
 * Postal codes by country. `trailing` codes follow the city or state (`Leeds LS1 4AB`, `IL 62704`),
 * `leading` ones precede the city (`10115 Berlin`).
 */
export const POSTAL_PATTERNS: Record<string, { pattern: RegExp; position: 'trailing' | 'leading' }> = {
  GB: { pattern: /[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}/i, position: 'trailing' },
  US: { pattern: /\d{5}(?:-\d{4})?/, position: 'trailing' },
  CA: { pattern: /[A-Z]\d[A-Z] ?\d[A-Z]\d/i, position: 'trailing' },
  AU: { pattern: /\d{4}/, position: 'trailing' },
  DE: { pattern: /\d{5}/, position: 'leading' },
  FR: { pattern: /\d{5}/, position: 'leading' },
  NL: { pattern: /\d{4} ?[A-Z]{2}/i, position: 'leading' },
};

/** Any other country's postal code: one token of letters, digits and hyphens with at least one digit. */
export const GENERIC_POSTAL = /(?=[A-Z-]*\d)[A-Z\d-]{3,10}/i;

/** Salutations recognised at the start of a full name (compared without case or a trailing dot). */
export const SALUTATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'rev',
  'fr',
  'sir',
  'dame',
  'lord',
  'lady',
]);

/** Suffixes recognised at the end of a full name (compared without case or dots). */
export const SUFFIXES = new Set([
  'jr',
  'sr',
  'ii',
  'iii',
  'iv',
  'phd',
  'md',
  'dds',
  'dmd',
  'rn',
  'esq',
  'cpa',
  'obe',
  'mbe',
  'cbe',
  'kc',
  'qc',
]);

/** Lower-case particles that belong to the surname that follows them (`van der Berg`, `O' Neill`). */
export const SURNAME_PARTICLES = new Set([
  'van',
  'von',
  'de',
  'der',
  'den',
  'del',
  'della',
  'di',
  'da',
  'das',
  'dos',
  'du',
  'la',
  'le',
  'ten',
  'ter',
  'bin',
  'binti',
  'al',
  'el',
  "o'",
  'o’',
  'mac',
]);

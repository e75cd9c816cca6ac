/**
 * Geolocation values: a latitude and a longitude, from two columns or from one column.
 *
 * Rules (quoted by docs/mapping.md):
 * - Numbers are plain decimals: an optional sign, digits, and an optional fraction (`51.5072`,
 *   `-0.1276`, `+12`). No exponents, degree signs or N/S/E/W letters. With `decimalComma: true` the
 *   fraction is written after a comma (`51,5072`) and a dot is not accepted.
 * - One column holds `lat,lon`, `lat lon` or `lat;lon`, optionally inside parentheses or brackets:
 *   `(51.5072, -0.1276)`. Spaces around the separator are ignored. With `decimalComma: true` the
 *   separator must be `;` or spaces (`51,5072; -0,1276`), since the comma is the decimal mark.
 * - Latitude lies in −90..90 and longitude in −180..180, else the row is rejected with rule `geo.range`;
 *   anything else unreadable is rejected with `geo.unparsed`.
 * - Both blank → both components blank. One blank and not the other → `geo.unparsed`.
 * - Output: a plain decimal rounded half away from zero to the component's describe scale (15 when
 *   describe gives none), trailing zeros dropped: `51.50720000` → `51.5072`, `-0` → `0`.
 */

export type GeoRule = 'geo.range' | 'geo.unparsed';

export type GeoResult =
  | { ok: true; latitude: string; longitude: string }
  | { ok: true; blank: true }
  | { ok: false; rule: GeoRule; message: string; axis?: 'latitude' | 'longitude' };

export interface GeoOptions {
  decimalComma?: boolean;
}

/** Salesforce's maximum decimal places for a geolocation. */
export const DEFAULT_GEO_SCALE = 15;

const DOT_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const COMMA_NUMBER = /^[+-]?\d+(?:,\d+)?$/;

/** A decimal string in canonical dot form, or undefined when `text` is not a plain decimal. */
export function readDecimal(text: string, options: GeoOptions = {}): string | undefined {
  const trimmed = text.trim();
  if (options.decimalComma) return COMMA_NUMBER.test(trimmed) ? trimmed.replace(',', '.') : undefined;
  return DOT_NUMBER.test(trimmed) ? trimmed : undefined;
}

/**
 * Rounds a canonical decimal string half away from zero to `scale` places without going through binary
 * floating point (`1.005` to 2 places is `1.01`), and drops trailing zeros.
 */
export function roundDecimal(decimal: string, scale: number): string {
  const negative = decimal.startsWith('-');
  const unsigned = decimal.replace(/^[+-]/, '');
  const [whole = '0', fraction = ''] = unsigned.split('.');
  let digits = (whole + fraction.padEnd(scale, '0').slice(0, scale)).split('').map(Number);
  if ((fraction[scale] ?? '0') >= '5') {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i >= 0) digits[i] = (digits[i] ?? 0) + 1;
    else digits = [1, ...digits];
  }
  const text = digits.join('');
  const intPart = text.slice(0, text.length - scale).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = text.slice(text.length - scale).replace(/0+$/, '');
  const result = fracPart ? `${intPart}.${fracPart}` : intPart;
  return negative && /[1-9]/.test(result) ? `-${result}` : result;
}

/** Checks and formats one coordinate. */
export function readCoordinate(
  text: string,
  axis: 'latitude' | 'longitude',
  scale: number,
  options: GeoOptions = {},
):
  | { ok: true; value: string }
  | { ok: false; rule: GeoRule; message: string; axis: 'latitude' | 'longitude' } {
  const decimal = readDecimal(text, options);
  if (decimal === undefined) {
    return {
      ok: false,
      rule: 'geo.unparsed',
      message: `${axis} "${text.trim()}" is not a decimal number${options.decimalComma ? ' with a decimal comma' : ''}`,
      axis,
    };
  }
  const limit = axis === 'latitude' ? 90 : 180;
  if (Math.abs(Number(decimal)) > limit) {
    return {
      ok: false,
      rule: 'geo.range',
      message: `${axis} ${decimal} is outside −${limit}..${limit}`,
      axis,
    };
  }
  return { ok: true, value: roundDecimal(decimal, scale) };
}

/** Reads a latitude and a longitude given separately (two columns). */
export function readCoordinatePair(
  latitude: string,
  longitude: string,
  scales: { latitude: number; longitude: number },
  options: GeoOptions = {},
): GeoResult {
  const latBlank = latitude.trim() === '';
  const lonBlank = longitude.trim() === '';
  if (latBlank && lonBlank) return { ok: true, blank: true };
  if (latBlank || lonBlank) {
    return {
      ok: false,
      rule: 'geo.unparsed',
      message: `${latBlank ? 'latitude' : 'longitude'} is blank but ${latBlank ? 'longitude' : 'latitude'} is not; give both or neither`,
      axis: latBlank ? 'latitude' : 'longitude',
    };
  }
  const lat = readCoordinate(latitude, 'latitude', scales.latitude, options);
  if (!lat.ok) return lat;
  const lon = readCoordinate(longitude, 'longitude', scales.longitude, options);
  if (!lon.ok) return lon;
  return { ok: true, latitude: lat.value, longitude: lon.value };
}

/** Reads `lat,lon` (or `lat lon`, `lat;lon`, optionally in parentheses) from one value. */
export function parseGeolocation(
  text: string,
  scales: { latitude: number; longitude: number } = {
    latitude: DEFAULT_GEO_SCALE,
    longitude: DEFAULT_GEO_SCALE,
  },
  options: GeoOptions = {},
): GeoResult {
  let inner = text.trim();
  if (inner === '') return { ok: true, blank: true };
  const wrapped = /^\((.*)\)$|^\[(.*)\]$/.exec(inner);
  if (wrapped) inner = (wrapped[1] ?? wrapped[2] ?? '').trim();
  const separator = options.decimalComma ? /\s*;\s*|\s+/ : /\s*[,;]\s*|\s+/;
  const parts = inner.split(separator);
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    return {
      ok: false,
      rule: 'geo.unparsed',
      message: options.decimalComma
        ? `"${text.trim()}" is not "latitude;longitude" (decimal commas, separated by ";" or spaces)`
        : `"${text.trim()}" is not "latitude,longitude" (separated by ",", ";" or spaces)`,
    };
  }
  return readCoordinatePair(parts[0] ?? '', parts[1] ?? '', scales, options);
}

/**
 * Email, phone and URL checks. Salesforce validates email loosely and phone and URL hardly at all; these
 * catch what is clearly not an address or a number before a job spends a row on it.
 */

// RFC 5322 dot-atom local part (no quoted strings), LDH domain labels, an alphabetic or IDN top level.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** Salesforce email fields hold at most 80 characters. */
export const EMAIL_MAX_LENGTH = 80;

/** Why `email` is not an address Salesforce would take, or undefined. */
export function emailProblem(email: string): string | undefined {
  if (/\s/.test(email)) return 'an email address has no spaces';
  const at = email.indexOf('@');
  if (at === -1) return 'an email address needs an @';
  if (email.indexOf('@', at + 1) !== -1) return 'an email address has only one @';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local === '') return 'nothing comes before the @';
  if (local.length > 64) return 'the part before the @ is longer than 64 characters';
  if (!LOCAL.test(local)) {
    return /\.\.|^\.|\.$/.test(local)
      ? 'the part before the @ has a misplaced dot'
      : 'the part before the @ has a character email addresses cannot have';
  }
  if (!domain.includes('.')) return 'the domain after the @ needs a dot';
  const labels = domain.split('.');
  if (labels.some((l) => !LABEL.test(l))) return 'the domain after the @ is not a valid host name';
  if (!TOP_LEVEL.test(labels.at(-1) ?? '')) return 'the domain does not end in a top-level domain';
  if (email.length > EMAIL_MAX_LENGTH) return `an email address has at most ${EMAIL_MAX_LENGTH} characters`;
  return undefined;
}

// Digits with the usual punctuation, and an extension at the end (x123, ext. 123, extension 123).
// Two linear regexes rather than one with a lazy group, which backtracks quadratically on long input.
const PHONE_BODY = /^\+?[\d\s().\-/]+$/;
const PHONE_EXTENSION = /(?:x|ext\.?|extension|#)\s*(\d{1,6})$/i;

export type PhoneResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * A phone number kept as written (Salesforce phone fields are free text) after checking it is one, or
 * normalised to E.164 (`+442079460958`). National numbers need `countryCode`: one leading 0 (trunk
 * prefix) is dropped, and for country code 1 a leading 1.
 */
export function readPhone(text: string, normalize: 'none' | 'e164', countryCode?: string): PhoneResult {
  const extension = PHONE_EXTENSION.exec(text);
  const body = extension ? text.slice(0, extension.index).trimEnd() : text;
  if (!PHONE_BODY.test(body) || !/\d/.test(body)) {
    return {
      ok: false,
      message: /\p{L}/u.test(text)
        ? 'a phone number has no letters (other than an extension such as x123)'
        : 'a phone number has digits, spaces and + ( ) - . / only',
    };
  }
  if (normalize === 'none') return { ok: true, value: text };
  if (extension) return { ok: false, message: 'an E.164 number has no extension' };
  const trimmed = body.trim();
  let digits = body.replace(/\D/g, '');
  if (trimmed.startsWith('+')) {
    // already international
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2);
  } else if (countryCode === undefined) {
    return { ok: false, message: 'a national number needs a country code (set defaultCountryCode)' };
  } else {
    let national = digits;
    if (countryCode === '1' && national.length === 11 && national.startsWith('1'))
      national = national.slice(1);
    else if (national.startsWith('0')) national = national.slice(1);
    digits = countryCode + national;
  }
  if (digits.startsWith('0')) return { ok: false, message: 'a country code does not start with 0' };
  if (digits.length < 7 || digits.length > 15)
    return { ok: false, message: 'an E.164 number has 7 to 15 digits' };
  return { ok: true, value: `+${digits}` };
}

const SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ftps:', 'mailto:']);

/** Why `text` is not a web address, or undefined. A missing scheme is fine: `www.example.org`. */
export function urlProblem(text: string): string | undefined {
  if (/\s/.test(text)) return 'a URL has no spaces';
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) && !/^[^:/]+:\d/.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `http://${text}`);
  } catch {
    return 'is not a URL';
  }
  if (!SCHEMES.has(url.protocol)) return `the scheme ${url.protocol} is not http, https, ftp, ftps or mailto`;
  if (url.protocol === 'mailto:') return undefined;
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') return 'the host name needs a dot';
  return undefined;
}

import { describe, expect, it } from 'vitest';
import {
  addressFromColumns,
  joinStreet,
  parseAddressJson,
  parseAddressText,
} from '../../functions/shared/mapping/compound/address.ts';

const parts = (street: string, city: string, state: string, postalCode: string, country: string) => ({
  street,
  city,
  state,
  postalCode,
  country,
});

describe('parseAddressText', () => {
  it.each([
    [
      '12 High St, Flat 3, Leeds, LS1 4AB, United Kingdom',
      parts('12 High St\nFlat 3', 'Leeds', '', 'LS1 4AB', 'United Kingdom'),
      'GB',
    ],
    [
      '10 Downing Street, London SW1A 2AA',
      parts('10 Downing Street', 'London', '', 'SW1A 2AA', 'United Kingdom'),
      'GB',
    ],
    ['12 High St\nLeeds\nLS1 4AB\nUK', parts('12 High St', 'Leeds', '', 'LS1 4AB', 'UK'), 'GB'],
    [
      '1 Main St, Springfield, IL 62704',
      parts('1 Main St', 'Springfield', 'IL', '62704', 'United States'),
      'US',
    ],
    [
      '1 Main St, Springfield IL 62704-1234',
      parts('1 Main St', 'Springfield', 'IL', '62704-1234', 'United States'),
      'US',
    ],
    ['350 5th Ave, New York, NY 10118, USA', parts('350 5th Ave', 'New York', 'NY', '10118', 'USA'), 'US'],
    [
      '1 Market St, San Francisco, california 94105',
      parts('1 Market St', 'San Francisco', 'california', '94105', 'United States'),
      'US',
    ],
    ['1 Main St, Springfield, IL, USA', parts('1 Main St', 'Springfield', 'IL', '', 'USA'), 'US'],
    [
      '100 Queen St W, Toronto, ON M5H 2N2, Canada',
      parts('100 Queen St W', 'Toronto', 'ON', 'M5H 2N2', 'Canada'),
      'CA',
    ],
    [
      '100 Queen St W, Toronto ON M5H 2N2',
      parts('100 Queen St W', 'Toronto', 'ON', 'M5H 2N2', 'Canada'),
      'CA',
    ],
    [
      'Level 5, 1 Martin Pl, Sydney NSW 2000, Australia',
      parts('Level 5\n1 Martin Pl', 'Sydney', 'NSW', '2000', 'Australia'),
      'AU',
    ],
    ['1 Hay St, Perth, WA 6000', parts('1 Hay St', 'Perth', 'WA', '6000', 'Australia'), 'AU'],
    ['1 Pike St, Seattle, WA 98101', parts('1 Pike St', 'Seattle', 'WA', '98101', 'United States'), 'US'],
    [
      '1 George St, Sydney, New South Wales 2000',
      parts('1 George St', 'Sydney', 'New South Wales', '2000', 'Australia'),
      'AU',
    ],
    [
      'Unter den Linden 77, 10117 Berlin, Germany',
      parts('Unter den Linden 77', 'Berlin', '', '10117', 'Germany'),
      'DE',
    ],
    ['1 Rue de Rivoli, 75001 Paris, France', parts('1 Rue de Rivoli', 'Paris', '', '75001', 'France'), 'FR'],
    ['Via Roma 1, 00184 Roma, Italy', parts('Via Roma 1', 'Roma', '', '00184', 'Italy'), 'IT'],
    [
      'Damrak 1, 1012 LG Amsterdam, Netherlands',
      parts('Damrak 1', 'Amsterdam', '', '1012 LG', 'Netherlands'),
      'NL',
    ],
    ['Calle Mayor 5, Madrid, Spain', parts('Calle Mayor 5', 'Madrid', '', '', 'Spain'), 'ES'],
    ['12 High St, Leeds, England', parts('12 High St', 'Leeds', '', '', 'England'), 'GB'],
  ])('reads %j', (text, expected, countryCode) => {
    expect(parseAddressText(text)).toEqual({ ok: true, parts: expected, countryCode });
  });

  it('leaves the country blank when a 5-digit code is the only clue', () => {
    expect(parseAddressText('Main Street 5, Springfield 62704')).toEqual({
      ok: true,
      parts: parts('Main Street 5', 'Springfield', '', '62704', ''),
    });
  });

  it('reads postal codes and states by the default country when the text has none', () => {
    expect(parseAddressText('1 Main St, Springfield, IL 62704', { defaultCountry: 'US' })).toEqual({
      ok: true,
      parts: parts('1 Main St', 'Springfield', 'IL', '62704', 'US'),
      countryCode: 'US',
    });
  });

  it('recognises a country by a label of the org picklist', () => {
    const orgCountries = (text: string) => (text.toLowerCase() === 'republic of atlantis' ? 'AT' : undefined);
    expect(
      parseAddressText('1 Main St, Poseidonia, Republic of Atlantis', { countryCodeOf: orgCountries }),
    ).toEqual({
      ok: true,
      parts: parts('1 Main St', 'Poseidonia', '', '', 'Republic of Atlantis'),
      countryCode: 'AT',
    });
  });

  it('leaves every component blank for a blank value', () => {
    expect(parseAddressText(' ,\n ', { defaultCountry: 'GB' })).toEqual({
      ok: true,
      parts: parts('', '', '', '', ''),
    });
  });

  it.each([
    ['12 High St, Leeds', 'it has no country, postal code or state to tell the city from the street'],
    ['12 High St, Flat 3, Leeds', 'it has no country, postal code or state to tell the city from the street'],
    [
      '12 High St, LS1 4AB',
      '"12 High St" would be the city but has a digit, so the street and city are unclear',
    ],
    [
      '12 High Street Leeds LS1 4AB',
      '"12 High Street Leeds" would be the city but has a digit, so the street and city are unclear',
    ],
    [
      '1 Main St, Springfield, LS1 4AB, USA',
      '"LS1 4AB" would be the city but has a digit, so the street and city are unclear',
    ],
    ['1 Hay St, Perth, WA', 'the state "WA" could be in United States or Australia; add the country'],
  ])('rejects %j as unparsed', (text, why) => {
    expect(parseAddressText(text)).toEqual({
      ok: false,
      rule: 'address.unparsed',
      message: `cannot read the address "${text.replace(/\n/g, ', ')}": ${why}`,
    });
  });

  it('reads lower-case "in" and "or" as words, not states', () => {
    expect(parseAddressText('1 Main St, Portland or 97201')).toMatchObject({
      ok: true,
      parts: { city: 'Portland or', state: '', postalCode: '97201', country: '' },
    });
    expect(parseAddressText('1 Main St, Portland OR 97201')).toMatchObject({ ok: true, countryCode: 'US' });
  });
});

describe('parseAddressJson', () => {
  it('reads the documented keys and joins a street array', () => {
    expect(
      parseAddressJson(
        '{"street": ["12 High St", "", "Flat 3"], "city": "Leeds", "region": "West Yorkshire", "postcode": "LS1 4AB", "country": "United Kingdom"}',
      ),
    ).toEqual({
      ok: true,
      parts: parts('12 High St\nFlat 3', 'Leeds', 'West Yorkshire', 'LS1 4AB', 'United Kingdom'),
      countryCode: 'GB',
    });
  });

  it.each([
    [
      '{"street": "1 Main St\\n Suite 2", "city": "Springfield", "state": "IL", "zip": "62704"}',
      parts('1 Main St\nSuite 2', 'Springfield', 'IL', '62704', ''),
    ],
    ['{"province": "ON", "postalCode": null, "country": "CA"}', parts('', '', 'ON', '', 'CA')],
  ])('reads %s', (text, expected) => {
    expect(parseAddressJson(text)).toMatchObject({ ok: true, parts: expected });
  });

  it('writes the default country into a non-blank address only', () => {
    expect(parseAddressJson('{"city": "Leeds"}', { defaultCountry: 'GB' })).toEqual({
      ok: true,
      parts: parts('', 'Leeds', '', '', 'GB'),
      countryCode: 'GB',
    });
    expect(parseAddressJson('{"city": null}', { defaultCountry: 'GB' })).toEqual({
      ok: true,
      parts: parts('', '', '', '', ''),
    });
    expect(parseAddressJson('', { defaultCountry: 'GB' })).toEqual({
      ok: true,
      parts: parts('', '', '', '', ''),
    });
  });

  it.each([
    [
      '{"city": "Leeds", "county": "West Yorkshire"}',
      'the address has an unknown key "county" (known: street, city, state, province, region, postalCode, postcode, zip, country)',
    ],
    ['{"state": "ON", "province": "ON"}', 'the address has both "state" and "province"'],
    ['{"zip": 62704}', '"zip" must be a string'],
    ['{"street": [1, 2]}', '"street" must be a string or an array of strings'],
    ['{"street": {"line1": "x"}}', '"street" must be a string or an array of strings'],
    ['["12 High St"]', 'the address must be a JSON object such as {"street": "...", "city": "..."}'],
    ['"12 High St"', 'the address must be a JSON object such as {"street": "...", "city": "..."}'],
    ['{"city": "Leeds"', 'the address is not valid JSON'],
  ])('rejects %s', (text, message) => {
    expect(parseAddressJson(text)).toEqual({ ok: false, rule: 'address.json', message });
  });
});

describe('separate columns', () => {
  it('joins street lines with newlines, skipping blank ones', () => {
    expect(joinStreet([' 12 High St ', '', '  ', 'Flat 3'])).toBe('12 High St\nFlat 3');
  });

  it('assembles the components and knows the country code', () => {
    expect(
      addressFromColumns({
        street: ['1 Main St', ''],
        city: ' Springfield ',
        state: 'IL',
        postalCode: '62704',
        country: 'usa',
      }),
    ).toEqual({
      ok: true,
      parts: parts('1 Main St', 'Springfield', 'IL', '62704', 'usa'),
      countryCode: 'US',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { readCompoundSpec } from '../../functions/shared/mapping/compound/spec.ts';

describe('readCompoundSpec', () => {
  it.each([
    {
      address: {
        street: ['addr1', 'addr2'],
        city: 'town',
        state: 'county',
        postalCode: 'postcode',
        country: 'country',
      },
    },
    {
      address: {
        street: 'addr1',
        latitude: 'lat',
        longitude: 'lon',
        decimalComma: true,
        defaultCountry: 'GB',
      },
    },
    { address: { text: 'full_address', defaultCountry: 'United Kingdom' } },
    { address: { json: 'address_json' } },
    { name: { format: 'Last, First', column: 'patient_name' } },
    { name: { first: 'given', last: 'family', salutation: 'title', middle: 'm', suffix: 's' } },
    { geolocation: { column: 'coords' } },
    { geolocation: { column: 'coords', decimalComma: true } },
    { geolocation: { latitude: 'lat', longitude: 'lon' } },
  ])('accepts %j', (raw) => {
    expect(readCompoundSpec(raw)).toEqual({ ok: true, spec: raw });
  });

  it.each([
    [
      'a string',
      'addr',
      [{ path: [], message: 'a compound field rule has exactly one key: address, name, geolocation' }],
    ],
    [
      'two kinds',
      { address: { text: 'a' }, name: { last: 'l' } },
      [{ path: [], message: 'a compound field rule has exactly one key: address, name, geolocation' }],
    ],
    ['a list body', { address: ['a'] }, [{ path: ['address'], message: 'address takes a map of its keys' }]],
    [
      'text mixed with columns',
      { address: { text: 'a', city: 'c' } },
      [
        {
          path: ['address', 'city'],
          message: 'address does not take "city" here (it takes text, defaultCountry)',
        },
      ],
    ],
    [
      'an unknown address key',
      { address: { town: 'c' } },
      [
        {
          path: ['address', 'town'],
          message:
            'address does not take "town" here (it takes street, city, state, postalCode, country, latitude, longitude, geocodeAccuracy, defaultCountry, decimalComma)',
        },
        {
          path: ['address'],
          message:
            'address needs at least one of street, city, state, postalCode, country, latitude, longitude, geocodeAccuracy',
        },
      ],
    ],
    [
      'an empty street list',
      { address: { street: [] } },
      [{ path: ['address', 'street'], message: 'street lists at least one column' }],
    ],
    [
      'a blank street line',
      { address: { street: ['a', ' '] } },
      [{ path: ['address', 'street', 1], message: 'a street line is a column name' }],
    ],
    [
      'a numeric column',
      { address: { city: 3 } },
      [{ path: ['address', 'city'], message: 'city is a column name' }],
    ],
    [
      'a format without column',
      { name: { format: 'First Last' } },
      [{ path: ['name'], message: 'name needs "column"' }],
    ],
    [
      'an unknown name format',
      { name: { column: 'n', format: 'Surname First' } },
      [
        {
          path: ['name', 'format'],
          message: 'format "Surname First" is not one of "First Last", "Last, First", "Last First"',
        },
      ],
    ],
    [
      'a latitude alone',
      { geolocation: { latitude: 'lat' } },
      [{ path: ['geolocation'], message: 'geolocation needs "longitude"' }],
    ],
    [
      'a string decimalComma',
      { geolocation: { column: 'c', decimalComma: 'yes' } },
      [{ path: ['geolocation', 'decimalComma'], message: 'decimalComma is true or false' }],
    ],
  ])('rejects %s, pointing at the key', (_what, raw, problems) => {
    expect(readCompoundSpec(raw)).toEqual({ ok: false, problems });
  });
});

import { describe, expect, it } from 'vitest';
import {
  codePicklistsEnabled,
  compoundError,
  findCompound,
} from '../../functions/shared/mapping/compound/components.ts';
import { defaultOrgDescribe } from '../fixtures/pipeline/default-org-describe.ts';
import { withStateAndCountryPicklists } from './compound-describes.ts';

const describeOrg = defaultOrgDescribe();

function roles(found: ReturnType<typeof findCompound>): Record<string, string> {
  return Object.fromEntries([...(found?.components ?? [])].map(([role, field]) => [role, field.name]));
}

describe('findCompound', () => {
  it.each([
    [
      'Account',
      'BillingAddress',
      'address',
      {
        street: 'BillingStreet',
        city: 'BillingCity',
        state: 'BillingState',
        postalCode: 'BillingPostalCode',
        country: 'BillingCountry',
        latitude: 'BillingLatitude',
        longitude: 'BillingLongitude',
        geocodeAccuracy: 'BillingGeocodeAccuracy',
      },
    ],
    ['Contact', 'mailingaddress', 'address', { street: 'MailingStreet', city: 'MailingCity' }],
    ['Contact', 'OtherAddress', 'address', { postalCode: 'OtherPostalCode' }],
    ['Lead', 'Address', 'address', { street: 'Street', city: 'City', state: 'State', country: 'Country' }],
    [
      'Contact',
      'Name',
      'name',
      {
        salutation: 'Salutation',
        firstName: 'FirstName',
        middleName: 'MiddleName',
        lastName: 'LastName',
        suffix: 'Suffix',
      },
    ],
    ['Lead', 'Name', 'name', { firstName: 'FirstName', lastName: 'LastName' }],
    [
      'Facility__c',
      'Location__c',
      'geolocation',
      { latitude: 'Location__Latitude__s', longitude: 'Location__Longitude__s' },
    ],
  ])('finds the components of %s.%s', async (object, name, kind, expected) => {
    const found = findCompound(await describeOrg(object), name);
    expect(found?.kind).toBe(kind);
    expect(roles(found)).toMatchObject(expected);
  });

  it('reads the geolocation scale and the address field lengths from describe', async () => {
    const location = findCompound(await describeOrg('Facility__c'), 'Location__c');
    expect(location?.components.get('latitude')?.scale).toBe(7);
    const billing = findCompound(await describeOrg('Account'), 'BillingAddress');
    expect(billing?.components.get('city')?.length).toBe(40);
  });

  it.each([
    ['Account', 'Name'],
    ['Account', 'Phone'],
    ['Account', 'NoSuchField'],
  ])('says %s.%s is not compound', async (object, name) => {
    expect(findCompound(await describeOrg(object), name)).toBeUndefined();
  });

  it('sees state and country picklists only where the code fields exist', async () => {
    const plain = findCompound(await describeOrg('Account'), 'BillingAddress');
    expect(plain && codePicklistsEnabled(plain)).toEqual({ state: false, country: false });
    const coded = findCompound(withStateAndCountryPicklists(await describeOrg('Account')), 'BillingAddress');
    expect(coded && codePicklistsEnabled(coded)).toEqual({ state: true, country: true });
    expect(roles(coded)).toMatchObject({ stateCode: 'BillingStateCode', countryCode: 'BillingCountryCode' });
  });
});

describe('compoundError', () => {
  it.each([
    [
      'Account',
      'BillingAddress',
      'BillingAddress is a compound field; map its components instead: BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry, BillingLatitude, BillingLongitude (or give BillingAddress an address: rule)',
    ],
    [
      'Lead',
      'address',
      'Address is a compound field; map its components instead: Street, City, State, PostalCode, Country, Latitude, Longitude (or give Address an address: rule)',
    ],
    [
      'Contact',
      'Name',
      'Name is a compound field; map its components instead: Salutation, FirstName, MiddleName, LastName, Suffix (or give Name a name: rule)',
    ],
    [
      'Facility__c',
      'Location__c',
      'Location__c is a compound field; map its components instead: Location__Latitude__s, Location__Longitude__s (or give Location__c a geolocation: rule)',
    ],
  ])('names the components of %s.%s', async (object, name, message) => {
    expect(compoundError(await describeOrg(object), name)).toBe(message);
  });

  it('lists the code fields instead of the text fields when state and country picklists are on', async () => {
    const message = compoundError(
      withStateAndCountryPicklists(await describeOrg('Account')),
      'ShippingAddress',
    );
    expect(message).toContain(
      'ShippingStreet, ShippingCity, ShippingStateCode, ShippingPostalCode, ShippingCountryCode, ShippingLatitude',
    );
  });

  it('has nothing to say about a plain field', async () => {
    expect(compoundError(await describeOrg('Contact'), 'Email')).toBeUndefined();
  });
});

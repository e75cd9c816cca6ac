import { describe, expect, it } from 'vitest';
import {
  resolveCountryCode,
  resolveStateCode,
  validForIncludes,
} from '../../functions/shared/mapping/compound/codes.ts';
import type { ComponentField, PicklistEntry } from '../../functions/shared/mapping/compound/components.ts';

function picklist(name: string, role: 'stateCode' | 'countryCode', entries: PicklistEntry[]): ComponentField {
  return {
    name,
    role,
    type: 'picklist',
    length: 255,
    picklist: entries,
    restricted: true,
    createable: true,
    updateable: true,
    required: false,
  };
}

const countries = picklist('BillingCountryCode', 'countryCode', [
  { value: 'US', active: true, label: 'United States' },
  { value: 'GB', active: true, label: 'United Kingdom' },
  { value: 'KR', active: true, label: 'Korea, Republic of' },
  { value: 'YU', active: false, label: 'Yugoslavia' },
]);

describe('resolveCountryCode', () => {
  it.each([
    ['gb', 'GB'],
    ['United Kingdom', 'GB'],
    ['KOREA, REPUBLIC OF', 'KR'],
    ['South Korea', 'KR'],
    ['Great Britain', 'GB'],
    ['U.S.A.', 'US'],
  ])('maps %j to %s', (text, code) => {
    expect(resolveCountryCode(text, countries)).toEqual({ ok: true, code });
  });

  it.each(['Yugoslavia', 'France', 'Narnia'])('rejects %j, absent or inactive in the picklist', (text) => {
    expect(resolveCountryCode(text, countries)).toEqual({
      ok: false,
      message: `country "${text}" is not in this org's country picklist (BillingCountryCode)`,
    });
  });
});

describe('resolveStateCode', () => {
  // validFor bits follow the country picklist's order: US is bit 0 (0x80), GB bit 1 (0x40).
  const us = Buffer.from([0x80]).toString('base64');
  const states = picklist('BillingStateCode', 'stateCode', [
    { value: 'NY', active: true, label: 'New York', validFor: us },
    { value: 'NYC', active: true, label: 'New York', validFor: us },
    { value: 'CA', active: true, label: 'California', validFor: us },
  ]);

  it('reads validFor bitmaps most significant bit first', () => {
    expect(validForIncludes(us, 0)).toBe(true);
    expect(validForIncludes(us, 1)).toBe(false);
    expect(validForIncludes(us, 12)).toBe(false);
  });

  it('maps a state by value or label within its country', () => {
    expect(resolveStateCode('ca', 'US', states, countries)).toEqual({ ok: true, code: 'CA' });
    expect(resolveStateCode('California', 'us', states, countries)).toEqual({ ok: true, code: 'CA' });
  });

  it('rejects a state of another country, a label shared by two codes, and a state without a country', () => {
    expect(resolveStateCode('California', 'GB', states, countries)).toEqual({
      ok: false,
      message: 'state "California" is not a state of GB in this org\'s state picklist (BillingStateCode)',
    });
    expect(resolveStateCode('New York', 'US', states, countries)).toEqual({
      ok: false,
      message: 'state "New York" matches several codes of US in BillingStateCode: NY, NYC',
    });
    expect(resolveStateCode('CA', undefined, states, countries)).toEqual({
      ok: false,
      message: 'state "CA" needs a country to find its code in BillingStateCode',
    });
  });
});

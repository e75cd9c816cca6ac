import { describe, expect, it } from 'vitest';
import {
  parseGeolocation,
  readCoordinatePair,
  roundDecimal,
} from '../../functions/shared/mapping/compound/geolocation.ts';

const SCALE_7 = { latitude: 7, longitude: 7 };

describe('parseGeolocation', () => {
  it.each([
    ['51.5072,-0.1276', '51.5072', '-0.1276'],
    ['51.5072, -0.1276', '51.5072', '-0.1276'],
    ['51.5072 -0.1276', '51.5072', '-0.1276'],
    ['51.5072;-0.1276', '51.5072', '-0.1276'],
    ['(51.5072, -0.1276)', '51.5072', '-0.1276'],
    ['[ 51.5072 ; -0.1276 ]', '51.5072', '-0.1276'],
    ['+90,180', '90', '180'],
    ['-90,-180', '-90', '-180'],
    ['0.000000049, 0.00000005', '0', '0.0000001'],
    ['12.34567891, 1.00000000', '12.3456789', '1'],
  ])('reads %j as latitude %s and longitude %s', (text, latitude, longitude) => {
    expect(parseGeolocation(text, SCALE_7)).toEqual({ ok: true, latitude, longitude });
  });

  it.each([
    ['51,5072; -0,1276', '51.5072', '-0.1276'],
    ['51,5072 -0,1276', '51.5072', '-0.1276'],
    ['(51 ; 0,5)', '51', '0.5'],
  ])('reads %j with a declared decimal comma', (text, latitude, longitude) => {
    expect(parseGeolocation(text, SCALE_7, { decimalComma: true })).toEqual({
      ok: true,
      latitude,
      longitude,
    });
  });

  it('leaves both components blank for a blank value', () => {
    expect(parseGeolocation('  ', SCALE_7)).toEqual({ ok: true, blank: true });
  });

  it.each([
    ['90.0001,0', 'latitude 90.0001 is outside −90..90'],
    ['-91,0', 'latitude -91 is outside −90..90'],
    ['0,180.5', 'longitude 180.5 is outside −180..180'],
    ['0,-181', 'longitude -181 is outside −180..180'],
  ])('rejects %j as out of range', (text, message) => {
    expect(parseGeolocation(text, SCALE_7)).toMatchObject({ ok: false, rule: 'geo.range', message });
  });

  it.each([
    ['51.5', '"51.5" is not "latitude,longitude" (separated by ",", ";" or spaces)'],
    ['1,2,3', '"1,2,3" is not "latitude,longitude" (separated by ",", ";" or spaces)'],
    ['51.5N, 0.12W', 'latitude "51.5N" is not a decimal number'],
    ['1e2, 3', 'latitude "1e2" is not a decimal number'],
    ['51.5,', '"51.5," is not "latitude,longitude" (separated by ",", ";" or spaces)'],
    ['(51.5, -0.1', 'latitude "(51.5" is not a decimal number'],
  ])('rejects %j as unparsed', (text, message) => {
    expect(parseGeolocation(text, SCALE_7)).toMatchObject({ ok: false, rule: 'geo.unparsed', message });
  });

  it('rejects a dot decimal when a decimal comma is declared, and a comma separator with it', () => {
    expect(parseGeolocation('51.5; 0.1', SCALE_7, { decimalComma: true })).toMatchObject({
      ok: false,
      rule: 'geo.unparsed',
      message: 'latitude "51.5" is not a decimal number with a decimal comma',
    });
    expect(parseGeolocation('51,5, 0,1', SCALE_7, { decimalComma: true })).toMatchObject({
      ok: false,
      rule: 'geo.unparsed',
    });
  });
});

describe('readCoordinatePair', () => {
  it('reads two columns', () => {
    expect(readCoordinatePair(' 53.8 ', '-1.55', SCALE_7)).toEqual({
      ok: true,
      latitude: '53.8',
      longitude: '-1.55',
    });
  });

  it('rejects a latitude without a longitude', () => {
    expect(readCoordinatePair('53.8', '', SCALE_7)).toEqual({
      ok: false,
      rule: 'geo.unparsed',
      message: 'longitude is blank but latitude is not; give both or neither',
      axis: 'longitude',
    });
  });
});

describe('roundDecimal', () => {
  it.each([
    ['1.005', 2, '1.01'],
    ['-1.005', 2, '-1.01'],
    ['9.99', 1, '10'],
    ['-0.0000001', 3, '0'],
    ['0.5', 0, '1'],
    ['007.250', 15, '7.25'],
    ['12', 3, '12'],
  ])('rounds %s to %i places as %s', (decimal, scale, expected) => {
    expect(roundDecimal(decimal, scale)).toBe(expected);
  });
});

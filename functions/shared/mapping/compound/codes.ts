/**
 * State and country picklist codes. With the org's state and country picklists enabled, Polyload writes
 * `<Prefix>CountryCode` and `<Prefix>StateCode` and leaves the text fields alone, so the two can never
 * contradict each other. A value becomes a code, compared without case, accents or dots, by:
 * 1. an active picklist value (`gb`, `CA`);
 * 2. an active picklist label (`United Kingdom`, `california`) when describe carries labels;
 * 3. Polyload's own names and aliases (`UK`, `England`, `USA`; US, Canadian and Australian state and
 *    province names) when the code they give is an active picklist value.
 * States are looked up among the states of the row's country (describe's validFor bitmaps, when
 * present). A value none of these resolve, or one that resolves to two codes, rejects the row.
 */
import type { ComponentField, PicklistEntry } from './components.ts';
import { countryCodeByName, foldName, hasSubdivisions, subdivisionCode } from './reference-data.ts';

export type CodeResult = { ok: true; code: string } | { ok: false; message: string };

export function resolveCountryCode(text: string, countryField: ComponentField): CodeResult {
  const active = countryField.picklist.filter((e) => e.active);
  const byValue = active.find((e) => e.value.toLowerCase() === text.trim().toLowerCase());
  if (byValue) return { ok: true, code: byValue.value };
  const folded = foldName(text);
  const byLabel = active.find((e) => e.label !== undefined && foldName(e.label) === folded);
  if (byLabel) return { ok: true, code: byLabel.value };
  const known = countryCodeByName(text);
  const byName = known === undefined ? undefined : active.find((e) => e.value.toUpperCase() === known);
  if (byName) return { ok: true, code: byName.value };
  return {
    ok: false,
    message: `country "${text.trim()}" is not in this org's country picklist (${countryField.name})`,
  };
}

/** Whether bit `index` is set in a describe validFor bitmap (base64, most significant bit first). */
export function validForIncludes(validFor: string, index: number): boolean {
  const bytes = Buffer.from(validFor, 'base64');
  const byte = bytes[index >> 3];
  return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
}

export function resolveStateCode(
  text: string,
  countryCode: string | undefined,
  stateField: ComponentField,
  countryField: ComponentField | undefined,
): CodeResult {
  const written = text.trim();
  if (countryCode === undefined) {
    return {
      ok: false,
      message: `state "${written}" needs a country to find its code in ${stateField.name}`,
    };
  }
  const countries = countryField?.picklist ?? [];
  const countryIndex = countries.findIndex((e) => e.value.toUpperCase() === countryCode.toUpperCase());
  const inCountry = (e: PicklistEntry) =>
    e.validFor === undefined || countryIndex === -1 || validForIncludes(e.validFor, countryIndex);
  const states = stateField.picklist.filter((e) => e.active && inCountry(e));
  const folded = foldName(written);
  const matches = new Set(
    states
      .filter(
        (e) => e.value.toLowerCase() === written.toLowerCase() || (e.label && foldName(e.label) === folded),
      )
      .map((e) => e.value),
  );
  const upper = countryCode.toUpperCase();
  if (matches.size === 0 && hasSubdivisions(upper)) {
    const known = subdivisionCode(upper, written);
    const entry = known === undefined ? undefined : states.find((e) => e.value.toUpperCase() === known);
    if (entry) matches.add(entry.value);
  }
  const [code, ...others] = [...matches];
  if (code !== undefined && others.length === 0) return { ok: true, code };
  return {
    ok: false,
    message:
      code === undefined
        ? `state "${written}" is not a state of ${upper} in this org's state picklist (${stateField.name})`
        : `state "${written}" matches several codes of ${upper} in ${stateField.name}: ${[...matches].join(', ')}`,
  };
}

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

/** A picklist's active entries by lower-cased value and by folded label, built once per field. */
interface PicklistIndex {
  active: PicklistEntry[];
  byValue: Map<string, PicklistEntry[]>;
  byLabel: Map<string, PicklistEntry[]>;
}

const indexes = new WeakMap<ComponentField, PicklistIndex>();

function indexOf(field: ComponentField): PicklistIndex {
  let index = indexes.get(field);
  if (!index) {
    const active = field.picklist.filter((e) => e.active);
    const byValue = new Map<string, PicklistEntry[]>();
    const byLabel = new Map<string, PicklistEntry[]>();
    const add = (map: Map<string, PicklistEntry[]>, key: string, entry: PicklistEntry) =>
      map.set(key, [...(map.get(key) ?? []), entry]);
    for (const entry of active) {
      add(byValue, entry.value.toLowerCase(), entry);
      if (entry.label !== undefined) add(byLabel, foldName(entry.label), entry);
    }
    index = { active, byValue, byLabel };
    indexes.set(field, index);
  }
  return index;
}

export function resolveCountryCode(text: string, countryField: ComponentField): CodeResult {
  const index = indexOf(countryField);
  const byValue = index.byValue.get(text.trim().toLowerCase())?.[0];
  if (byValue) return { ok: true, code: byValue.value };
  const byLabel = index.byLabel.get(foldName(text))?.[0];
  if (byLabel) return { ok: true, code: byLabel.value };
  const known = countryCodeByName(text);
  const byName = known === undefined ? undefined : index.byValue.get(known.toLowerCase())?.[0];
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
  const upper = countryCode.toUpperCase();
  const countryIndex = (countryField?.picklist ?? []).findIndex((e) => e.value.toUpperCase() === upper);
  const inCountry = (e: PicklistEntry) =>
    e.validFor === undefined || countryIndex === -1 || validForIncludes(e.validFor, countryIndex);
  const index = indexOf(stateField);
  const candidates = [
    ...(index.byValue.get(written.toLowerCase()) ?? []),
    ...(index.byLabel.get(foldName(written)) ?? []),
  ].filter(inCountry);
  const matches = new Set(candidates.map((e) => e.value));
  if (matches.size === 0 && hasSubdivisions(upper)) {
    const known = subdivisionCode(upper, written);
    const entry =
      known === undefined ? undefined : index.byValue.get(known.toLowerCase())?.find((e) => inCountry(e));
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

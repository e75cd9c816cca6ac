/**
 * Compound fields for the mapping language: addresses, person names and geolocations written as their
 * component fields. `readCompoundSpec` checks a rule from YAML, `compileCompound` fits it to the org's
 * describe, and the compiled rule maps each row. The parsers are exported for docs and tests.
 */
export {
  addressFromColumns,
  joinStreet,
  parseAddressJson,
  parseAddressText,
} from './address.ts';
export { resolveCountryCode, resolveStateCode } from './codes.ts';
export {
  type CompiledCompound,
  type CompileOptions,
  type CompoundReject,
  type CompoundRow,
  type CompoundRule,
  compileCompound,
} from './compile.ts';
export {
  type CompoundComponents,
  type CompoundKind,
  codePicklistsEnabled,
  compoundError,
  findCompound,
} from './components.ts';
export { parseGeolocation, readCoordinatePair, roundDecimal } from './geolocation.ts';
export { type NameFormat, nameFormatOf, type PersonName, parsePersonName } from './person-name.ts';
export { type CompoundSpec, readCompoundSpec, type SpecProblem } from './spec.ts';

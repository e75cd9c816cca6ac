/**
 * Value rules: one source string in, the exact Bulk API 2.0 CSV cell out, or a reject `{ rule, message }`.
 * Pure functions, compiled once per field (`compileValueRule`) so a row costs a few string operations.
 *
 * Order for one cell: trim → case → valueMap → default (when blank) → type coercion (by the field's
 * describe type) → allowedValues → picklist → maxLength → pattern → blank semantics.
 *
 * Field keys (`ValueRuleSpec`; YAML keys of a field's mapping, 1:1):
 * - `trim`: both (default) | start | end | none. Whitespace-only is blank whatever the mode.
 * - `case`: upper | lower | title | none (default). Title: `mary-ann o'brien` → `Mary-Ann O'Brien`.
 * - `valueMap`: `{ M: Male, F: Female }`, or `{ values: {...}, ignoreCase: true (default) | false,
 *   otherwise: keep (default) | reject | <a value> }`. A value may map to '' (then blank rules apply)
 *   or to `#N/A` (clears). For a multi-select picklist it maps each selected value.
 * - `default`: loaded when the value is blank, written like a source value (same format, same map-free
 *   coercion and checks); a default that would itself be rejected is a mapping error.
 * - `required`: true → a blank value (after default) or `#N/A` is rejected (`required`).
 * - `blank`: keep (empty cell: Bulk leaves the field unchanged on update, null on insert) | clear
 *   (`#N/A`, sets null). Default from `defaults.blank`, else keep. `blank: clear` on a field that cannot
 *   be null is a mapping error; a mapping-wide clear skips such fields. A source cell `#N/A` always clears.
 * - `type`: coerce as another describe type; only on text fields (e.g. `type: date` on a Text field).
 * - `maxLength`: at most N characters (default: describe `length` for text-like fields; email 80).
 * - `pattern`: a JavaScript regular expression (u flag) the whole loaded value must match.
 * - `allowedValues`: list; matched ignoring case, loaded in the list's spelling.
 * - `restrictedPicklist`: true → the value must be an active picklist value of the org (default: the
 *   field's describe `restrictedPicklist`). Picklist values matching an active value ignoring case are
 *   always loaded in the org's spelling.
 * - `separator`: multi-select picklist source separator (default `;`); loaded joined with `;`.
 * - `format`: date/datetime/time source format, or a list tried in order: patterns (`dd/MM/yyyy`,
 *   `yyyy-MM-dd HH:mm[:ss]`, `dd-MMM-yyyy`), `iso`, `epochSeconds`, `epochMillis` (see dates.ts).
 *   Defaults: date `yyyy-MM-dd`, datetime `iso`, time `H:mm[:ss[.SSS]]['Z']`. A date field takes the
 *   calendar date as written (time and offset in the format are read and ignored; epochs use timeZone).
 * - `timeZone`: IANA zone of datetimes without an offset (default `defaults.timeZone`, else UTC).
 * - `ambiguousTime`: earlier (default) | later | reject (`timeZoneOverlap`) for a local time that
 *   happens twice when clocks go back.
 * - `nonexistentTime`: reject (default, `timeZoneGap`) | shiftForward (moved on by the gap, 01:30 → 02:30)
 *   for a local time skipped when clocks go forward.
 * - `decimal`: . (default) | ,     `grouping`: none (default) | , | . | " " (also no-break spaces) | '
 * - `decimals`: round (default) | reject (`numberScale`) | keep — more decimals than describe's scale.
 *   Salesforce stores API values unrounded and displays them rounded; rounding here keeps both equal.
 * - `rounding`: halfUp (default; ties away from zero) | halfEven.
 * - `percentInput`: number (default: 12.5 means 12.5%) | fraction (0.125 means 12.5%). A `%` sign always
 *   means the number is the percentage. Salesforce percent fields take the percentage (Opportunity
 *   Probability 10 = 10%).
 * - `booleans`: `{ true: [...], false: [...] }` spellings, ignoring case. Default true/yes/y/1/t/on and
 *   false/no/n/0/f/off.
 * - `normalize`: none (default; phone kept as written, letters rejected) | e164 (`+442079460958`).
 * - `defaultCountryCode`: for e164 of national numbers (`44`, `+1`).
 *
 * Mapping-wide keys (`GlobalValueDefaults`): trim, blank, dateFormat, datetimeFormat, timeFormat,
 * timeZone, ambiguousTime, nonexistentTime, decimal, grouping, decimals, rounding, booleans,
 * defaultCountryCode — the field's own key wins.
 *
 * Reject rules: required, valueMap, maxLength, pattern, allowedValues, restrictedPicklist, type.date,
 * type.datetime, type.time, type.number, type.boolean, type.email, type.phone, type.url, type.id,
 * numberRange (too many integer digits; Salesforce's NUMBER_OUTSIDE_VALID_RANGE), numberScale, idPrefix,
 * timeZoneGap, timeZoneOverlap. Messages start with the field name and never quote the value (an
 * Id's 3-character key prefix aside: `idPrefix` names the Id's object from `context.keyPrefixes`, or,
 * when `context.everyKeyPrefix` says that map is the whole org's, says the prefix is no object's).
 */
export { DEFAULT_BOOLEANS } from './booleans.ts';
export { BULK_NULL, compileValueRule, SUPPORTED_TYPES } from './compile.ts';
export { EMAIL_MAX_LENGTH, emailProblem, readPhone, urlProblem } from './contact.ts';
export {
  calendarProblem,
  compileDateFormat,
  formatBulkDate,
  formatBulkDatetime,
  formatBulkTime,
  type ParsedDateTime,
  type SourceDateFormat,
  ZoneRules,
} from './dates.ts';
export {
  idChecksum,
  idProblem,
  isValidSalesforceId,
  keyPrefixMap,
  keyPrefixOf,
  objectOfId,
  toId18,
} from './ids.ts';
export { type DecimalDigits, formatDecimal, numberReader, roundDigits } from './numbers.ts';
export {
  DEFAULT_RULE_KEYS,
  readValueDefaults,
  readValueRules,
  VALUE_RULE_KEYS,
} from './read-spec.ts';
export * from './spec.ts';
export {
  caser,
  columnFinder,
  compileJoin,
  compileTemplate,
  type ParsedTemplate,
  parseTemplate,
  titleCase,
  trimmer,
} from './text.ts';

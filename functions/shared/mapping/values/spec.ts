/**
 * The shapes of the value-rules library: what a field's rules say (`ValueRuleSpec`, the YAML keys 1:1),
 * what the mapping says for every field (`GlobalValueDefaults`), the describe attributes the rules read
 * (`ValueField`), and what a compiled rule returns for one cell.
 */

export type TrimMode = 'both' | 'start' | 'end' | 'none';
export type CaseMode = 'upper' | 'lower' | 'title' | 'none';
export type BlankMode = 'keep' | 'clear';
export type DecimalSeparator = '.' | ',';
export type GroupingSeparator = ',' | '.' | ' ' | "'" | 'none';
/** What to do with more decimals than the field's scale. Salesforce stores API values unrounded. */
export type ExtraDecimals = 'round' | 'reject' | 'keep';
/** Java's RoundingMode names: halfUp rounds ties away from zero, halfEven to the even neighbour. */
export type RoundingMode = 'halfUp' | 'halfEven';
/** In a percent field, how a source number without `%` is read: as the percentage or as a fraction. */
export type PercentInput = 'number' | 'fraction';
/** A local time that occurs twice (clocks go back): which instant it means. */
export type AmbiguousTime = 'earlier' | 'later' | 'reject';
/** A local time that never occurs (clocks go forward): rejected, or moved forward by the gap. */
export type NonexistentTime = 'reject' | 'shiftForward';
export type PhoneNormalize = 'none' | 'e164';

/** A value map: source value → loaded value, for values written differently in the source system. */
export interface ValueMapSpec {
  values: Record<string, string>;
  /** Match source values ignoring case (default true). */
  ignoreCase?: boolean;
  /** A value not in the map: kept as it is (default), rejected, or replaced by a fixed value. */
  otherwise?: 'keep' | 'reject' | { value: string };
}

export interface BooleanSpellings {
  true: string[];
  false: string[];
}

/** A field's value rules. Every key is optional; see index.ts for the meaning of each. */
export interface ValueRuleSpec {
  type?: string;
  trim?: TrimMode;
  case?: CaseMode;
  valueMap?: ValueMapSpec;
  default?: string;
  required?: boolean;
  blank?: BlankMode;
  maxLength?: number;
  pattern?: string;
  allowedValues?: string[];
  restrictedPicklist?: boolean;
  separator?: string;
  format?: string | string[];
  timeZone?: string;
  ambiguousTime?: AmbiguousTime;
  nonexistentTime?: NonexistentTime;
  decimal?: DecimalSeparator;
  grouping?: GroupingSeparator;
  decimals?: ExtraDecimals;
  rounding?: RoundingMode;
  percentInput?: PercentInput;
  booleans?: BooleanSpellings;
  normalize?: PhoneNormalize;
  defaultCountryCode?: string;
}

/** Settings that apply to every field unless the field's own rules say otherwise. */
export interface GlobalValueDefaults {
  trim?: TrimMode;
  blank?: BlankMode;
  dateFormat?: string | string[];
  datetimeFormat?: string | string[];
  timeFormat?: string | string[];
  timeZone?: string;
  ambiguousTime?: AmbiguousTime;
  nonexistentTime?: NonexistentTime;
  decimal?: DecimalSeparator;
  grouping?: GroupingSeparator;
  decimals?: ExtraDecimals;
  rounding?: RoundingMode;
  booleans?: BooleanSpellings;
  defaultCountryCode?: string;
}

/**
 * The describe attributes value rules read. `DescribeField` (salesforce-port.ts) fits it; `precision`,
 * `scale` and `digits` come from the describe when the adapter passes them through.
 */
export interface ValueField {
  name: string;
  type: string;
  length?: number;
  /** Total digits of a double/currency/percent field; 0 or absent when unknown. */
  precision?: number;
  /** Digits after the point of a double/currency/percent field. */
  scale?: number;
  /** Maximum digits of an int field. */
  digits?: number;
  nillable?: boolean;
  picklistValues?: readonly { value: string; active: boolean }[];
  restrictedPicklist?: boolean;
  referenceTo?: readonly string[];
}

/** What else a rule may need to know about the org and the load. */
export interface ValueContext {
  /** Key prefix (`003`) → object name (`Contact`), from the org's describe, to check raw Ids. */
  keyPrefixes?: ReadonlyMap<string, string>;
  /** `keyPrefixes` holds every object of the org (the global describe): a prefix it lacks is no object's. */
  everyKeyPrefix?: boolean;
  /** The object being loaded, to check the key prefix of an `id` field (the record's own Id). */
  object?: string;
}

/** Rule ids in rejects. Stable: users filter rejected.csv on them. */
export type ValueRuleId =
  | 'required'
  | 'valueMap'
  | 'maxLength'
  | 'pattern'
  | 'allowedValues'
  | 'restrictedPicklist'
  | 'type.date'
  | 'type.datetime'
  | 'type.time'
  | 'type.number'
  | 'type.boolean'
  | 'type.email'
  | 'type.phone'
  | 'type.url'
  | 'type.id'
  | 'numberRange'
  | 'numberScale'
  | 'idPrefix'
  | 'timeZoneGap'
  | 'timeZoneOverlap';

export type ValueResult = { ok: true; value: string } | { ok: false; rule: ValueRuleId; message: string };

/** A field's compiled rules: one source string in, the Bulk CSV cell or a reject out. */
export type ValueRule = (raw: string) => ValueResult;

/** A problem with a spec, named by the key at fault so the mapping can point at its line. */
export interface ValueSpecProblem {
  key: string;
  message: string;
}

/** A spec that cannot be compiled. `problems` lists all of them, each with its key. */
export class ValueSpecError extends Error {
  override name = 'ValueSpecError' as const;
  readonly problems: ValueSpecProblem[];

  constructor(problems: ValueSpecProblem[]) {
    super(problems.map((p) => `${p.key}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}

/** A cell rejected, as the pipeline writes it: the message never quotes the value itself. */
export function reject(rule: ValueRuleId, message: string): ValueResult {
  return { ok: false, rule, message };
}

export function accept(value: string): ValueResult {
  return { ok: true, value };
}

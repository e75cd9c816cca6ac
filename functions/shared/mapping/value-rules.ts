/**
 * Between the mapping and the values library: checks that a field's declared source type fits the
 * Salesforce field (a `date` rule onto a text field, a `boolean` onto a date field are mapping errors),
 * hands the field's rules and the mapping's defaults to `compileValueRule`, and turns the library's
 * keyed problems into messages at the key's line in the mapping.
 */
import type { DescribeField } from '../salesforce-port.ts';
import { positionOfKey } from './parse-mapping.ts';
import type { Problems } from './plan-mapping.ts';
import type { BlankPolicy, MappingDefaults, Position, Setting } from './types.ts';
import {
  compileValueRule,
  type GlobalValueDefaults,
  readValueDefaults,
  readValueRules,
  type ValueContext,
  type ValueField,
  type ValueRule,
  ValueSpecError,
} from './values/index.ts';

/** One source string in (untrimmed, possibly blank), the Bulk CSV cell or a reject out. */
export type ValueConverter = ValueRule;

/** Describe types whose values are text; a declared type among these only adds checks. */
const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'encryptedstring',
  'combobox',
  'picklist',
  'multipicklist',
]);
const TEXT_CHECKS = new Set(['string', 'textarea', 'email', 'phone', 'url']);

export interface FieldValueInput {
  rules: Record<string, Setting>;
  required: boolean;
  /**
   * The field's own `blank`; undefined takes `defaults.blank`, which the library skips on fields that
   * cannot be null (a field's own `clear` there is a mapping error, the mapping-wide one is not).
   */
  blank?: BlankPolicy;
}

/** A compiled rule that is never used: its field had problems and the plan will not be returned. */
const UNUSABLE: ValueConverter = () => ({ ok: false, rule: 'required', message: 'unusable rule' });

/**
 * Checks a field's value rules against its describe and compiles them. Problems are recorded in
 * `problems` at the key's line; the converter returned then is never used.
 */
export function compileValueRules(
  field: DescribeField,
  input: FieldValueInput,
  defaults: MappingDefaults,
  problems: Problems,
  at: Position,
  options: { asType?: string; context?: ValueContext; referenceTo?: string[] } = {},
): ValueConverter {
  const declared = input.rules.type?.value;
  if (
    typeof declared === 'string' &&
    declared !== field.type &&
    TEXT_TYPES.has(field.type) &&
    !TEXT_CHECKS.has(declared)
  ) {
    problems.add(
      input.rules.type?.at ?? at,
      `${field.name} is a ${field.type} field; ${declared} values cannot load into it (declare a type only to check text, as email, phone or url)`,
    );
    return UNUSABLE;
  }
  const raw = Object.fromEntries(Object.entries(input.rules).map(([key, s]) => [key, s.value]));
  const { spec } = readValueRules(raw);
  spec.required = input.required;
  if (input.blank !== undefined) spec.blank = input.blank;
  const target: ValueField = {
    ...field,
    ...(options.asType !== undefined ? { type: options.asType } : {}),
    ...(options.referenceTo !== undefined ? { referenceTo: options.referenceTo } : {}),
  };
  try {
    return compileValueRule(spec, target, globalDefaults(defaults), options.context ?? {});
  } catch (error) {
    if (!(error instanceof ValueSpecError)) throw error;
    for (const problem of error.problems) {
      const where = Object.hasOwn(input.rules, problem.key.split(/[. ]/)[0] ?? '')
        ? positionOfKey(input.rules, problem.key)
        : at;
      problems.add(where, prefixed(field.name, problem.message));
    }
    return UNUSABLE;
  }
}

/** Messages of the library start with the field name, or name the key; give every one its field. */
function prefixed(field: string, message: string): string {
  return message.startsWith(field) ? message : `${field}: ${message}`;
}

const defaultsCache = new WeakMap<MappingDefaults, GlobalValueDefaults>();

function globalDefaults(defaults: MappingDefaults): GlobalValueDefaults {
  let spec = defaultsCache.get(defaults);
  if (!spec) {
    const raw = Object.fromEntries(Object.entries(defaults.rules).map(([key, s]) => [key, s.value]));
    spec = { ...readValueDefaults(raw).spec, blank: defaults.blank };
    defaultsCache.set(defaults, spec);
  }
  return spec;
}

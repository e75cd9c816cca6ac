/**
 * A pipeline's mapping: how the columns of its CSV files become the fields of one Salesforce object.
 * `parseMapping` reads it from YAML (positions kept for error messages), `planMapping` checks it against
 * the org's describe, `bindHeader` + `mapRow` apply it to rows.
 */
import type { Operation } from '../contracts.ts';

/** A place in the mapping file, 1-based, for messages like `care-tasks.yaml:12:5: ...`. */
export interface Position {
  line: number;
  col: number;
}

/** How many rejected rows a run tolerates before it stops without loading anything. */
export type RejectThreshold = { kind: 'ratio'; value: number } | { kind: 'count'; value: number };

/** What an empty source value becomes: left empty (Bulk: unchanged on update) or `#N/A` (cleared). */
export type BlankPolicy = 'keep' | 'clear';

/** A key as written in the mapping, with its value as plain data and its place. */
export interface Setting<T = unknown> {
  value: T;
  at: Position;
  /** For a map value: where each of its keys is. */
  inner?: Map<string, Position>;
}

/** Where a field's value comes from, before its value rules apply. */
export type ValueSource =
  /** `Subject: subject` or `{ column: subject }`. */
  | { kind: 'column'; column: string }
  /** `{ constant: Completed }`: the same value on every row. */
  | { kind: 'constant'; value: string }
  /** `{ template: "{first} {last}" }`: columns interpolated into text. */
  | { kind: 'template'; template: string; columns: string[] }
  /** `{ join: [line1, line2], separator: ", " }`: non-blank columns joined. */
  | { kind: 'join'; columns: string[]; separator: string }
  /** A reference whose value columns are given per target (`lookup: { Contact: { column: ... } }`). */
  | { kind: 'perTarget' }
  /** A component of a compound input (`address:`, `name:`, `geolocation:`), which reads its own columns. */
  | { kind: 'compound' };

/** One parent object a lookup may point to, and the field of that parent its values match. */
export interface LookupTarget {
  object: string;
  /** The target object's external id or idLookup field the values match. */
  matchField: string;
  /** The column holding this target's values, when it differs from the field's `column`. */
  column?: string;
  at: Position;
}

/**
 * How a reference field (a lookup) is loaded: by the parent's external id or idLookup field
 * (`lookup`), by raw Salesforce Ids (`id`), or both. With several possible targets, each row's target
 * comes from `typeColumn` (through `typeValues`), from the key prefix of a raw Id, or from which
 * target's column is filled.
 */
export interface ReferenceSpec {
  targets: LookupTarget[];
  /** Raw Ids accepted: for every object the field points to (`'all'`) or the listed ones. */
  ids?: { objects: string[] | 'all'; column?: string; at: Position };
  typeColumn?: string;
  /** Lower-cased alias → object name, or `Id` for "a raw Id: its key prefix says the type". */
  typeValues?: Map<string, string>;
  /** The target of rows whose type cell is blank; with it, the type column may be absent from a file. */
  defaultType?: string;
}

/** A compound input (address, person name, geolocation) that fills several component fields. */
export interface CompoundSource {
  kind: 'address' | 'name' | 'geolocation';
  /** The spec as written under the key, handed to the compound library. */
  spec: Setting<unknown>;
}

export interface FieldMapping {
  /** Salesforce field API name as written in the mapping (planMapping resolves its real spelling). */
  field: string;
  at: Position;
  source: ValueSource;
  required: boolean;
  /** Undefined: the mapping's `defaults.blank`. */
  blank?: BlankPolicy;
  /** Value rules by key (`type`, `format`, `valueMap`, `maxLength`...), for the values library. */
  rules: Record<string, Setting>;
  reference?: ReferenceSpec;
  compound?: CompoundSource;
  /** Where each key of the field's mapping is. */
  keys: Record<string, Position>;
}

/** Settings that apply to every field unless the field says otherwise. */
export interface MappingDefaults {
  blank: BlankPolicy;
  /** Value settings by key (`trim`, `dateFormat`, `timeZone`, `decimal`, `grouping`, `booleans`). */
  rules: Record<string, Setting>;
}

export interface SourceFormat {
  /** Fixed delimiter, or sniffed from the file when absent. */
  delimiter?: string;
  encoding: 'utf-8';
  header: true;
}

export interface Mapping {
  /** File name used in messages. */
  file: string;
  object: string;
  operation: Operation;
  externalId?: string;
  source: SourceFormat;
  rejectThreshold?: RejectThreshold;
  defaults: MappingDefaults;
  fields: FieldMapping[];
  /** Where each top-level key is, for messages about the mapping as a whole. */
  at: { object: Position; operation: Position; externalId?: Position; fields: Position };
}

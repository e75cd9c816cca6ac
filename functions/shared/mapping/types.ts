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

interface FieldMappingBase {
  /** Salesforce field API name as written in the mapping (planMapping resolves its real spelling). */
  field: string;
  required: boolean;
  blank: BlankPolicy;
  at: Position;
}

/** `Subject: subject` or `Subject: { column: subject }`. */
export interface ColumnFieldMapping extends FieldMappingBase {
  kind: 'column';
  column: string;
}

/** `Status: { constant: Completed }`: the same value on every row. */
export interface ConstantFieldMapping extends FieldMappingBase {
  kind: 'constant';
  value: string;
}

export interface LookupTarget {
  object: string;
  /** The target object's external id (or idLookup) field the column's values match. */
  matchField: string;
  at: Position;
}

/**
 * A lookup by the parent's external id: `{ column, lookup: { Account: External_Id__c } }`; with
 * several targets (a polymorphic field) the target type of each row comes from `typeColumn`, whose
 * values are object names or, through `typeValues`, aliases of them (both case-insensitive).
 */
export interface LookupFieldMapping extends FieldMappingBase {
  kind: 'lookup';
  column: string;
  targets: LookupTarget[];
  typeColumn?: string;
  /** Lower-cased alias → object name as written in `lookup`. */
  typeValues?: Map<string, string>;
}

export type FieldMapping = ColumnFieldMapping | ConstantFieldMapping | LookupFieldMapping;

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
  fields: FieldMapping[];
  /** Where each top-level key is, for messages about the mapping as a whole. */
  at: { object: Position; operation: Position; externalId?: Position; fields: Position };
}

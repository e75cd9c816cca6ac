/**
 * Compound inputs (address, person name, geolocation): which component fields one mapping entry fills
 * and how a row's cells become their values. The parsing rules are the compound library's.
 */
import type { DescribeField, SObjectDescribe } from '../salesforce-port.ts';
import type { Problems } from './plan-mapping.ts';
import type { FieldMapping, Mapping } from './types.ts';

export type CompoundParse =
  | { ok: true; values: Record<string, string> }
  | { ok: false; reject: { column: string; value: string; rule: string; message: string } };

export interface PlannedCompound {
  kind: 'address' | 'name' | 'geolocation';
  /** For messages: `MailingAddress (address)`. */
  label: string;
  /** The source columns it reads, in the order `parse` receives their cells. */
  columns: string[];
  /** Component field name → value. */
  parse(cells: readonly string[]): CompoundParse;
}

export function planCompound(
  mapping: FieldMapping,
  _sobject: SObjectDescribe,
  _whole: Mapping,
  problems: Problems,
): { plan: PlannedCompound; fields: { name: string; describe: DescribeField }[] } | undefined {
  problems.add(mapping.at, `${mapping.field}: ${mapping.compound?.kind} inputs are not available yet`);
  return undefined;
}

/**
 * Compound inputs (address, person name, geolocation): which component fields one mapping entry fills
 * and how a row's cells become their values. The rules are the compound library's; this module points
 * its problems at the mapping's lines and binds it to the plan.
 */
import type { Operation } from '../contracts.ts';
import { MappingError } from '../errors.ts';
import type { DescribeField, SObjectDescribe } from '../salesforce-port.ts';
import { compileCompound, readCompoundSpec } from './compound/index.ts';
import type { Problems } from './plan-mapping.ts';
import type { FieldMapping, Position } from './types.ts';

export interface CompoundReject {
  column: string;
  value: string;
  rule: string;
  message: string;
}

export type CompoundParse = { ok: true; values: string[] } | { ok: false; rejects: CompoundReject[] };

export interface PlannedCompound {
  kind: 'address' | 'name' | 'geolocation';
  /** For messages: `MailingAddress (address)`. */
  label: string;
  /** The source columns it reads, in the order `parse` receives their cells. */
  columns: string[];
  /** The component fields it writes, in the order of `parse`'s values. */
  outputs: string[];
  parse(cells: readonly string[]): CompoundParse;
}

/**
 * Checks a compound entry (`MailingAddress: { address: { text: addr } }`) against the object and
 * compiles it; undefined (with problems recorded) when it cannot load.
 */
export function planCompound(
  mapping: FieldMapping,
  sobject: SObjectDescribe,
  operation: Operation,
  problems: Problems,
): { plan: PlannedCompound; fields: DescribeField[] } | undefined {
  const compound = mapping.compound;
  if (!compound) return undefined;
  const read = readCompoundSpec({ [compound.kind]: compound.spec.value });
  if (!read.ok) {
    for (const problem of read.problems) {
      const key = problem.path[1];
      const at: Position =
        (typeof key === 'string' ? compound.spec.inner?.get(key) : undefined) ?? compound.spec.at;
      problems.add(at, `${mapping.field}: ${problem.message}`);
    }
    return undefined;
  }
  let compiled: ReturnType<typeof compileCompound>;
  try {
    compiled = compileCompound(read.spec, sobject, mapping.field, { operation });
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    for (const line of error.message.split('\n')) {
      problems.add(compound.spec.at, line.startsWith(mapping.field) ? line : `${mapping.field}: ${line}`);
    }
    return undefined;
  }
  const byName = new Map(sobject.fields.map((f) => [f.name, f]));
  const fields = compiled.outputs.map((name) => byName.get(name)).filter((f) => f !== undefined);
  const index = new Map(compiled.columns.map((column, i) => [column, i]));
  return {
    plan: {
      kind: compiled.kind,
      label: `${compiled.compound} (${compiled.kind})`,
      columns: compiled.columns,
      outputs: compiled.outputs,
      parse(cells) {
        const result = compiled.apply((column) => cells[index.get(column) ?? -1] ?? '');
        return result.ok ? result : { ok: false, rejects: result.rejects };
      },
    },
    fields,
  };
}

import { createHash } from 'node:crypto';
import type { Operation } from '../shared/contracts.ts';

/**
 * Joins Salesforce's result rows back to the source lines of a part.
 *
 * Salesforce returns results in no particular order, with only the uploaded columns (no `__line`),
 * and with values normalised (`912260031` comes back as `9.12260031E8`, `TRUE` as `true`). So each
 * part row gets a key computed from values that survive the round trip — the external id for an
 * upsert, the record Id for update/delete, otherwise a canonical hash of every value — and a FIFO of
 * lines per key takes care of rows that share a key. The index holds one small entry per row of the
 * part: memory is bounded by the part's record cap, not the file's size.
 */

export type JoinMode = 'id' | 'externalId' | 'allColumns';

export interface JoinPlan {
  mode: JoinMode;
  /** Part columns (without `__line`) that make the key, in part-column order. */
  partColumns: string[];
  /** Index of each key column within a part row's values (after `__line`). */
  partIndexes: number[];
}

export interface PartShape {
  operation: Operation;
  externalIdFieldName?: string;
  columns: string[];
}

const lower = (s: string) => s.toLowerCase();

/**
 * Which columns make the join key, given the part and the header of a result file. Only columns
 * Salesforce echoed can be used: a column it dropped would make every key miss.
 */
export function planJoin(part: PartShape, resultHeader: string[]): JoinPlan {
  const echoed = new Set(resultHeader.filter((c) => !c.startsWith('sf__')).map(lower));
  const indexOf = (name: string) => part.columns.findIndex((c) => lower(c) === lower(name));
  const single = (mode: JoinMode, name: string): JoinPlan | undefined => {
    const index = indexOf(name);
    if (index < 0 || !echoed.has(lower(name))) return undefined;
    return { mode, partColumns: [part.columns[index] as string], partIndexes: [index] };
  };
  let plan: JoinPlan | undefined;
  if (part.operation === 'upsert' && part.externalIdFieldName) {
    plan =
      lower(part.externalIdFieldName) === 'id'
        ? single('id', 'Id')
        : single('externalId', part.externalIdFieldName);
  } else if (part.operation !== 'insert') {
    plan = single('id', 'Id');
  }
  if (plan) return plan;
  const partIndexes = part.columns
    .map((_, i) => i)
    .filter((i) => echoed.has(lower(part.columns[i] as string)));
  return { mode: 'allColumns', partColumns: partIndexes.map((i) => part.columns[i] as string), partIndexes };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * One value as it would compare after Salesforce's normalisation: numbers by value, booleans and
 * datetimes in one spelling, `#N/A` (explicit null) as empty. Applied to both sides, so a collision
 * (`007` and `7` in a text column) only means two rows share a key, which the FIFO handles.
 */
export function canonicalValue(value: string): string {
  const v = value.trim();
  if (v === '' || v === '#N/A') return '';
  if (NUMBER.test(v)) return String(Number(v));
  const lowered = v.toLowerCase();
  if (lowered === 'true' || lowered === 'false') return lowered;
  if (DATETIME.test(v)) {
    const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return v;
}

/** Record Ids compare on their case-sensitive 15-character form (18-character ids add a checksum). */
export function canonicalId(value: string): string {
  const v = value.trim();
  return v.length === 18 ? v.slice(0, 15) : v;
}

export function joinKey(mode: JoinMode, values: string[]): string {
  if (mode === 'id') return canonicalId(values[0] ?? '');
  if (mode === 'externalId') return canonicalValue(values[0] ?? '');
  // A digest keeps the entry small whatever the row's width; 16 bytes make collisions negligible.
  const hash = createHash('sha256');
  for (const value of values) hash.update(`${canonicalValue(value).length}:${canonicalValue(value)}`);
  return hash.digest('base64').slice(0, 22);
}

/** Source lines by join key; each line can be taken once. */
export class LineIndex {
  private readonly lines = new Map<string, number[]>();
  readonly plan: JoinPlan;
  private readonly resultColumns: string[];

  private constructor(plan: JoinPlan) {
    this.plan = plan;
    this.resultColumns = plan.partColumns.map(lower);
  }

  /**
   * Builds the index from the part's rows (`[__line, ...values]`), skipping lines already taken
   * through another index (a result file with a different header).
   */
  static async build(
    plan: JoinPlan,
    rows: AsyncIterable<string[]>,
    skip?: ReadonlySet<number>,
  ): Promise<LineIndex> {
    const index = new LineIndex(plan);
    for await (const row of rows) {
      const line = Number(row[0]);
      if (skip?.has(line)) continue;
      const key = joinKey(
        plan.mode,
        plan.partIndexes.map((i) => row[i + 1] ?? ''),
      );
      const queue = index.lines.get(key);
      if (queue) queue.push(line);
      else index.lines.set(key, [line]);
    }
    return index;
  }

  /**
   * The source line of a result record (keys are the result header, any case), or undefined when no
   * line is left for its key. For update/delete rows Salesforce may echo the Id only as `sf__Id`.
   */
  take(record: Record<string, string>, taken?: ReadonlySet<number>): number | undefined {
    const byLower = new Map(Object.entries(record).map(([k, v]) => [lower(k), v]));
    let values = this.resultColumns.map((c) => byLower.get(c) ?? '');
    if (this.plan.mode === 'id' && (values[0] ?? '') === '') values = [byLower.get('sf__id') ?? ''];
    const key = joinKey(this.plan.mode, values);
    const queue = this.lines.get(key);
    if (!queue) return undefined;
    // Lines another index (another result header) already took are skipped, never taken twice.
    let line = queue.shift();
    while (line !== undefined && taken?.has(line)) line = queue.shift();
    if (queue.length === 0) this.lines.delete(key);
    return line;
  }
}

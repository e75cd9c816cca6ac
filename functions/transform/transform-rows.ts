/**
 * Transform Rows' core: maps every row with the same function Validate used, skips the rejected ones
 * and streams each loadable row to its group's sink, `__line` first so results can be joined back to
 * the source. Groups are opened on their first row; there are few (one per polymorphic combination).
 */
import type { CsvRow } from '../shared/csv.ts';
import { groupColumns, groupId, mapRecordBatches } from '../shared/mapping/map-row.ts';
import type { MappingPlan } from '../shared/mapping/plan-mapping.ts';

export interface GroupSink {
  /** One staged record: `__line` then the Bulk values in column order. */
  write(fields: readonly string[]): Promise<void>;
  close(): Promise<void>;
  /** Stops the sink after a failure elsewhere; nothing is stored. */
  abort(error: Error): void;
}

export interface TransformedGroup {
  groupId: string;
  /** Bulk CSV header, without `__line`. */
  columns: string[];
  rows: number;
}

export interface TransformResult {
  total: number;
  skipped: number;
  groups: TransformedGroup[];
}

/** The column of staged files that carries each row's source line. */
export const LINE_COLUMN = '__line';

export async function transformRows(input: {
  plan: MappingPlan;
  rows: AsyncIterable<CsvRow>;
  fileLabel: string;
  /** Opens a group's sink; the caller writes its header (`__line` + columns). */
  openGroup: (groupId: string, columns: string[]) => Promise<GroupSink>;
}): Promise<TransformResult> {
  const open = new Map<string, { group: TransformedGroup; sink: GroupSink }>();
  const result: TransformResult = { total: 0, skipped: 0, groups: [] };
  try {
    for await (const batch of mapRecordBatches(input.plan, input.rows, input.fileLabel)) {
      for (const { line, result: mapped } of batch) {
        result.total++;
        if (!mapped.ok) {
          result.skipped++;
          continue;
        }
        let entry = open.get(mapped.group);
        if (!entry) {
          const group = {
            groupId: groupId(input.plan, mapped.group),
            columns: groupColumns(input.plan, mapped.group),
            rows: 0,
          };
          entry = { group, sink: await input.openGroup(group.groupId, group.columns) };
          open.set(mapped.group, entry);
          result.groups.push(group);
        }
        entry.group.rows++;
        await entry.sink.write([String(line), ...mapped.values]);
      }
    }
    for (const { sink } of open.values()) await sink.close();
  } catch (error) {
    for (const { sink } of open.values())
      sink.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  return result;
}

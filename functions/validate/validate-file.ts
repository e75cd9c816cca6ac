/**
 * Validate File's core: one pass over the rows, counting them and handing each reject to a sink,
 * then the mapping's reject threshold. No S3 here; the handler supplies the rows and the sink.
 */
import type { CsvRow } from '../shared/csv.ts';
import { RejectThresholdError } from '../shared/errors.ts';
import { mapRecordBatches, type Reject } from '../shared/mapping/map-row.ts';
import type { MappingPlan } from '../shared/mapping/plan-mapping.ts';
import type { RejectThreshold } from '../shared/mapping/types.ts';

export interface ValidationCounts {
  /** Data rows (header excluded). */
  total: number;
  /** Rows with at least one reject. */
  rejected: number;
}

export async function validateRows(input: {
  plan: MappingPlan;
  rows: AsyncIterable<CsvRow>;
  fileLabel: string;
  onReject: (reject: Reject) => Promise<void>;
}): Promise<ValidationCounts> {
  const counts: ValidationCounts = { total: 0, rejected: 0 };
  for await (const batch of mapRecordBatches(input.plan, input.rows, input.fileLabel)) {
    for (const { result } of batch) {
      counts.total++;
      if (result.ok) continue;
      counts.rejected++;
      for (const reject of result.rejects) await input.onReject(reject);
    }
  }
  return counts;
}

/** Whether the rejects go beyond what the mapping tolerates (no threshold: any number is tolerated). */
export function exceedsThreshold(threshold: RejectThreshold | undefined, counts: ValidationCounts): boolean {
  if (!threshold || counts.rejected === 0) return false;
  return threshold.kind === 'count'
    ? counts.rejected > threshold.value
    : counts.rejected / counts.total > threshold.value;
}

/** @throws RejectThresholdError with the figures, when the rejects exceed the mapping's threshold. */
export function checkRejectThreshold(
  plan: MappingPlan,
  counts: ValidationCounts,
  fileLabel: string,
  rejectedLocation: string,
): void {
  if (!exceedsThreshold(plan.rejectThreshold, counts)) return;
  const threshold = plan.rejectThreshold as RejectThreshold;
  const limit =
    threshold.kind === 'count'
      ? `${threshold.value} row${threshold.value === 1 ? '' : 's'}`
      : percent(threshold.value);
  throw new RejectThresholdError(
    `${fileLabel}: ${counts.rejected} of ${counts.total} rows rejected (${percent(counts.rejected / counts.total)}), ` +
      `more than the rejectThreshold of ${limit} in ${plan.file}; nothing was loaded. Reasons: ${rejectedLocation}`,
  );
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}

import type {
  CaughtError,
  PartRef,
  PartSummary,
  RunInput,
  RunReport,
  ValidationOutput,
} from '../shared/contracts.ts';

/** A part attempt that has no summary: its rows were never accounted for by Collect Results. */
export interface PendingAttempt {
  partId: string;
  attempt: number;
  /** Work-bucket key of the attempt's part file (`__line,<columns>`). */
  key: string;
  part: PartRef;
}

export function resubmitKey(runId: string, partId: string, attempt: number): string {
  return `staging/${runId}/parts/${partId}-a${attempt}.csv`;
}

export function summaryKey(runId: string, partId: string, attempt: number): string {
  return `staging/${runId}/summaries/${partId}-a${attempt}.json`;
}

/**
 * Follows each part's chain of attempts (a0, then a1 when a0 resubmitted rows, ...) and returns the
 * summaries that count plus the first attempt of each part that has none. Every row of a part ends
 * in exactly one counted summary or one pending attempt: resubmitted rows are counted only where
 * they finally landed.
 */
export function followAttempts(
  runId: string,
  parts: PartRef[],
  summaries: PartSummary[],
): { counted: PartSummary[]; pending: PendingAttempt[] } {
  const byAttempt = new Map(summaries.map((s) => [`${s.partId}#${s.attempt}`, s]));
  const counted: PartSummary[] = [];
  const pending: PendingAttempt[] = [];
  for (const part of parts) {
    let attempt = part.attempt;
    for (;;) {
      const summary = byAttempt.get(`${part.partId}#${attempt}`);
      if (!summary) {
        const key = attempt === part.attempt ? part.key : resubmitKey(runId, part.partId, attempt);
        pending.push({ partId: part.partId, attempt, key, part });
        break;
      }
      counted.push(summary);
      if (summary.counts.resubmitted === 0) break;
      attempt++;
    }
  }
  return { counted, pending };
}

export interface ReportFacts {
  run: RunInput;
  validation?: ValidationOutput;
  /** Rows in rejected.csv when Validate failed after writing it (no validation output). */
  rejectedWithoutValidation?: number;
  /** Summaries that count (from followAttempts). */
  summaries: PartSummary[];
  /** Rows written to unprocessed.csv by Report itself (pending attempts, or no parts at all). */
  extraUnprocessed: number;
  failure?: CaughtError;
  files: RunReport['files'];
  apiCalls: number;
  now: Date;
}

/**
 * The run report. FAILED when the execution failed, when any job ended Failed or Aborted, or when
 * the counts do not add up to the rows Validate saw (a bug, but one the report must not hide).
 */
export function buildReport(facts: ReportFacts): RunReport {
  const { run, validation, summaries } = facts;
  const counts = {
    total: 0,
    succeeded: 0,
    failed: 0,
    rejected: validation?.rejected ?? facts.rejectedWithoutValidation ?? 0,
    unprocessed: 0,
  };
  for (const s of summaries) {
    counts.succeeded += s.counts.succeeded;
    counts.failed += s.counts.failed;
    counts.unprocessed += s.counts.unprocessed;
  }
  counts.unprocessed += facts.extraUnprocessed;
  counts.total = counts.succeeded + counts.failed + counts.rejected + counts.unprocessed;

  const jobs = summaries.map((s) => ({
    id: s.job.id,
    object: s.job.object,
    operation: s.job.operation,
    state: s.job.state,
    recordsProcessed: s.job.recordsProcessed,
    recordsFailed: s.job.recordsFailed,
  }));

  let error: RunReport['error'];
  if (facts.failure) {
    error = { name: facts.failure.Error, message: causeMessage(facts.failure) };
  } else {
    const failedJob = summaries.find((s) => s.job.state === 'Failed' || s.job.state === 'Aborted');
    if (failedJob) {
      error = {
        name: 'JobFailed',
        message: `Job ${failedJob.job.id} (${failedJob.job.operation} ${failedJob.job.object}) ended ${failedJob.job.state}${failedJob.job.errorMessage ? `: ${failedJob.job.errorMessage}` : ''}`,
      };
    } else if (validation && validation.total !== counts.total) {
      error = {
        name: 'RowsUnaccounted',
        message: `The file has ${validation.total} rows but the results account for ${counts.total}`,
      };
    }
  }

  const report: RunReport = {
    runId: run.runId,
    status: error ? 'FAILED' : 'SUCCEEDED',
    source: run.source,
    pipeline: run.pipeline,
    counts,
    jobs,
    files: facts.files,
    apiCalls: facts.apiCalls,
    durationMs: Math.max(0, facts.now.getTime() - Date.parse(run.startedAt)),
  };
  if (error) report.error = error;
  return report;
}

/**
 * The human part of a Step Functions Cause. A Lambda error's Cause is JSON with `errorMessage` and a
 * stack `trace`; the report keeps the message only (design.md: never a stack trace).
 */
export function causeMessage(failure: CaughtError): string {
  const cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a States.* error's plain-text cause.
  }
  return cause || failure.Error;
}

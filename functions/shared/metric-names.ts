/**
 * Metric names the functions emit (namespace from POWERTOOLS_METRICS_NAMESPACE, "Polyload").
 * template.yaml's alarms watch these; a contract test checks both sides agree.
 */
export const MetricName = {
  /** Salesforce answered REQUEST_LIMIT_EXCEEDED / 429 / 503. */
  ApiThrottled: 'ApiThrottled',
  /** Percentage of the org's daily API allocation used (from Sforce-Limit-Info or /limits). */
  ApiUsagePercent: 'ApiUsagePercent',
  /** API requests a run made. */
  ApiCalls: 'ApiCalls',
  RowsValidated: 'RowsValidated',
  RowsRejected: 'RowsRejected',
  RecordsSucceeded: 'RecordsSucceeded',
  RecordsFailed: 'RecordsFailed',
  RecordsUnprocessed: 'RecordsUnprocessed',
  RecordsResubmitted: 'RecordsResubmitted',
  JobsFailed: 'JobsFailed',
  RunsFailed: 'RunsFailed',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

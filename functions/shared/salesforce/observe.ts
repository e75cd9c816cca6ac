import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricName } from '../metric-names.ts';
import { metrics } from '../powertools.ts';
import { type SalesforceAdapter, salesforce } from '../salesforce.ts';

const subscribed = new WeakSet<SalesforceAdapter>();

/**
 * Runs one invocation's Salesforce work and records what it cost: `ApiCalls` (this invocation's
 * requests), `ApiThrottled` (each throttled answer) and `ApiUsagePercent` when Salesforce reported
 * usage. Returns the result and the calls made, so steps can carry the count to the run report.
 */
export async function observeSalesforce<T>(
  work: (port: SalesforceAdapter) => Promise<T>,
  port?: SalesforceAdapter,
): Promise<{ result: T; apiCalls: number }> {
  const sf = port ?? (await salesforce());
  if (!subscribed.has(sf)) {
    subscribed.add(sf);
    sf.onThrottled(() => metrics.addMetric(MetricName.ApiThrottled, MetricUnit.Count, 1));
  }
  const before = sf.apiCalls();
  try {
    const result = await work(sf);
    return { result, apiCalls: sf.apiCalls() - before };
  } finally {
    metrics.addMetric(MetricName.ApiCalls, MetricUnit.Count, sf.apiCalls() - before);
    const usage = sf.apiUsage();
    if (usage && usage.limit > 0) {
      metrics.addMetric(MetricName.ApiUsagePercent, MetricUnit.Percent, (100 * usage.used) / usage.limit);
    }
  }
}

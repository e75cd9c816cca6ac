/**
 * The one Logger and one Metrics instance of every function. Service and namespace come from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE (template.yaml Globals), defaulting so that
 * local runs and tests emit under the same names as a deployment.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'polyload';
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || 'Polyload';

export const logger = new Logger({ serviceName });

// Metrics' own notices (an invocation with no metric to publish) go through the structured logger, so
// they obey POWERTOOLS_LOG_LEVEL instead of printing on the console.
export const metrics = new Metrics({ serviceName, namespace, logger });

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

export const metrics = new Metrics({ serviceName, namespace });

/**
 * Errors are a contract with the state machine: Lambda reports `errorType` from `name`, and the ASL's
 * `ErrorEquals` matches it. Names are literal strings so bundling and minifying cannot change them.
 */

/** Salesforce refused for now (REQUEST_LIMIT_EXCEEDED, HTTP 429): retried by the state machine with jitter. */
export class SalesforceThrottledError extends Error {
  override name = 'SalesforceThrottledError' as const;
}

/** Salesforce or the network failed transiently (HTTP 5xx, connection reset): retried with backoff. */
export class SalesforceUnavailableError extends Error {
  override name = 'SalesforceUnavailableError' as const;
}

/** Credentials are wrong or not authorised (invalid_grant, invalid_client...): not retried. */
export class SalesforceAuthError extends Error {
  override name = 'SalesforceAuthError' as const;
}

/** Salesforce rejected a request as malformed (job creation refused, etc.): not retried. */
export class SalesforceRequestError extends Error {
  override name = 'SalesforceRequestError' as const;
}

/** The mapping file is invalid or does not fit the org: the run stops before any job. */
export class MappingError extends Error {
  override name = 'MappingError' as const;
}

/** The source file cannot be read as the mapping says (encoding, delimiter, header). */
export class InvalidFileError extends Error {
  override name = 'InvalidFileError' as const;
}

/** More rows were rejected than the mapping allows: the run stops before loading anything. */
export class RejectThresholdError extends Error {
  override name = 'RejectThresholdError' as const;
}

/** Every error name the state machine may match, for the contract test. */
export const ERROR_NAMES = [
  'SalesforceThrottledError',
  'SalesforceUnavailableError',
  'SalesforceAuthError',
  'SalesforceRequestError',
  'MappingError',
  'InvalidFileError',
  'RejectThresholdError',
] as const;

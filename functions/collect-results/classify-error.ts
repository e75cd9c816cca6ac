/**
 * Row errors as Salesforce reports them in failedResults' `sf__Error`, and what Polyload does about
 * each: transient ones are worth another job, the rest are the row's final outcome.
 */

export interface RowError {
  errorCode: string;
  message: string;
  /** Field API names the error names (may be empty). */
  fields: string[];
}

/**
 * Parses `CODE:message:Field1,Field2 --` or `CODE:message:--`. The message itself may contain colons
 * (`duplicate value found: X duplicates value on record with id: 500...`), so the fields are what
 * follows the *last* colon, and only when the text has the ` --` terminator and that tail looks like
 * field names. Anything unexpected keeps the whole text as the message rather than guessing.
 */
export function parseSfError(text: string): RowError {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0 || !/^[A-Z][A-Z0-9_]*$/i.test(trimmed.slice(0, colon))) {
    return { errorCode: 'UNKNOWN', message: trimmed, fields: [] };
  }
  const errorCode = trimmed.slice(0, colon);
  let rest = trimmed.slice(colon + 1);
  if (!/--$/.test(rest)) return { errorCode, message: rest.trim(), fields: [] };
  rest = rest.replace(/\s*--$/, '');
  const last = rest.lastIndexOf(':');
  const tail = last >= 0 ? rest.slice(last + 1).trim() : '';
  if (last < 0 || !/^[A-Za-z0-9_.:,\s]*$/.test(tail)) return { errorCode, message: rest.trim(), fields: [] };
  const fields = tail
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  return { errorCode, message: rest.slice(0, last).trim(), fields };
}

/**
 * Row errors that say "not now" rather than "not this row": lock contention, maintenance, timeouts.
 * A new job a little later usually succeeds.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_LOCK_ROW',
  'API_TEMPORARILY_UNAVAILABLE',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'TOO_MANY_LOCK_FAILURE',
  'TOOMANYLOCKFAILURE',
]);

export function isTransient(errorCode: string): boolean {
  return TRANSIENT_ERROR_CODES.has(errorCode.toUpperCase());
}

export type RowDisposition = 'resubmit' | 'failed';

/**
 * A transient error is resubmitted while the part has resubmissions left (`attempt` counts jobs
 * before this one: 0 for the first); at the limit, or for any other error, the row has failed.
 */
export function classifyRowError(error: RowError, attempt: number, maxResubmits: number): RowDisposition {
  return isTransient(error.errorCode) && attempt < maxResubmits ? 'resubmit' : 'failed';
}

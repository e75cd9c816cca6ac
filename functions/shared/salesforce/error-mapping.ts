import {
  SalesforceAuthError,
  SalesforceRequestError,
  SalesforceThrottledError,
  SalesforceUnavailableError,
} from '../errors.ts';

export type SalesforceError =
  | SalesforceThrottledError
  | SalesforceUnavailableError
  | SalesforceAuthError
  | SalesforceRequestError;

export function isNamedSalesforceError(error: unknown): error is SalesforceError {
  return (
    error instanceof SalesforceThrottledError ||
    error instanceof SalesforceUnavailableError ||
    error instanceof SalesforceAuthError ||
    error instanceof SalesforceRequestError
  );
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Error codes (REST envelope or jsforce `name`) that mean "too much, slow down". */
const THROTTLE_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'ERROR_HTTP_429', 'ERROR_HTTP_503']);
/** ...and "Salesforce is having a moment". */
const UNAVAILABLE_CODES = new Set(['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'API_TEMPORARILY_UNAVAILABLE']);

/**
 * The named error for an HTTP status that is decided by the status alone (before jsforce reads the
 * body): 429 and 503 are throttling, as is a 403 REQUEST_LIMIT_EXCEEDED (daily allocation or
 * concurrent long requests); other 5xx and 420 are unavailability. Undefined for anything else.
 */
export function statusError(status: number, body: string, what: string): SalesforceError | undefined {
  const detail = errorDetail(body) ?? `HTTP ${status}`;
  const cause = new Error(`HTTP ${status}: ${detail}`);
  if (status === 429 || status === 503 || (status === 403 && body.includes('REQUEST_LIMIT_EXCEEDED'))) {
    return new SalesforceThrottledError(`${what}: Salesforce throttled the request (${detail})`, { cause });
  }
  if (status >= 500 || status === 420) {
    return new SalesforceUnavailableError(`${what}: Salesforce is unavailable (${detail})`, { cause });
  }
  return undefined;
}

/** Maps anything thrown while talking to Salesforce to one of the four named errors, `cause` set. */
export function toSalesforceError(error: unknown, what: string): SalesforceError {
  if (isNamedSalesforceError(error)) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const code = errorCode(err);
  const text = `${what}: ${code ? `${code}: ` : ''}${err.message}`;
  if (code && THROTTLE_CODES.has(code)) return new SalesforceThrottledError(text, { cause: err });
  if (code && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code))) {
    return new SalesforceUnavailableError(text, { cause: err });
  }
  if (err.name === 'AbortError' || err.name === 'FetchError' || err.message === 'fetch failed') {
    return new SalesforceUnavailableError(text, { cause: err });
  }
  if (
    code === 'INVALID_SESSION_ID' ||
    code === 'INVALID_AUTH_HEADER' ||
    /^invalid_(grant|client)/.test(code ?? '')
  ) {
    return new SalesforceAuthError(text, { cause: err });
  }
  return new SalesforceRequestError(text, { cause: err });
}

/** The Salesforce errorCode (jsforce puts it in `name`) or the network code, also from a `cause`. */
function errorCode(err: Error): string | undefined {
  const withCode = err as Error & { code?: unknown; errorCode?: unknown; cause?: unknown };
  if (typeof withCode.errorCode === 'string') return withCode.errorCode;
  if (typeof withCode.code === 'string') return withCode.code;
  if (withCode.cause instanceof Error) {
    const nested = errorCode(withCode.cause);
    if (nested) return nested;
  }
  if (err.name && err.name !== 'Error' && /^[A-Z][A-Z0-9_]+$/.test(err.name)) return err.name;
  return undefined;
}

/** `errorCode: message` from Salesforce's `[{errorCode, message}]` envelope, if the body is one. */
function errorDetail(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as { errorCode?: string; message?: string }) : undefined;
    if (first?.errorCode) return `${first.errorCode}: ${first.message ?? ''}`;
  } catch {
    // not JSON
  }
  return undefined;
}

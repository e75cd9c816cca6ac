/** The `columnDelimiter` values of a job and the character each stands for. */
export const COLUMN_DELIMITERS = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
} as const;

export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;

export const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;

export type LineEnding = keyof typeof LINE_ENDINGS;

export function isColumnDelimiter(value: unknown): value is ColumnDelimiter {
  return typeof value === 'string' && Object.hasOwn(COLUMN_DELIMITERS, value);
}

export function isLineEnding(value: unknown): value is LineEnding {
  return value === 'LF' || value === 'CRLF';
}

/** The value Salesforce reads as "set this field to null" (an empty cell means "leave it alone"). */
export const NULL_MARKER = '#N/A';

import { ApiError } from '../http/router.ts';

export type TokenKind = 'word' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Offset of the first character in the query. */
  start: number;
  end: number;
  /** For strings: the decoded value. */
  value?: string;
  /** For strings: the value as an SQLite LIKE pattern (escape character `\`). */
  likePattern?: string;
}

/**
 * Characters of context Salesforce shows before and after the offending token (whole tokens only),
 * inferred from captured real messages.
 */
const SNIPPET_BEFORE = 34;
const SNIPPET_AFTER = 32;

/**
 * A SOQL error in Salesforce's shape: the offending stretch of the query, a caret under the token,
 * `ERROR at Row:r:Column:c` and the message, each on its own line after a leading newline.
 */
export function soqlError(
  errorCode: string,
  source: string,
  tokens: readonly Token[],
  at: { start: number; end: number },
  message: string,
): ApiError {
  const lineStart = source.lastIndexOf('\n', at.start - 1) + 1;
  const lineEndAt = source.indexOf('\n', at.start);
  const lineEnd = lineEndAt === -1 ? source.length : lineEndAt;
  const row = source.slice(0, lineStart).split('\n').length;
  const column = at.start - lineStart + 1;
  const near = tokens.filter(
    (t) =>
      t.kind !== 'eof' &&
      t.start >= lineStart &&
      t.end <= lineEnd &&
      t.start >= at.start - SNIPPET_BEFORE &&
      t.end <= at.end + SNIPPET_AFTER,
  );
  const from = Math.min(near[0]?.start ?? at.start, at.start);
  const to = Math.max(near[near.length - 1]?.end ?? at.end, Math.min(at.end, lineEnd));
  const snippet = source.slice(from, to);
  const caret = `${' '.repeat(at.start - from)}^`;
  return new ApiError(
    400,
    errorCode,
    `\n${snippet}\n${caret}\nERROR at Row:${row}:Column:${column}\n${message}`,
  );
}

const PUNCT = ['!=', '<>', '<=', '>=', '=', '<', '>', ',', '.', '(', ')', ':'];
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}(?![\w-])/y;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w.])/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

function matchAt(pattern: RegExp, source: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(source)?.[0];
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** Splits a SOQL statement into tokens; a bad character or an unterminated string is MALFORMED_QUERY. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (start: number, end: number, message: string): never => {
    throw soqlError('MALFORMED_QUERY', source, tokens, { start, end }, message);
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      let like = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(start, source.length, `unexpected token: <EOF>`);
        const ch = source[i] as string;
        if (ch === "'") break;
        if (ch === '\\') {
          const next = source[i + 1];
          if (next === '%' || next === '_') {
            value += next;
            like += `\\${next}`;
          } else if (next !== undefined && next in ESCAPES) {
            const decoded = ESCAPES[next] as string;
            value += decoded;
            like += decoded === '\\' ? '\\\\' : decoded;
          } else {
            fail(
              i,
              i + 2,
              `Invalid string literal '${source.slice(start, i + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`,
            );
          }
          i += 2;
          continue;
        }
        value += ch;
        like += ch;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: source.slice(start, i), start, end: i, value, likePattern: like });
      continue;
    }
    const datetime = matchAt(DATETIME, source, i);
    if (datetime) {
      i += datetime.length;
      tokens.push({ kind: 'datetime', text: datetime, start, end: i });
      continue;
    }
    const date = matchAt(DATE, source, i);
    if (date) {
      i += date.length;
      tokens.push({ kind: 'date', text: date, start, end: i });
      continue;
    }
    const previous = tokens[tokens.length - 1];
    // A sign belongs to the number only where a value can start (after an operator, a comma, '(' or ':').
    const signAllowed = !previous || (previous.kind === 'punct' && previous.text !== ')');
    const number =
      /[\d.]/.test(c) || (signAllowed && /[+-]/.test(c)) ? matchAt(NUMBER, source, i) : undefined;
    if (number) {
      i += number.length;
      tokens.push({ kind: 'number', text: number, start, end: i });
      continue;
    }
    const word = matchAt(WORD, source, i);
    if (word) {
      i += word.length;
      tokens.push({ kind: 'word', text: word, start, end: i });
      continue;
    }
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (punct) {
      i += punct.length;
      tokens.push({ kind: 'punct', text: punct, start, end: i });
      continue;
    }
    fail(
      start,
      start + 1,
      `line ${source.slice(0, start).split('\n').length}:${start - source.lastIndexOf('\n', start - 1) - 1} no viable alternative at character '${c}'`,
    );
  }
  tokens.push({ kind: 'eof', text: '<EOF>', start: source.length, end: source.length });
  return tokens;
}

import { soqlError, type Token, tokenize } from './lexer.ts';

export interface Span {
  start: number;
  end: number;
}

/** A field path as written: `Name`, `Account.Name`, `Who.Type`. */
export interface FieldPath extends Span {
  segments: string[];
  text: string;
}

export type SelectItem = { kind: 'field'; path: FieldPath } | { kind: 'count'; path?: FieldPath; span: Span };

export type DateFunction = 'TODAY' | 'YESTERDAY' | 'TOMORROW' | 'LAST_N_DAYS' | 'NEXT_N_DAYS';

export type Literal = Span &
  (
    | { kind: 'string'; value: string; likePattern: string }
    | { kind: 'number'; value: number; text: string }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'null' }
    | { kind: 'date'; text: string }
    | { kind: 'datetime'; text: string }
    | { kind: 'dateFunction'; name: DateFunction; n: number }
  );

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: FieldPath; operator: ComparisonOperator; value: Literal }
  | { kind: 'like'; path: FieldPath; value: Literal }
  | { kind: 'in'; path: FieldPath; negated: boolean; values: Literal[] };

export interface OrderItem {
  path: FieldPath;
  descending: boolean;
  nullsFirst: boolean;
}

export interface SoqlQuery {
  source: string;
  tokens: Token[];
  select: SelectItem[];
  from: { name: string } & Span;
  where: Condition | undefined;
  orderBy: OrderItem[];
  limit: ({ value: number } & Span) | undefined;
  offset: ({ value: number } & Span) | undefined;
}

/** SOQL clauses and constructs this emulator does not implement, named in the error so users know why. */
const UNSUPPORTED_CLAUSES = new Set(['GROUP', 'HAVING', 'WITH', 'FOR', 'USING', 'UPDATE', 'TYPEOF', 'ALL']);
const DATE_FUNCTIONS = new Set<string>(['TODAY', 'YESTERDAY', 'TOMORROW']);
const DATE_N_FUNCTIONS = new Set<string>(['LAST_N_DAYS', 'NEXT_N_DAYS']);
const MAX_INT = 2_147_483_647;

class Parser {
  private readonly source: string;
  private readonly tokens: Token[];
  private at = 0;

  constructor(source: string) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  parse(): SoqlQuery {
    this.expectWord('SELECT');
    const select = this.selectList();
    this.expectWord('FROM');
    const fromToken = this.peek();
    if (fromToken.kind !== 'word' || this.isReserved(fromToken)) throw this.unexpected(fromToken);
    this.at++;
    const from = { name: fromToken.text, start: fromToken.start, end: fromToken.end };
    let where: Condition | undefined;
    if (this.acceptWord('WHERE')) where = this.condition();
    const orderBy: OrderItem[] = [];
    if (this.isWord(this.peek(), 'ORDER')) {
      this.at++;
      this.expectWord('BY');
      do orderBy.push(this.orderItem());
      while (this.acceptPunct(','));
    }
    const limit = this.acceptWord('LIMIT') ? this.integer() : undefined;
    const offset = this.acceptWord('OFFSET') ? this.integer() : undefined;
    const last = this.peek();
    if (last.kind !== 'eof') throw this.unexpected(last);
    return { source: this.source, tokens: this.tokens, select, from, where, orderBy, limit, offset };
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const token = this.peek();
      if (this.isWord(token, 'COUNT') && this.peek(1).text === '(') {
        this.at += 2;
        const path = this.peek().text === ')' ? undefined : this.fieldPath();
        const close = this.expectPunct(')');
        items.push({ kind: 'count', path, span: { start: token.start, end: close.end } });
        continue;
      }
      if (token.kind === 'punct' && token.text === '(') {
        throw this.unsupported(token, 'relationship subqueries');
      }
      items.push({ kind: 'field', path: this.fieldPath() });
    } while (this.acceptPunct(','));
    return items;
  }

  private fieldPath(): FieldPath {
    const first = this.peek();
    if (first.kind !== 'word' || this.isReserved(first)) throw this.unexpected(first);
    if (this.peek(1).text === '(')
      throw this.unsupported(first, `the function ${first.text.toUpperCase()}()`);
    this.at++;
    const segments = [first.text];
    let end = first.end;
    while (this.peek().text === '.' && this.peek().kind === 'punct') {
      this.at++;
      const next = this.peek();
      if (next.kind !== 'word') throw this.unexpected(next);
      this.at++;
      segments.push(next.text);
      end = next.end;
    }
    return { segments, text: this.source.slice(first.start, end), start: first.start, end };
  }

  private orderItem(): OrderItem {
    const path = this.fieldPath();
    let descending = false;
    if (this.acceptWord('DESC')) descending = true;
    else this.acceptWord('ASC');
    let nullsFirst = !descending;
    if (this.acceptWord('NULLS')) {
      if (this.acceptWord('FIRST')) nullsFirst = true;
      else if (this.acceptWord('LAST')) nullsFirst = false;
      else throw this.unexpected(this.peek());
    }
    return { path, descending, nullsFirst };
  }

  /**
   * Conditions: one level may chain only AND or only OR; mixing them needs parentheses, as in SOQL.
   */
  private condition(): Condition {
    const first = this.unary();
    const next = this.peek();
    const joiner = this.isWord(next, 'AND') ? 'and' : this.isWord(next, 'OR') ? 'or' : undefined;
    if (!joiner) return first;
    const items = [first];
    while (this.acceptWord(joiner.toUpperCase())) items.push(this.unary());
    const after = this.peek();
    if (this.isWord(after, 'AND') || this.isWord(after, 'OR')) throw this.unexpected(after);
    return { kind: joiner, items };
  }

  private unary(): Condition {
    if (this.acceptWord('NOT')) return { kind: 'not', item: this.unary() };
    if (this.acceptPunct('(')) {
      if (this.isWord(this.peek(), 'SELECT')) throw this.unsupported(this.peek(), 'semi-join subqueries');
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const path = this.fieldPath();
    const op = this.peek();
    if (op.kind === 'punct' && ['=', '!=', '<>', '<', '>', '<=', '>='].includes(op.text)) {
      this.at++;
      const operator = (op.text === '<>' ? '!=' : op.text) as ComparisonOperator;
      return { kind: 'compare', path, operator, value: this.literal() };
    }
    if (this.acceptWord('LIKE')) return { kind: 'like', path, value: this.literal() };
    if (this.isWord(op, 'NOT') && this.isWord(this.peek(1), 'IN')) {
      this.at += 2;
      return { kind: 'in', path, negated: true, values: this.literalList() };
    }
    if (this.acceptWord('IN')) return { kind: 'in', path, negated: false, values: this.literalList() };
    if (this.isWord(op, 'INCLUDES') || this.isWord(op, 'EXCLUDES')) {
      throw this.unsupported(op, `${op.text.toUpperCase()} on multi-select picklists`);
    }
    throw this.unexpected(op);
  }

  private literalList(): Literal[] {
    this.expectPunct('(');
    if (this.isWord(this.peek(), 'SELECT')) throw this.unsupported(this.peek(), 'semi-join subqueries');
    const values: Literal[] = [];
    do values.push(this.literal());
    while (this.acceptPunct(','));
    this.expectPunct(')');
    return values;
  }

  private literal(): Literal {
    const token = this.peek();
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'string':
        this.at++;
        return { kind: 'string', value: token.value ?? '', likePattern: token.likePattern ?? '', ...span };
      case 'number':
        this.at++;
        return { kind: 'number', value: Number(token.text), text: token.text, ...span };
      case 'date':
        this.at++;
        return { kind: 'date', text: token.text, ...span };
      case 'datetime':
        this.at++;
        return { kind: 'datetime', text: token.text, ...span };
      case 'word': {
        const upper = token.text.toUpperCase();
        if (upper === 'NULL') {
          this.at++;
          return { kind: 'null', ...span };
        }
        if (upper === 'TRUE' || upper === 'FALSE') {
          this.at++;
          return { kind: 'boolean', value: upper === 'TRUE', ...span };
        }
        if (DATE_FUNCTIONS.has(upper)) {
          this.at++;
          return { kind: 'dateFunction', name: upper as DateFunction, n: 0, ...span };
        }
        if (DATE_N_FUNCTIONS.has(upper)) {
          this.at++;
          this.expectPunct(':');
          const n = this.integer();
          return {
            kind: 'dateFunction',
            name: upper as DateFunction,
            n: n.value,
            start: token.start,
            end: n.end,
          };
        }
        if (/^(?:LAST|NEXT|THIS)_|_N_/.test(upper))
          throw this.unsupported(token, `the date literal ${upper}`);
        throw this.unexpected(token);
      }
      default:
        throw this.unexpected(token);
    }
  }

  private integer(): { value: number } & Span {
    const token = this.peek();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.unexpected(token);
    this.at++;
    const value = Number(token.text);
    if (value > MAX_INT) {
      throw soqlError(
        'MALFORMED_QUERY',
        this.source,
        this.tokens,
        token,
        `For input string: "${token.text}"`,
      );
    }
    return { value, start: token.start, end: token.end };
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)] as Token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  private isReserved(token: Token): boolean {
    return ['SELECT', 'FROM', 'WHERE', 'ORDER', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'NULL'].includes(
      token.text.toUpperCase(),
    );
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(this.peek(), word)) return false;
    this.at++;
    return true;
  }

  private expectWord(word: string): Token {
    const token = this.peek();
    if (!this.isWord(token, word)) throw this.unexpected(token);
    this.at++;
    return token;
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.at++;
    return true;
  }

  private expectPunct(text: string): Token {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) throw this.unexpected(token);
    this.at++;
    return token;
  }

  private unexpected(token: Token) {
    if (token.kind === 'word' && UNSUPPORTED_CLAUSES.has(token.text.toUpperCase())) {
      const clause = token.text.toUpperCase();
      return this.unsupported(token, clause === 'GROUP' ? 'GROUP BY' : clause);
    }
    const shown = token.kind === 'eof' ? '<EOF>' : `'${token.text}'`;
    return soqlError('MALFORMED_QUERY', this.source, this.tokens, token, `unexpected token: ${shown}`);
  }

  private unsupported(token: Token, feature: string) {
    return soqlError(
      'MALFORMED_QUERY',
      this.source,
      this.tokens,
      token,
      `unexpected token: '${token.text}' (the Polyload emulator's SOQL subset does not support ${feature})`,
    );
  }
}

/** Parses one SOQL SELECT statement; syntax errors are ApiError 400 MALFORMED_QUERY in Salesforce's format. */
export function parseSoql(source: string): SoqlQuery {
  return new Parser(source).parse();
}

import { describe, expect, it } from 'vitest';
import { ApiError } from '../../local/emulator/http/router.ts';
import { type Condition, parseSoql } from '../../local/emulator/soql/parser.ts';

function rejection(soql: string): ApiError {
  try {
    parseSoql(soql);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${soql}`);
}

function where(soql: string): Condition | undefined {
  return parseSoql(soql).where;
}

describe('SOQL parser', () => {
  it('parses the select list, object, order, limit and offset', () => {
    const q = parseSoql(
      'select Id, account.Name, Who.Type from Contact order by Name desc nulls first, Id limit 10 offset 5',
    );
    expect(q.select.map((s) => (s.kind === 'field' ? s.path.segments : 'count'))).toEqual([
      ['Id'],
      ['account', 'Name'],
      ['Who', 'Type'],
    ]);
    expect(q.from.name).toBe('Contact');
    expect(q.orderBy.map((o) => [o.path.text, o.descending, o.nullsFirst])).toEqual([
      ['Name', true, true],
      ['Id', false, true],
    ]);
    expect(q.limit?.value).toBe(10);
    expect(q.offset?.value).toBe(5);
  });

  it('defaults to NULLS FIRST ascending and NULLS LAST descending', () => {
    const q = parseSoql('SELECT Id FROM Account ORDER BY Name ASC, Industry DESC');
    expect(q.orderBy.map((o) => o.nullsFirst)).toEqual([true, false]);
  });

  it('parses COUNT() and COUNT(field)', () => {
    expect(parseSoql('SELECT COUNT() FROM Account').select).toEqual([
      { kind: 'count', path: undefined, span: { start: 7, end: 14 } },
    ]);
    const q = parseSoql('SELECT COUNT(Id) FROM Account');
    expect(q.select[0]?.kind === 'count' && q.select[0].path?.text).toBe('Id');
  });

  it.each([
    ['=', '='],
    ['!=', '!='],
    ['<>', '!='],
    ['<', '<'],
    ['>', '>'],
    ['<=', '<='],
    ['>=', '>='],
  ])('parses the comparison operator %s', (written, operator) => {
    expect(where(`SELECT Id FROM Account WHERE NumberOfEmployees ${written} 5`)).toMatchObject({
      kind: 'compare',
      operator,
      value: { kind: 'number', value: 5 },
    });
  });

  it.each([
    ["'O\\'Brien'", { kind: 'string', value: "O'Brien" }],
    ["'a\\\\b\\nc'", { kind: 'string', value: 'a\\b\nc' }],
    ['-12.5', { kind: 'number', value: -12.5 }],
    ['+3', { kind: 'number', value: 3 }],
    ['null', { kind: 'null' }],
    ['NULL', { kind: 'null' }],
    ['true', { kind: 'boolean', value: true }],
    ['False', { kind: 'boolean', value: false }],
    ['2024-01-31', { kind: 'date', text: '2024-01-31' }],
    ['2024-01-31T10:00:00Z', { kind: 'datetime', text: '2024-01-31T10:00:00Z' }],
    ['2024-01-31T10:00:00.123+05:30', { kind: 'datetime', text: '2024-01-31T10:00:00.123+05:30' }],
    ['TODAY', { kind: 'dateFunction', name: 'TODAY' }],
    ['LAST_N_DAYS:30', { kind: 'dateFunction', name: 'LAST_N_DAYS', n: 30 }],
    ['next_n_days:7', { kind: 'dateFunction', name: 'NEXT_N_DAYS', n: 7 }],
  ])('parses the literal %s', (literal, expected) => {
    expect(where(`SELECT Id FROM Account WHERE X = ${literal}`)).toMatchObject({ value: expected });
  });

  it('keeps LIKE wildcards and escapes them when written as \\% and \\_', () => {
    expect(where("SELECT Id FROM Account WHERE Name LIKE 'Ac_e\\_%'")).toMatchObject({
      kind: 'like',
      value: { value: 'Ac_e_%', likePattern: 'Ac_e\\_%' },
    });
  });

  it('parses IN and NOT IN lists', () => {
    expect(where("SELECT Id FROM Account WHERE Industry IN ('A', 'B')")).toMatchObject({
      kind: 'in',
      negated: false,
      values: [{ value: 'A' }, { value: 'B' }],
    });
    expect(where('SELECT Id FROM Account WHERE NumberOfEmployees NOT IN (1, 2, null)')).toMatchObject({
      kind: 'in',
      negated: true,
    });
  });

  it('parses AND, OR, NOT and parentheses', () => {
    expect(where("SELECT Id FROM A WHERE (a = 1 OR b = 2) AND NOT c = 'x'")).toMatchObject({
      kind: 'and',
      items: [
        { kind: 'or', items: [{ kind: 'compare' }, { kind: 'compare' }] },
        { kind: 'not', item: { kind: 'compare' } },
      ],
    });
  });

  it.each([
    [
      'SELECT Id, FROM Account',
      "\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'",
    ],
    [
      'SELECT Id FROM Account WHERE',
      '\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: <EOF>',
    ],
    [
      'SELECT Id Account',
      "\nSELECT Id Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'Account'",
    ],
    [
      'SELECT Id FROM Account WHERE a = 1 AND b = 2 OR c = 3',
      // Salesforce shows about 32 characters either side of the offending token.
      "\nAccount WHERE a = 1 AND b = 2 OR c = 3\n                              ^\nERROR at Row:1:Column:46\nunexpected token: 'OR'",
    ],
    [
      'SELECT Id FROM Account WHERE Name = ',
      '\nId FROM Account WHERE Name = \n                             ^\nERROR at Row:1:Column:37\nunexpected token: <EOF>',
    ],
    [
      'SELECT Id FROM Account LIMIT x',
      "\nSELECT Id FROM Account LIMIT x\n                             ^\nERROR at Row:1:Column:30\nunexpected token: 'x'",
    ],
    [
      'SELECT Id\nFROM Account\nWHERE Name ~ 1',
      "\nWHERE Name ~\n           ^\nERROR at Row:3:Column:12\nline 3:11 no viable alternative at character '~'",
    ],
  ])('rejects %j with a positioned MALFORMED_QUERY', (soql, message) => {
    const error = rejection(soql);
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe('MALFORMED_QUERY');
    expect(error.message).toBe(message);
  });

  it('rejects an unterminated string', () => {
    expect(rejection("SELECT Id FROM Account WHERE Name = 'abc").message).toMatch(/unexpected token: <EOF>$/);
  });

  it('names SOQL features outside the supported subset', () => {
    expect(rejection('SELECT Name FROM Account GROUP BY Name').message).toMatch(
      /does not support GROUP BY\)$/,
    );
    expect(rejection('SELECT Id, (SELECT Id FROM Contacts) FROM Account').message).toMatch(
      /relationship subqueries/,
    );
    expect(rejection('SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)').message).toMatch(
      /semi-join subqueries/,
    );
    expect(rejection('SELECT Id FROM Account WHERE CreatedDate = THIS_MONTH').message).toMatch(/THIS_MONTH/);
    expect(rejection('SELECT MAX(Amount) FROM Opportunity').message).toMatch(/MAX\(\)/);
  });

  it('rejects a LIMIT beyond a 32-bit integer', () => {
    expect(rejection('SELECT Id FROM Account LIMIT 2147483648').message).toMatch(
      /For input string: "2147483648"$/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalValue, LineIndex, planJoin } from '../../functions/collect-results/join-results.ts';

async function* rows(list: string[][]): AsyncIterable<string[]> {
  yield* list;
}

describe('planJoin', () => {
  it.each([
    [
      { operation: 'upsert', externalIdFieldName: 'Patient_Id__c', columns: ['LastName', 'Patient_Id__c'] },
      'externalId',
      ['Patient_Id__c'],
    ],
    [{ operation: 'upsert', externalIdFieldName: 'Id', columns: ['Id', 'LastName'] }, 'id', ['Id']],
    [{ operation: 'upsert', externalIdFieldName: 'Id', columns: ['LastName'] }, 'allColumns', ['LastName']],
    [{ operation: 'update', columns: ['Id', 'LastName'] }, 'id', ['Id']],
    [{ operation: 'delete', columns: ['Id'] }, 'id', ['Id']],
    [{ operation: 'insert', columns: ['LastName', 'Phone'] }, 'allColumns', ['LastName', 'Phone']],
  ] as const)('keys %o by %s', (part, mode, columns) => {
    const header = ['sf__Id', 'sf__Created', ...part.columns];
    const plan = planJoin({ ...part, columns: [...part.columns] }, header);
    expect(plan.mode).toBe(mode);
    expect(plan.partColumns).toEqual(columns);
  });

  it('keys only by the columns Salesforce echoed', () => {
    const plan = planJoin({ operation: 'insert', columns: ['LastName', 'Ignored__c'] }, [
      'sf__Id',
      'sf__Created',
      'LASTNAME',
    ]);
    expect(plan.partColumns).toEqual(['LastName']);
  });
});

describe('canonicalValue', () => {
  it.each([
    ['912260031', '912260031'],
    ['9.12260031E8', '912260031'],
    ['2676.0', '2676'],
    ['TRUE', 'true'],
    ['#N/A', ''],
    ['2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z'],
    ['2026-01-05T10:00:00.000+0000', '2026-01-05T10:00:00.000Z'],
    ['Smith', 'Smith'],
  ])('%s compares as %s', (value, canonical) => {
    expect(canonicalValue(value)).toBe(canonical);
  });
});

describe('LineIndex', () => {
  const part = { operation: 'insert' as const, columns: ['Name', 'AnnualRevenue'] };
  const header = ['sf__Id', 'sf__Created', 'Name', 'AnnualRevenue'];

  it('joins unordered, normalised results back to their source lines', async () => {
    const index = await LineIndex.build(
      planJoin(part, header),
      rows([
        ['2', 'Acme', '912260031'],
        ['3', 'Globex', '12'],
        ['5', 'Initech', ''],
      ]),
    );
    expect(index.take({ sf__Id: '001', Name: 'Initech', AnnualRevenue: '' })).toBe(5);
    expect(index.take({ sf__Id: '001', Name: 'Acme', AnnualRevenue: '9.12260031E8' })).toBe(2);
    expect(index.take({ sf__Id: '001', Name: 'Globex', AnnualRevenue: '12.0' })).toBe(3);
    expect(index.take({ sf__Id: '001', Name: 'Globex', AnnualRevenue: '12' })).toBeUndefined();
  });

  it('hands identical rows their lines one each, first in first out', async () => {
    const index = await LineIndex.build(
      planJoin(part, header),
      rows([
        ['2', 'Acme', '1'],
        ['7', 'Acme', '1'],
      ]),
    );
    const result = { Name: 'Acme', AnnualRevenue: '1' };
    expect([index.take(result), index.take(result), index.take(result)]).toEqual([2, 7, undefined]);
  });

  it('matches update results by 15- or 18-character Id, falling back to sf__Id', async () => {
    const update = { operation: 'update' as const, columns: ['Id', 'Phone'] };
    const index = await LineIndex.build(
      planJoin(update, ['sf__Id', 'sf__Created', 'Id', 'Phone']),
      rows([
        ['2', '003000000000001', '555'],
        ['3', '003000000000002AAA', '556'],
      ]),
    );
    expect(index.take({ Id: '003000000000001AAA', Phone: '555' })).toBe(2);
    expect(index.take({ sf__Id: '003000000000002AAA', Id: '', Phone: '556' })).toBe(3);
  });

  it('matches upserts by external id whatever the other values became', async () => {
    const upsert = {
      operation: 'upsert' as const,
      externalIdFieldName: 'Patient_Id__c',
      columns: ['Patient_Id__c', 'Birthdate'],
    };
    const index = await LineIndex.build(
      planJoin(upsert, ['sf__Id', 'sf__Error', 'Patient_Id__c', 'Birthdate']),
      rows([['4', 'P-1', '1940-06-07Z']]),
    );
    expect(index.take({ Patient_Id__c: 'P-1', Birthdate: '1940-06-07' })).toBe(4);
  });

  it('skips lines already taken through another index', async () => {
    const index = await LineIndex.build(
      planJoin(part, header),
      rows([
        ['2', 'A', '1'],
        ['3', 'A', '1'],
      ]),
    );
    expect(index.take({ Name: 'A', AnnualRevenue: '1' }, new Set([2]))).toBe(3);
  });
});

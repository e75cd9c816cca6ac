/**
 * The parts list travels in the state (`$.split.parts`, read by the Map's ItemsPath) and Step
 * Functions caps a state at 256 KB. Computed here on Split's real output for the largest file
 * Polyload claims (10 GB / 50 M rows → ~334 parts; 500 for headroom, as tests/e2e/history.test.ts)
 * and a wide mapping: 60 Bulk columns with 40-character names.
 */
import { describe, expect, it } from 'vitest';
import type {
  GroupRef,
  RunInput,
  SplitOutput,
  TransformOutput,
  ValidationOutput,
} from '../../functions/shared/contracts.ts';
import type { CsvRow } from '../../functions/shared/csv.ts';
import { splitGroup } from '../../functions/split/split-group.ts';

const STATE_LIMIT = 256 * 1024;
const MAX_PARTS = 500;
/** 334 parts of 150,000 records make 50 M rows; a part per record here gives the same list. */
const PART_RECORDS = 1;

// Ids as the trigger and Transform make them: `<pipeline>-<20 hex>`, `<object>-<operation>-<choices>`.
const run: RunInput = {
  runId: 'care-plans-7f3a9c1e5b2d4f6a8c0e',
  pipeline: 'care-plans',
  source: {
    bucket: 'polyload-landing-123456789012-eu-west-2',
    key: 'incoming/care-plans/2026-03-01-full-extract.csv',
    versionId: 'Ze0rIjNbUV4lQo0.Hx7pHhk6n5ZrxB1C',
    etag: '6a1b5c2f0e9d8c7b6a5f4e3d2c1b0a99-1200',
    size: 10_000_000_000,
  },
  startedAt: '2026-03-01T09:00:00.000Z',
  maxConcurrency: 5,
};
const GROUP_ID = 'care_plan__c-upsert-whoid-contact';
const validation: ValidationOutput = {
  total: 50_000_000,
  rejected: 12_345,
  rejectedKey: `runs/${run.runId}/rejected.csv`,
  mappingKey: `runs/${run.runId}/mapping.yaml`,
};

/** `count` column names of exactly 40 characters. */
const columnNames = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => `Care_Plan_Attribute_${String(i + 1).padStart(3, '0')}_${'x'.repeat(13)}__c`,
  );

function group(columns: string[]): GroupRef {
  const groupId = GROUP_ID;
  return {
    groupId,
    object: 'Care_Plan__c',
    operation: 'upsert',
    externalIdFieldName: 'Care_Plan_External_Id__c',
    columns,
    key: `staging/${run.runId}/groups/${groupId}.csv`,
    rows: MAX_PARTS * PART_RECORDS,
  };
}

async function* staged(columns: string[], records: number): AsyncIterable<CsvRow> {
  yield { line: 1, fields: ['__line', ...columns] };
  for (let i = 0; i < records; i++) {
    yield { line: i + 2, fields: [String(i + 2), ...columns.map((_, c) => `v${c}`)] };
  }
}

/** Split's output for one group cut into MAX_PARTS parts, part files discarded. */
async function splitOutput(columns: string[]): Promise<SplitOutput> {
  const parts = await splitGroup({
    runId: run.runId,
    group: group(columns),
    records: staged(columns, MAX_PARTS * PART_RECORDS),
    limits: { maxPartBytes: 100_000_000, maxPartRecords: PART_RECORDS },
    partKey: (partId) => `staging/${run.runId}/parts/${partId}.csv`,
    openPart: async () => ({ write: async () => {}, close: async () => {}, abort: () => {} }),
  });
  return { parts, manifestKey: `staging/${run.runId}/manifest.json` };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe(`the state carrying ${MAX_PARTS} parts`, () => {
  it('has 40-character names in the wide mapping', () => {
    expect(columnNames(60).every((name) => name.length === 40)).toBe(true);
    expect(new Set(columnNames(60)).size).toBe(60);
  });

  it('stays well under 256 KB with a 60-column mapping of 40-character names', async () => {
    const columns = columnNames(60);
    const split = await splitOutput(columns);
    expect(split.parts).toHaveLength(MAX_PARTS);
    const transform: TransformOutput = { groups: [group(columns)] };
    // The state Load Parts reads its items from (Report Run's input is a subset of it).
    const loading = { run, validation, transform, split };
    const size = bytes(loading);
    // About 350 bytes a part: 500 parts take ~180 KB, whatever the mapping's width (with the column
    // list in each PartRef this mapping took ~2,900 bytes a part: 256 KB at about 90 parts).
    expect(size, `${size} bytes, ${Math.round(bytes(split) / MAX_PARTS)} per part`).toBeLessThan(
      0.75 * STATE_LIMIT,
    );
  });

  it('costs per part about 150 bytes plus its ids: 2 × runId + 3 × groupId + object, operation, external id', async () => {
    const split = await splitOutput(columnNames(60));
    const { object, operation, externalIdFieldName = '' } = group([]);
    const ids = 2 * run.runId.length + 3 * GROUP_ID.length + object.length + operation.length;
    const perPart = (bytes(split.parts) - 2) / MAX_PARTS;
    // docs/architecture.md (State size) gives this formula for the ids a deployment may choose.
    expect(perPart - ids - externalIdFieldName.length).toBeGreaterThan(140);
    expect(perPart - ids - externalIdFieldName.length).toBeLessThan(160);
  });

  it('does not grow with the width of the mapping: the part file header holds the columns', async () => {
    const narrow = await splitOutput(columnNames(8));
    const wide = await splitOutput(columnNames(60));
    expect(bytes(wide)).toBe(bytes(narrow));
    for (const part of wide.parts) expect(part).not.toHaveProperty('columns');
  });
});

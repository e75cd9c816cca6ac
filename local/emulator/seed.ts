import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { INTEGRATION_USERNAME } from './auth/connected-apps.ts';
import type { EmulatorContext } from './context.ts';
import { planColumns, type RowPlan } from './ingest/column-plan.ts';
import { NULL_MARKER } from './ingest/csv-format.ts';
import { readCsvRecords } from './ingest/csv-records.ts';
import { applyRow, type RowEngineDeps } from './ingest/row-engine.ts';

const BATCH_SIZE = 10_000;

/** A seed row or file the org refused, with where it came from. */
export class SeedError extends Error {
  override name = 'SeedError';
}

/**
 * Loads seed files in the order given (parents before children): CSV files named `<Object>.csv` or
 * `<anything>.<Object>.csv`, and JSON files (`{"Contact": [{…}], …}` or an array of records with
 * `attributes.type`). Rows go through the ingest row engine as inserts, so relationship columns such
 * as `Account.External_Id__c` resolve exactly as in a Bulk job; a row may carry its own `Id`.
 */
export async function loadSeedFiles(ctx: EmulatorContext, files: string[]): Promise<void> {
  const deps: RowEngineDeps = {
    schema: ctx.schema,
    store: ctx.store,
    rowLocked: () => false,
    userId: integrationUserId(ctx),
    explicitIds: true,
  };
  for (const file of files) {
    if (/\.json$/i.test(file)) await seedJson(ctx, deps, file);
    else if (/\.csv$/i.test(file)) await seedCsv(ctx, deps, file);
    else throw new SeedError(`${file}: seed files must be .csv (named <Object>.csv) or .json`);
  }
}

function integrationUserId(ctx: EmulatorContext): string {
  if (!ctx.schema.field('User', 'Username')) return '';
  return ctx.store.findIdsByField('User', 'Username', INTEGRATION_USERNAME)[0] ?? '';
}

function planFor(ctx: EmulatorContext, where: string, objectName: string, header: string[]): RowPlan {
  const object = ctx.schema.object(objectName);
  if (!object) throw new SeedError(`${where}: the org has no object named ${objectName}`);
  const planned = planColumns(ctx.schema, object, 'insert', undefined, header, ctx.quirks);
  if (!planned.ok) throw new SeedError(`${where}: ${planned.errorMessage}`);
  return planned.plan;
}

async function seedCsv(ctx: EmulatorContext, deps: RowEngineDeps, file: string): Promise<void> {
  const objectName =
    basename(file)
      .replace(/\.csv$/i, '')
      .split('.')
      .pop() ?? '';
  const records = readCsvRecords(file, { delimiter: ',' });
  const first = await records.next();
  if (first.done) return;
  const plan = planFor(ctx, file, objectName, first.value.cells);
  let batch: { cells: string[]; line: number; parseError?: string }[] = [];
  const flush = () => {
    ctx.store.transaction(() => {
      for (const row of batch) {
        if (row.parseError !== undefined) throw new SeedError(`${file}:${row.line}: ${row.parseError}`);
        const outcome = applyRow(deps, plan, row.cells);
        if (!outcome.ok) throw new SeedError(`${file}:${row.line}: ${outcome.error}`);
      }
    });
    batch = [];
  };
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= BATCH_SIZE) flush();
  }
  flush();
}

type JsonRecord = Record<string, unknown>;

async function seedJson(ctx: EmulatorContext, deps: RowEngineDeps, file: string): Promise<void> {
  let parsed: unknown;
  try {
    // Seed files are fixtures, small by nature; JSON has no streaming form worth the complexity here.
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SeedError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const groups: Array<[string | undefined, unknown[]]> = Array.isArray(parsed)
    ? [[undefined, parsed]]
    : isObject(parsed)
      ? Object.entries(parsed).map(([name, list]): [string, unknown[]] => [
          name,
          Array.isArray(list) ? list : [],
        ])
      : [];
  if (groups.length === 0)
    throw new SeedError(`${file}: expected {"<Object>": [records]} or an array of records`);
  const plans = new Map<string, RowPlan>();
  ctx.store.transaction(() => {
    let index = 0;
    for (const [groupObject, list] of groups) {
      for (const item of list) {
        index++;
        const where = `${file}: record ${index}`;
        if (!isObject(item)) throw new SeedError(`${where}: not an object`);
        const objectName = groupObject ?? attributesType(item);
        if (!objectName) throw new SeedError(`${where}: no object name (attributes.type)`);
        const row = flatten(item);
        const header = Object.keys(row);
        const key = `${objectName}\u0000${header.join('\u0000')}`;
        let plan = plans.get(key);
        if (!plan) {
          plan = planFor(ctx, where, objectName, header);
          plans.set(key, plan);
        }
        const outcome = applyRow(deps, plan, Object.values(row));
        if (!outcome.ok) throw new SeedError(`${where}: ${outcome.error}`);
      }
    }
  });
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributesType(record: JsonRecord): string | undefined {
  const attributes = record.attributes;
  return isObject(attributes) && typeof attributes.type === 'string' ? attributes.type : undefined;
}

/**
 * A JSON record as CSV cells: nested parents become relationship columns (`"Account": {"External_Id__c":
 * "A1"}` → `Account.External_Id__c`; with `attributes.type` → `Type:Rel.Field`), null becomes `#N/A`.
 */
function flatten(record: JsonRecord): Record<string, string> {
  const row: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    if (isObject(value)) {
      const type = attributesType(value);
      for (const [field, inner] of Object.entries(value)) {
        if (field === 'attributes') continue;
        row[`${type ? `${type}:` : ''}${key}.${field}`] = cell(inner);
      }
    } else {
      row[key] = cell(value);
    }
  }
  return row;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return NULL_MARKER;
  return typeof value === 'string' ? value : String(value);
}

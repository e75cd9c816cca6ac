/**
 * Keeps docs/mapping.md true. Every ```yaml block that is a complete mapping (has `object:`) is parsed
 * and planned against the emulator's default org, and must pass — unless a ```text block of
 * `file.yaml:line:col: message` lines follows it, which must then be exactly the problems reported.
 * Every table with a `→` column is run row by row through the mapping above it (parse, plan, bind,
 * mapRow): source columns in, Bulk CSV values (or a reject's rule and message) out. A ```csv block
 * headed `line,column,value,rule,message` must be the rejected.csv of the ```csv source block before it,
 * and a ```text block after it quoting a rejectThreshold stop must be the error that file raises. And
 * every reject rule the code can produce is listed in the doc's rule table and shown by an example.
 * A ```sh block holding one `npx polyload` command followed by a ```text block is run (the real CLI, in
 * its own process, against the emulator), and its output must start with the text block's lines
 * (all of them, unless the block ends with `...`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CsvRow, CsvScanner, formatCsvRecord } from '../../functions/shared/csv.ts';
import { MappingError } from '../../functions/shared/errors.ts';
import {
  bindHeader,
  groupColumns,
  groupId,
  type MappedRow,
  mapRecords,
  mapRow,
} from '../../functions/shared/mapping/map-row.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { type MappingPlan, planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { REJECTED_COLUMNS } from '../../functions/shared/mapping/run-files.ts';
import { checkRejectThreshold, validateRows } from '../../functions/validate/validate-file.ts';
import { defaultOrgDescribeGlobal } from '../fixtures/pipeline/default-org-describe.ts';
import { docOrg } from './doc-orgs.ts';
import { type CodeBlock, cellValue, codeSpans, readMarkdown, type Table } from './markdown-examples.ts';

const root = resolve(import.meta.dirname, '../..');
const DOC = 'docs/mapping.md';
const items = readMarkdown(readFileSync(resolve(root, DOC), 'utf8'));

const PROBLEM_LINE = /^([\w.-]+\.ya?ml):\d+:\d+: /;
const REJECTED_HEADER = REJECTED_COLUMNS.join(',');

interface MappingExample {
  block: CodeBlock;
  /** The problems the doc says the mapping has; undefined when it must plan. */
  problems?: string[];
}

interface TableExample {
  table: Table;
  mapping: MappingExample;
}

interface RejectsExample {
  source: CodeBlock;
  rejected: CodeBlock;
  mapping: MappingExample;
  /** The reject-threshold stop the doc quotes for this file, if any. */
  stop?: CodeBlock;
}

interface CliExample {
  command: CodeBlock;
  args: string[];
  output: string[];
}

const mappings: MappingExample[] = [];
const commands: CliExample[] = [];
const tables: TableExample[] = [];
const rejectFiles: RejectsExample[] = [];
const yamlBlocks: CodeBlock[] = [];
let ruleTable: Table | undefined;
{
  let current: MappingExample | undefined;
  let source: CodeBlock | undefined;
  for (const [index, item] of items.entries()) {
    if (item.kind === 'code' && item.lang === 'yaml') {
      yamlBlocks.push(item);
      if (!/^object:/m.test(item.text)) continue;
      const next = items[index + 1];
      const lines = next?.kind === 'code' ? next.text.split('\n').filter((l) => l.trim() !== '') : [];
      const isProblems =
        next?.kind === 'code' &&
        next.lang === 'text' &&
        next.adjacent &&
        lines.length > 0 &&
        lines.every((l) => PROBLEM_LINE.test(l));
      current = { block: item, ...(isProblems ? { problems: lines } : {}) };
      mappings.push(current);
      source = undefined;
    } else if (item.kind === 'code' && item.lang === 'sh' && /^npx polyload /.test(item.text)) {
      const next = items[index + 1];
      if (next?.kind !== 'code' || next.lang !== 'text' || !next.adjacent)
        throw new Error(`${DOC}:${item.line}: a command needs its output in a text block right below it`);
      // `[--salesforce URL]` shows an option; the example runs without it, against the emulator.
      const args = item.text
        .replace(/\[[^\]]*\]/g, '')
        .trim()
        .split(/\s+/)
        .slice(2);
      commands.push({ command: item, args, output: next.text.split('\n') });
    } else if (item.kind === 'table' && item.header.some((h) => h.startsWith('→'))) {
      if (!current || current.problems)
        throw new Error(`${DOC}:${item.line}: no valid mapping above this table`);
      tables.push({ table: item, mapping: current });
    } else if (item.kind === 'table' && item.header[0] === 'Rule') {
      ruleTable = item;
    } else if (item.kind === 'code' && item.lang === 'csv') {
      if (item.text.split('\n')[0] !== REJECTED_HEADER) source = item;
      else if (!current || !source) throw new Error(`${DOC}:${item.line}: no mapping and source file above`);
      else rejectFiles.push({ source, rejected: item, mapping: current });
    } else if (item.kind === 'code' && item.lang === 'text' && item.text.includes('rejectThreshold of')) {
      const last = rejectFiles.at(-1);
      if (!last) throw new Error(`${DOC}:${item.line}: no rejected.csv example above this threshold stop`);
      last.stop = item;
    }
  }
}

const plans = new Map<MappingExample, Promise<MappingPlan>>();
// As the pipeline plans: every object's key prefix from the global describe, to name an Id's object.
const describeGlobal = defaultOrgDescribeGlobal();

function planOf(example: MappingExample, fileName = 'mapping.yaml'): Promise<MappingPlan> {
  let plan = plans.get(example);
  if (!plan) {
    const { org, apiVersion } = example.block.directives;
    plan = (async () =>
      planMapping(parseMapping(example.block.text, fileName), docOrg(org), {
        describeGlobal,
        ...(apiVersion ? { apiVersion } : {}),
      }))();
    plans.set(example, plan);
  }
  return plan;
}

const where = (line: number) => `${DOC}:${line}`;

it('finds the examples it checks', () => {
  expect(mappings.length).toBeGreaterThan(80);
  expect(mappings.filter((m) => m.problems).length).toBeGreaterThan(25);
  expect(tables.length).toBeGreaterThan(50);
  expect(rejectFiles.filter((r) => r.stop)).toHaveLength(1);
  expect(commands).toHaveLength(2);
  expect(ruleTable).toBeDefined();
});

it('links only to headings the doc has', () => {
  const markdown = readFileSync(resolve(root, DOC), 'utf8');
  // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens.
  const anchors = new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
  const links = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
  expect(links.length).toBeGreaterThan(20);
  expect(links.filter((link) => !anchors.has(link))).toEqual([]);
});

it('reads every doc-test directive it finds: org and apiVersion, on mappings', () => {
  const misplaced = items.filter(
    (item) =>
      Object.keys(item.directives).length > 0 &&
      !(item.kind === 'code' && item.lang === 'yaml' && /^object:/m.test(item.text)),
  );
  expect(misplaced.map((item) => where(item.line))).toEqual([]);
  const keys = new Set(mappings.flatMap((m) => Object.keys(m.block.directives)));
  expect([...keys].filter((key) => key !== 'org' && key !== 'apiVersion')).toEqual([]);
});

it.each(yamlBlocks.map((b) => [where(b.line), b] as const))('%s is YAML', (_at, block) => {
  expect(() => parseYaml(block.text)).not.toThrow();
});

describe('mappings', () => {
  const valid = mappings.filter((m) => !m.problems);
  it.each(valid.map((m) => [where(m.block.line), m] as const))('%s plans against its org', async (_at, m) => {
    await expect(planOf(m)).resolves.toBeDefined();
  });

  const invalid = mappings.filter((m) => m.problems);
  it.each(invalid.map((m) => [where(m.block.line), m] as const))(
    '%s fails with the problems shown below it',
    async (_at, m) => {
      const file = PROBLEM_LINE.exec(m.problems?.[0] ?? '')?.[1];
      const error = await planOf(m, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MappingError);
      expect((error as Error).message.split('\n')).toEqual(m.problems);
    },
  );
});

/** Every column the plan reads that a file must have. */
function columnsRead(plan: MappingPlan): string[] {
  const columns: string[] = [];
  for (const field of plan.fields) {
    const source = field.source;
    if (source.kind === 'column') columns.push(source.column);
    if (source.kind === 'template' || source.kind === 'join') columns.push(...source.columns);
    for (const choice of field.reference?.choices ?? []) if (choice.column) columns.push(choice.column);
    const reference = field.reference;
    if (reference?.typeColumn && reference.defaultType === undefined) columns.push(reference.typeColumn);
  }
  for (const compound of plan.compounds) columns.push(...compound.columns);
  return columns;
}

/** What an output cell of an example table expects. */
type Expected =
  | { kind: 'value'; column: string; value: string; header?: string }
  | { kind: 'reject'; rule: string; message?: string };

function expectedOf(header: string, cell: string): Expected | undefined {
  const rejected = /^\*\*rejected\*\*\s*`([^`]+)`(?::\s*(.+))?$/.exec(cell);
  if (rejected)
    return { kind: 'reject', rule: rejected[1] as string, ...(rejected[2] ? { message: rejected[2] } : {}) };
  const column = codeSpans(header)[0] ?? header.replace(/^→\s*/, '');
  const under = /\bunder\s+`([^`]+)`/.exec(cell);
  return {
    kind: 'value',
    column,
    value: cellValue(cell.replace(/\s*\bunder\s+`[^`]+`/, '')),
    ...(under ? { header: under[1] } : {}),
  };
}

/** The Bulk value (and its column's header) a mapped row has for an output column of the doc. */
function actualOf(
  plan: MappingPlan,
  row: MappedRow & { ok: true },
  column: string,
): { value: string; header?: string } {
  const headers = groupColumns(plan, row.group);
  if (column === 'job') return { value: groupId(plan, row.group) };
  if (column === 'Bulk header') return { value: headers.join(',') };
  let index = headers.indexOf(column);
  if (index === -1) index = plan.fields.findIndex((f) => f.field === column);
  if (index === -1) throw new Error(`the plan writes no column ${column} (it writes ${headers.join(', ')})`);
  return { value: row.values[index] ?? '', header: headers[index] as string };
}

describe('example tables', () => {
  it.each(tables.map((t) => [where(t.table.line), t] as const))('%s', async (_at, { table, mapping }) => {
    const plan = await planOf(mapping);
    const inputs = table.header.flatMap((h, i) => (h.startsWith('→') ? [] : [[i, codeSpans(h)[0]] as const]));
    const outputs = table.header.flatMap((h, i) => (h.startsWith('→') ? [[i, h] as const] : []));
    const named = inputs.filter((input): input is readonly [number, string] => input[1] !== undefined);
    const header = [...new Set([...named.map(([, c]) => c), ...columnsRead(plan)])];
    const bound = bindHeader(plan, header, 'example.csv');
    expect(table.rows.length).toBeGreaterThan(0);
    for (const { line, cells } of table.rows) {
      const record = header.map((column) => {
        const at = named.find(([, c]) => c === column)?.[0];
        return at === undefined ? '' : cellValue(cells[at] ?? '');
      });
      const result = mapRow(bound, record, 2);
      const expected = outputs.flatMap(([i, h]) => {
        const e = expectedOf(h, cells[i] ?? '');
        return e ? [e] : [];
      });
      const reject = expected.find((e) => e.kind === 'reject');
      if (reject) {
        expect.soft(result, `${where(line)}: rejected`).toMatchObject({ ok: false });
        if (!result.ok) {
          const rejects = result.rejects.map((r) => ({ rule: r.rule, message: r.message }));
          const wanted = { rule: reject.rule, ...(reject.message ? { message: reject.message } : {}) };
          expect
            .soft(rejects, `${where(line)}: the reject`)
            .toContainEqual(reject.message ? wanted : expect.objectContaining(wanted));
        }
        continue;
      }
      expect.soft(result, `${where(line)}: loads`).toMatchObject({ ok: true });
      if (!result.ok) continue;
      for (const e of expected) {
        if (e.kind !== 'value') continue;
        const actual = actualOf(plan, result, e.column);
        expect.soft(actual.value, `${where(line)}: → ${e.column}`).toBe(e.value);
        if (e.header !== undefined)
          expect.soft(actual.header, `${where(line)}: header of ${e.column}`).toBe(e.header);
      }
    }
  });
});

/** The records of a CSV text with the lines they start on (the header is line 1). */
function csvRows(text: string): CsvRow[] {
  const scanner = new CsvScanner(',', 'source.csv');
  return [...scanner.push(`${text}\n`), ...scanner.finish()];
}

async function* asAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('rejected.csv examples', () => {
  it.each(rejectFiles.map((r) => [where(r.rejected.line), r] as const))(
    '%s is what the source above it gives',
    async (_at, { source, rejected, mapping }) => {
      const plan = await planOf(mapping);
      let text = formatCsvRecord(REJECTED_COLUMNS);
      for await (const { result } of mapRecords(plan, asAsync(csvRows(source.text)), 'source.csv')) {
        if (result.ok) continue;
        for (const r of result.rejects) {
          text += formatCsvRecord([String(r.line), r.column, r.value, r.rule, r.message]);
        }
      }
      expect(text).toBe(`${rejected.text}\n`);
    },
  );

  const stops = rejectFiles.filter((r) => r.stop);
  it.each(stops.map((r) => [where(r.stop?.line ?? 0), r] as const))(
    '%s is the error a file over the threshold raises',
    async (_at, { source, mapping, stop }) => {
      const quoted = stop?.text.trim() ?? '';
      // The file, mapping and rejected.csv names are the doc's own; the figures must be the code's.
      const [, file, mappingFile, location] =
        /^(\S+): .* in (\S+); nothing was loaded\. Reasons: (\S+)$/.exec(quoted) ?? [];
      const plan = await planMapping(parseMapping(mapping.block.text, mappingFile ?? ''), docOrg(), {
        describeGlobal,
      });
      const counts = await validateRows({
        plan,
        rows: asAsync(csvRows(source.text)),
        fileLabel: 'source.csv',
        onReject: async () => {},
      });
      expect(() => checkRejectThreshold(plan, counts, file ?? '', location ?? '')).toThrow(quoted);
    },
  );
});

/** Runs the real CLI in its own process; its report and progress lines, progress left out. */
function polyload(args: string[]): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(root, 'bin/polyload.js'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const lines = output.split('\n').filter((line) => !line.startsWith('polyload: '));
      done({ code, lines });
    });
  });
}

describe('commands', () => {
  it.each(commands.map((c) => [where(c.command.line), c] as const))(
    '%s prints what the doc shows',
    async (_at, { args, output }) => {
      const { code, lines } = await polyload(args);
      expect(code).toBe(0);
      const shown = output.at(-1)?.trim() === '...' ? output.slice(0, -1) : output;
      expect(lines.slice(0, shown.length)).toEqual(shown);
      if (shown === output) expect(lines.slice(shown.length).join('').trim()).toBe('');
    },
  );
});

/** Rule ids the code can put in rejected.csv, read from where they are declared. */
function codeRules(): string[] {
  const read = (path: string) => readFileSync(resolve(root, 'functions/shared/mapping', path), 'utf8');
  const union = (text: string, type: string) => {
    const body = new RegExp(`export type ${type} =([^;]+);`).exec(text)?.[1] ?? '';
    return [...body.matchAll(/'([\w.]+)'/g)].map((m) => m[1] as string);
  };
  const mapRowText = read('map-row.ts');
  const rowRules = [
    ...mapRowText.matchAll(/\brule: '([\w.]+)'/g),
    ...mapRowText.matchAll(/reject\(\s*[^,()]+,\s*[^,()]+,\s*'([\w.]+)'/g),
  ].map((m) => m[1] as string);
  return [
    ...new Set([
      ...rowRules,
      ...union(read('values/spec.ts'), 'ValueRuleId'),
      ...union(read('compound/compile.ts'), 'CompoundRule'),
    ]),
  ];
}

describe('reject rules', () => {
  const rules = codeRules();

  it('lists every rule the code can produce in the rule table, and no other', () => {
    expect(rules).toContain('columnCount');
    expect(rules).toContain('lookupTarget');
    const listed = (ruleTable?.rows ?? []).map((r) => codeSpans(r.cells[0] ?? '')[0]);
    expect([...listed].sort()).toEqual([...rules].sort());
  });

  it('shows every rule in a checked example', () => {
    const shown = new Set<string>();
    for (const { table } of tables) {
      for (const { cells } of table.rows) {
        for (const cell of cells) {
          const rule = /^\*\*rejected\*\*\s*`([^`]+)`/.exec(cell)?.[1];
          if (rule) shown.add(rule);
        }
      }
    }
    for (const { rejected } of rejectFiles) {
      for (const { fields } of csvRows(rejected.text).slice(1)) shown.add(fields[3] ?? '');
    }
    expect(rules.filter((r) => !shown.has(r))).toEqual([]);
  });
});

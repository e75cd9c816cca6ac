/**
 * Reads a mapping from YAML. Every problem is reported with its place in the file
 * (`care-tasks.yaml:14:7: ...`) and all of them at once, so a user fixes a mapping in one round.
 * Keys are handled by rule tables — one entry per key — so that the mapping language grows by adding
 * entries, not branches. Checks that need the org (fields, types, picklists) are planMapping's.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import type { Operation } from '../contracts.ts';
import { MappingError } from '../errors.ts';
import { didYouMean } from './suggest.ts';
import type {
  BlankPolicy,
  CompoundSource,
  FieldMapping,
  LookupTarget,
  Mapping,
  MappingDefaults,
  Position,
  ReferenceSpec,
  RejectThreshold,
  Setting,
  SourceFormat,
  ValueSource,
} from './types.ts';
import {
  DEFAULT_RULE_KEYS,
  parseTemplate,
  readValueDefaults,
  readValueRules,
  VALUE_RULE_KEYS,
  ValueSpecError,
} from './values/index.ts';

const OPERATIONS: readonly Operation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
const DELIMITER_NAMES: Record<string, string> = {
  ',': ',',
  ';': ';',
  '\t': '\t',
  '|': '|',
  '^': '^',
  '`': '`',
  comma: ',',
  semicolon: ';',
  tab: '\t',
  pipe: '|',
  caret: '^',
  backquote: '`',
};
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** `typeValues` target meaning "a raw Salesforce Id; its key prefix says the type". */
export const RAW_ID_TYPE = 'Id';

/** Collects problems with their positions while the document is walked. */
export class Reader {
  readonly problems: string[] = [];
  readonly #file: string;
  readonly #lines: LineCounter;

  constructor(file: string, lines: LineCounter) {
    this.#file = file;
    this.#lines = lines;
  }

  at(node: Node | null | undefined): Position {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.#lines.linePos(offset);
    return { line, col };
  }

  problem(where: Node | Position | null | undefined, message: string): void {
    const { line, col } = where && 'line' in where ? where : this.at(where as Node | undefined);
    this.problems.push(`${this.#file}:${line}:${col}: ${message}`);
  }

  /** The node as a non-empty string scalar, or a recorded problem. */
  string(node: Node | null | undefined, what: string, anchor?: Node | null): string | undefined {
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      const text = String(node.value);
      if (text !== '') return text;
    }
    this.problem(node ?? anchor, `${what} must be a non-empty value`);
    return undefined;
  }

  /** A list of non-empty strings (a single value counts as a list of one). */
  strings(node: Node | null | undefined, what: string, anchor?: Node | null): string[] | undefined {
    if (isScalar(node)) {
      const one = this.string(node, what, anchor);
      return one === undefined ? undefined : [one];
    }
    if (!isSeq(node) || node.items.length === 0) {
      this.problem(node ?? anchor, `${what} must be a value or a list of values`);
      return undefined;
    }
    const list: string[] = [];
    for (const item of node.items as Node[]) {
      const text = this.string(item, `each of ${what}`);
      if (text === undefined) return undefined;
      list.push(text);
    }
    return list;
  }

  apiName(node: Node | null | undefined, what: string, anchor?: Node | null): string | undefined {
    const name = this.string(node, what, anchor);
    if (name !== undefined && !API_NAME.test(name)) {
      this.problem(node, `${what} "${name}" is not a Salesforce API name`);
      return undefined;
    }
    return name;
  }

  boolean(node: Node | null | undefined, what: string, anchor?: Node | null): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.problem(node ?? anchor, `${what} must be true or false`);
    return undefined;
  }

  map(node: Node | null | undefined, what: string, anchor?: Node | null): YAMLMap<Node, Node> | undefined {
    if (isMap(node)) return node as YAMLMap<Node, Node>;
    this.problem(node ?? anchor, `${what} must be a mapping of keys to values`);
    return undefined;
  }

  /** Each key of a map with its handler from `rules`; unknown and repeated keys are problems. */
  entries<R>(
    map: YAMLMap<Node, Node>,
    rules: Record<string, R>,
    what: string,
  ): [string, Pair<Node, Node>, R][] {
    const seen = new Set<string>();
    const result: [string, Pair<Node, Node>, R][] = [];
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.problem(pair.key, `${what} keys must be plain names`);
        continue;
      }
      const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
      if (rule === undefined) {
        const known = Object.keys(rules);
        const hint = didYouMean(key, known);
        this.problem(
          pair.key,
          hint
            ? `unknown key "${key}" in ${what}${hint}`
            : `unknown key "${key}" in ${what} (expected one of: ${known.join(', ')})`,
        );
        continue;
      }
      if (seen.has(key)) {
        this.problem(pair.key, `"${key}" is given twice in ${what}`);
        continue;
      }
      seen.add(key);
      result.push([key, pair, rule]);
    }
    return result;
  }
}

interface Draft {
  object?: string;
  operation?: Operation;
  externalId?: string;
  source: SourceFormat;
  rejectThreshold?: RejectThreshold;
  defaults: MappingDefaults;
  fields: FieldMapping[];
  at: Partial<Mapping['at']>;
}

type TopLevelRule = (value: Node | null, pair: Pair<Node, Node>, reader: Reader, draft: Draft) => void;

const TOP_LEVEL: Record<string, TopLevelRule> = {
  object(value, pair, reader, draft) {
    draft.at.object = reader.at(pair.key as Node);
    draft.object = reader.apiName(value, 'object', pair.key as Node);
  },
  operation(value, pair, reader, draft) {
    draft.at.operation = reader.at(pair.key as Node);
    const operation = reader.string(value, 'operation', pair.key as Node);
    if (operation === undefined) return;
    if ((OPERATIONS as readonly string[]).includes(operation)) draft.operation = operation as Operation;
    else
      reader.problem(
        value,
        `operation "${operation}" is not one of ${OPERATIONS.join(', ')}${didYouMean(operation, OPERATIONS)}`,
      );
  },
  externalId(value, pair, reader, draft) {
    draft.at.externalId = reader.at(pair.key as Node);
    draft.externalId = reader.apiName(value, 'externalId', pair.key as Node);
  },
  source(value, pair, reader, draft) {
    const map = reader.map(value, 'source', pair.key as Node);
    if (!map) return;
    for (const [, entry, rule] of reader.entries(map, SOURCE_KEYS, 'source')) {
      rule(entry.value ?? null, entry, reader, draft.source);
    }
  },
  rejectThreshold(value, pair, reader, draft) {
    draft.rejectThreshold = readThreshold(value, pair, reader);
  },
  defaults(value, pair, reader, draft) {
    const map = reader.map(value, 'defaults', pair.key as Node);
    if (!map) return;
    const keys = Object.fromEntries(DEFAULT_RULE_KEYS.map((k) => [k, true]));
    const settings: Record<string, Setting> = {};
    for (const [key, entry] of reader.entries(map, keys, 'defaults')) {
      settings[key] = settingOf(entry, reader);
    }
    if (!checkValueSettings(settings, readValueDefaults, reader)) return;
    draft.defaults.rules = settings;
    if (settings.blank?.value === 'clear') draft.defaults.blank = 'clear';
  },
  fields(value, pair, reader, draft) {
    draft.at.fields = reader.at(pair.key as Node);
    const map = reader.map(value, 'fields', pair.key as Node);
    if (!map) return;
    const seen = new Map<string, Position>();
    for (const entry of map.items) {
      const field = reader.apiName(entry.key, 'a field name');
      if (field === undefined) continue;
      const at = reader.at(entry.key);
      const earlier = seen.get(field.toLowerCase());
      if (earlier) {
        reader.problem(at, `field ${field} is mapped twice (first at line ${earlier.line})`);
        continue;
      }
      seen.set(field.toLowerCase(), at);
      const mapping = readField(field, at, entry.value ?? null, entry, reader);
      if (mapping) draft.fields.push(mapping);
    }
    if (map.items.length === 0) reader.problem(pair.key as Node, 'fields must map at least one field');
  },
};

type SourceRule = (value: Node | null, pair: Pair<Node, Node>, reader: Reader, source: SourceFormat) => void;

const SOURCE_KEYS: Record<string, SourceRule> = {
  delimiter(value, pair, reader, source) {
    // Read the raw scalar: a bare tab is not visible in YAML, so "\t" (quoted) or `tab` is expected.
    const text = isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
    const delimiter = text === undefined ? undefined : DELIMITER_NAMES[text.toLowerCase()];
    if (delimiter === undefined) {
      reader.problem(
        value ?? (pair.key as Node),
        'delimiter must be one of: comma, semicolon, tab, pipe, caret, backquote (or the character itself)',
      );
      return;
    }
    source.delimiter = delimiter;
  },
  encoding(value, pair, reader) {
    const encoding = reader.string(value, 'encoding', pair.key as Node);
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      reader.problem(
        value,
        `encoding "${encoding}" is not supported: Bulk API 2.0 takes UTF-8 (convert the file first)`,
      );
    }
  },
  header(value, pair, reader) {
    if (!(isScalar(value) && value.value === true)) {
      reader.problem(
        value ?? (pair.key as Node),
        'header must be true: files need a header row naming their columns',
      );
    }
  },
};

function readThreshold(
  value: Node | null,
  pair: Pair<Node, Node>,
  reader: Reader,
): RejectThreshold | undefined {
  const raw = isScalar(value) ? value.value : undefined;
  const percent = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw) : null;
  if (percent?.[1] !== undefined && Number(percent[1]) <= 100)
    return { kind: 'ratio', value: Number(percent[1]) / 100 };
  if (typeof raw === 'number' && raw >= 0) {
    if (Number.isInteger(raw)) return { kind: 'count', value: raw };
    if (raw < 1) return { kind: 'ratio', value: raw };
  }
  reader.problem(
    value ?? (pair.key as Node),
    'rejectThreshold must be a count of rows (0, 25), a ratio below 1 (0.05) or a percentage ("5%")',
  );
  return undefined;
}

function readBlank(value: Node | null, pair: Pair<Node, Node>, reader: Reader): BlankPolicy | undefined {
  const text = isScalar(value) ? value.value : undefined;
  if (text === 'keep' || text === 'clear') return text;
  reader.problem(
    value ?? (pair.key as Node),
    'blank must be keep (an empty cell leaves the field unchanged) or clear (sets it to null with #N/A)',
  );
  return undefined;
}

/** A key's value as plain data, with its place (sub-keys' places kept for messages about them). */
function settingOf(pair: Pair<Node, Node>, reader: Reader): Setting {
  const node = (pair.value ?? null) as Node | null;
  const at = reader.at(pair.key as Node);
  const setting: Setting = { value: node === null ? null : (node.toJSON() as unknown), at };
  if (isMap(node)) {
    const inner = new Map<string, Position>();
    for (const item of (node as YAMLMap<Node, Node>).items) {
      if (isScalar(item.key)) inner.set(String(item.key.value), reader.at(item.key));
    }
    setting.inner = inner;
  }
  return setting;
}

/**
 * Value-rule keys are the values library's: it checks them (formats, zones, patterns) and names the
 * key at fault, which points the message at its line.
 */
function checkValueSettings(
  settings: Record<string, Setting>,
  read: (raw: Record<string, unknown>) => { problems: { key: string; message: string }[] },
  reader: Reader,
): boolean {
  const raw = Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, s.value]));
  const { problems } = read(raw);
  for (const problem of problems) reader.problem(positionOfKey(settings, problem.key), problem.message);
  return problems.length === 0;
}

/** `valueMap.otherwise` or `valueMap "M"` → where that is in the file (the key's own place at worst). */
export function positionOfKey(settings: Record<string, Setting>, key: string): Position {
  const [head = key, ...rest] = key.split(/[. ]/);
  const setting = settings[head];
  const sub = rest.join(' ').replace(/^"|"$/g, '');
  return setting?.inner?.get(sub) ?? setting?.at ?? { line: 1, col: 1 };
}

/** What the keys of one field's mapping say, before their combination is checked. */
interface FieldSpec {
  column?: string;
  constant?: string;
  template?: { template: string; columns: string[] };
  join?: string[];
  separator?: string;
  required?: boolean;
  blank?: BlankPolicy;
  lookup?: LookupTarget[];
  id?: ReferenceSpec['ids'];
  typeColumn?: string;
  typeValues?: Map<string, string>;
  defaultType?: string;
  compound?: CompoundSource;
  rules: Record<string, Setting>;
  keys: Record<string, Position>;
}

type FieldRule = (value: Node | null, pair: Pair<Node, Node>, reader: Reader, spec: FieldSpec) => void;

const COMPOUND_KINDS = ['address', 'name', 'geolocation'] as const;

const FIELD_KEYS: Record<string, FieldRule> = {
  column(value, pair, reader, spec) {
    spec.column = reader.string(value, 'column', pair.key as Node);
  },
  constant(value, pair, reader, spec) {
    spec.constant = reader.string(value, 'constant', pair.key as Node);
  },
  template(value, pair, reader, spec) {
    const template = reader.string(value, 'template', pair.key as Node);
    if (template === undefined) return;
    try {
      spec.template = { template, columns: parseTemplate(template).columns };
    } catch (error) {
      if (!(error instanceof ValueSpecError)) throw error;
      for (const problem of error.problems) reader.problem(value, `template: ${problem.message}`);
    }
  },
  join(value, pair, reader, spec) {
    // `join: [a, b]` (joined with a space) or `join: { columns: [a, b], separator: ", " }`.
    if (!isMap(value)) {
      spec.join = reader.strings(value, 'join', pair.key as Node);
      return;
    }
    const keys = { columns: true, separator: true };
    for (const [key, entry] of reader.entries(value as YAMLMap<Node, Node>, keys, 'join')) {
      if (key === 'columns') spec.join = reader.strings(entry.value, 'join columns', entry.key);
      else if (isScalar(entry.value) && typeof entry.value.value === 'string')
        spec.separator = entry.value.value;
      else reader.problem(entry.value ?? entry.key, 'separator must be text (quote it: ", ")');
    }
    if (spec.join === undefined) reader.problem(pair.key as Node, 'join needs columns, the columns it joins');
  },
  required(value, pair, reader, spec) {
    spec.required = reader.boolean(value, 'required', pair.key as Node);
  },
  blank(value, pair, reader, spec) {
    spec.blank = readBlank(value, pair, reader);
  },
  lookup(value, pair, reader, spec) {
    const map = reader.map(value, 'lookup', pair.key as Node);
    if (!map) return;
    const targets: LookupTarget[] = [];
    for (const entry of map.items) {
      const object = reader.apiName(entry.key, 'a lookup target object');
      if (object === undefined) continue;
      const target = readLookupTarget(object, entry, reader);
      if (!target) continue;
      if (targets.some((t) => t.object.toLowerCase() === object.toLowerCase())) {
        reader.problem(entry.key, `lookup target ${object} is given twice`);
        continue;
      }
      targets.push(target);
    }
    if (map.items.length === 0)
      reader.problem(pair.key as Node, 'lookup must name at least one target object');
    spec.lookup = targets;
  },
  id(value, pair, reader, spec) {
    const at = reader.at(pair.key as Node);
    if (isScalar(value) && value.value === true) {
      spec.id = { objects: 'all', at };
      return;
    }
    if (isSeq(value) || (isScalar(value) && typeof value.value === 'string')) {
      const objects = reader.strings(value, 'id');
      if (objects) spec.id = { objects, at };
      return;
    }
    const map = isMap(value) ? (value as YAMLMap<Node, Node>) : undefined;
    if (!map) {
      reader.problem(
        value ?? (pair.key as Node),
        'id must be true, a list of the objects whose Ids the column may hold, or { column, objects }',
      );
      return;
    }
    const ids: NonNullable<FieldSpec['id']> = { objects: 'all', at };
    for (const [key, entry] of reader.entries(map, { column: true, objects: true }, 'id')) {
      if (key === 'column') {
        const column = reader.string(entry.value, 'id column', entry.key as Node);
        if (column !== undefined) ids.column = column;
      } else {
        const objects = reader.strings(entry.value, 'id objects', entry.key as Node);
        if (objects) ids.objects = objects;
      }
    }
    spec.id = ids;
  },
  typeColumn(value, pair, reader, spec) {
    spec.typeColumn = reader.string(value, 'typeColumn', pair.key as Node);
  },
  defaultType(value, pair, reader, spec) {
    spec.defaultType = reader.apiName(value, 'defaultType', pair.key as Node);
  },
  typeValues(value, pair, reader, spec) {
    const map = reader.map(value, 'typeValues', pair.key as Node);
    if (!map) return;
    const aliases = new Map<string, string>();
    for (const entry of map.items) {
      const alias = reader.string(entry.key, 'a type value');
      const object = reader.apiName(
        entry.value,
        `the object for type value ${alias ?? ''}`.trim(),
        entry.key,
      );
      if (alias === undefined || object === undefined) continue;
      if (aliases.has(alias.toLowerCase())) {
        reader.problem(entry.key, `type value "${alias}" is given twice (type values are case-insensitive)`);
        continue;
      }
      aliases.set(alias.toLowerCase(), object);
    }
    spec.typeValues = aliases;
  },
  ...Object.fromEntries(
    COMPOUND_KINDS.map((kind): [string, FieldRule] => [
      kind,
      (value, pair, reader, spec) => {
        if (value === null || (isScalar(value) && value.value === null)) {
          reader.problem(pair.key as Node, `${kind} needs its input: columns, or one column and its format`);
          return;
        }
        spec.compound = { kind, spec: settingOf(pair, reader) };
      },
    ]),
  ),
  ...Object.fromEntries(
    VALUE_RULE_KEYS.filter((key) => key !== 'required' && key !== 'blank').map((key): [string, FieldRule] => [
      key,
      (_value, pair, reader, spec) => {
        spec.rules[key] = settingOf(pair, reader);
      },
    ]),
  ),
};

/** `Contact: Patient_Id__c` or `Contact: { field: Patient_Id__c, column: patient_ref }`. */
function readLookupTarget(object: string, entry: Pair<Node, Node>, reader: Reader): LookupTarget | undefined {
  const at = reader.at(entry.key as Node);
  if (!isMap(entry.value)) {
    const matchField = reader.apiName(entry.value, `the field to match on ${object}`, entry.key as Node);
    return matchField === undefined ? undefined : { object, matchField, at };
  }
  let matchField: string | undefined;
  let column: string | undefined;
  const map = entry.value as YAMLMap<Node, Node>;
  for (const [key, pair] of reader.entries(map, { field: true, column: true }, `lookup ${object}`)) {
    if (key === 'field') matchField = reader.apiName(pair.value, `the field to match on ${object}`, pair.key);
    else column = reader.string(pair.value, `${object}'s column`, pair.key);
  }
  if (matchField === undefined) {
    reader.problem(entry.key as Node, `lookup ${object} needs field, the ${object} field its values match`);
    return undefined;
  }
  return { object, matchField, at, ...(column !== undefined ? { column } : {}) };
}

const SOURCE_KEY_NAMES = ['column', 'constant', 'template', 'join'] as const;

/** Checks the combination of a field's keys and builds its mapping. */
function buildField(field: string, at: Position, spec: FieldSpec, reader: Reader): FieldMapping | undefined {
  const sources = SOURCE_KEY_NAMES.filter((key) => spec.keys[key] !== undefined);
  const reference = spec.lookup !== undefined || spec.id !== undefined;
  const problem = (message: string) => {
    reader.problem(at, `${field}: ${message}`);
    return undefined;
  };
  if (sources.length > 1) {
    return problem(
      `a field takes its value from one of column, constant, template or join, not ${sources.join(' and ')}`,
    );
  }
  if (spec.compound) {
    if (sources.length > 0 || reference)
      return problem(
        `${spec.compound.kind} reads its own columns; remove ${[...sources, ...(reference ? ['lookup/id'] : [])].join(', ')}`,
      );
    const kinds = Object.keys(spec.keys).filter((k) => (COMPOUND_KINDS as readonly string[]).includes(k));
    if (kinds.length > 1) return problem(`choose one of ${kinds.join(' or ')}`);
  }
  if (
    !reference &&
    (spec.typeColumn !== undefined || spec.typeValues !== undefined || spec.defaultType !== undefined)
  )
    return problem('typeColumn, typeValues and defaultType only apply to a lookup or id');
  if (spec.typeValues !== undefined && spec.typeColumn === undefined)
    return problem('typeValues needs typeColumn, the column whose values it translates');
  if (spec.defaultType !== undefined && spec.typeColumn === undefined)
    return problem('defaultType needs typeColumn: it is the type of rows whose type cell is blank');
  const typed = Object.keys(spec.rules).filter((k) => k === 'type');
  if (reference && typed.length > 0)
    return problem('a lookup or id field takes no type; its values are matched, not converted');

  let source: ValueSource;
  if (spec.column !== undefined) source = { kind: 'column', column: spec.column };
  else if (spec.constant !== undefined) source = { kind: 'constant', value: spec.constant };
  else if (spec.template !== undefined) source = { kind: 'template', ...spec.template };
  else if (spec.join !== undefined)
    source = { kind: 'join', columns: spec.join, separator: spec.separator ?? ' ' };
  else if (spec.compound) source = { kind: 'compound' };
  else if (reference && perTargetColumns(spec)) source = { kind: 'perTarget' };
  else if (reference)
    return problem("a lookup needs the column holding the parent's key (column, or a column per target)");
  else return problem('say where its value comes from (column, constant, template, join, lookup or id)');

  let referenceSpec: ReferenceSpec | undefined;
  if (reference) {
    const targets = spec.lookup ?? [];
    const sharedTargets = targets.filter((t) => t.column === undefined);
    if (source.kind === 'perTarget' && sharedTargets.length > 0)
      return problem(
        `lookup ${sharedTargets.map((t) => t.object).join(', ')} needs a column (give the field a column, or the target one)`,
      );
    if (spec.id && source.kind === 'perTarget' && spec.id.column === undefined)
      return problem('id needs a column (give the field a column, or id: { column })');
    // Several targets reading the same column: only a type column (or an Id's key prefix, for one
    // lookup target) can tell them apart.
    if (sharedTargets.length > 1 && spec.typeColumn === undefined) {
      return problem(
        `a lookup with several targets (${targets.map((t) => t.object).join(', ')}) needs typeColumn, the column naming each row's target`,
      );
    }
    if (source.kind === 'constant' && (targets.length > 1 || spec.typeColumn !== undefined))
      return problem('a constant lookup has one target and no typeColumn');
    referenceSpec = {
      targets,
      ...(spec.id ? { ids: spec.id } : {}),
      ...(spec.typeColumn !== undefined ? { typeColumn: spec.typeColumn } : {}),
      ...(spec.typeValues !== undefined ? { typeValues: spec.typeValues } : {}),
      ...(spec.defaultType !== undefined ? { defaultType: spec.defaultType } : {}),
    };
  }
  return {
    field,
    at,
    source,
    required: spec.required ?? false,
    ...(spec.blank !== undefined ? { blank: spec.blank } : {}),
    rules: spec.rules,
    ...(referenceSpec ? { reference: referenceSpec } : {}),
    ...(spec.compound ? { compound: spec.compound } : {}),
    keys: spec.keys,
  };
}

/** Every target (and the ids, when accepted) names its own column. */
function perTargetColumns(spec: FieldSpec): boolean {
  const targets = spec.lookup ?? [];
  return (
    targets.some((t) => t.column !== undefined) ||
    (spec.id?.column !== undefined && targets.every((t) => t.column !== undefined))
  );
}

function readField(
  field: string,
  at: Position,
  value: Node | null,
  pair: Pair<Node, Node>,
  reader: Reader,
): FieldMapping | undefined {
  // Shorthand `Subject: subject` is a column rename.
  if (isScalar(value)) {
    const column = reader.string(value, `${field}'s column`, pair.key as Node);
    return column === undefined
      ? undefined
      : { field, at, source: { kind: 'column', column }, required: false, rules: {}, keys: {} };
  }
  const map = reader.map(value, `${field}'s mapping`, pair.key as Node);
  if (!map) return undefined;
  const spec: FieldSpec = { rules: {}, keys: {} };
  const before = reader.problems.length;
  for (const [key, entry, rule] of reader.entries(map, FIELD_KEYS, `field ${field}`)) {
    spec.keys[key] = reader.at(entry.key as Node);
    rule(entry.value ?? null, entry, reader, spec);
  }
  if (reader.problems.length > before) return undefined;
  if (!checkValueSettings(spec.rules, readValueRules, reader)) return undefined;
  return buildField(field, at, spec, reader);
}

/**
 * Parses and checks a mapping's YAML text.
 * @throws MappingError listing every problem as `file:line:col: message`, one per line.
 */
export function parseMapping(text: string, fileName: string): Mapping {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const reader = new Reader(fileName, lineCounter);
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const [start] = error.linePos ?? [{ line: 1, col: 1 }];
      reader.problem(start, error.message.split('\n')[0] ?? 'invalid YAML');
    }
    throw new MappingError(reader.problems.join('\n'));
  }
  const draft: Draft = {
    source: { encoding: 'utf-8', header: true },
    defaults: { blank: 'keep', rules: {} },
    fields: [],
    at: {},
  };
  const root = reader.map(document.contents as Node | null, 'the mapping');
  if (root) {
    for (const [, pair, rule] of reader.entries(root, TOP_LEVEL, 'the mapping')) {
      rule(pair.value ?? null, pair, reader, draft);
    }
    checkWhole(draft, reader);
  }
  if (reader.problems.length > 0) throw new MappingError(reader.problems.join('\n'));
  return {
    file: fileName,
    object: draft.object as string,
    operation: draft.operation as Operation,
    ...(draft.externalId !== undefined ? { externalId: draft.externalId } : {}),
    source: draft.source,
    ...(draft.rejectThreshold !== undefined ? { rejectThreshold: draft.rejectThreshold } : {}),
    defaults: draft.defaults,
    fields: draft.fields,
    at: draft.at as Mapping['at'],
  };
}

/** Rules across keys: what each operation needs. */
function checkWhole(draft: Draft, reader: Reader): void {
  const top = { line: 1, col: 1 };
  if (draft.at.object === undefined)
    reader.problem(top, 'object is missing (the Salesforce object to load, e.g. Task)');
  if (draft.at.operation === undefined)
    reader.problem(top, `operation is missing (one of ${OPERATIONS.join(', ')})`);
  if (draft.at.fields === undefined)
    reader.problem(top, 'fields is missing (which columns load which fields)');
  const operation = draft.operation;
  if (operation === 'upsert' && draft.at.externalId === undefined) {
    reader.problem(
      draft.at.operation ?? top,
      'an upsert needs externalId, the field that matches existing records',
    );
  }
  if (operation !== undefined && operation !== 'upsert' && draft.at.externalId !== undefined) {
    reader.problem(draft.at.externalId, `externalId only applies to upsert, not ${operation}`);
  }
  const keyField =
    operation === 'upsert' ? draft.externalId : operation && operation !== 'insert' ? 'Id' : undefined;
  if (keyField !== undefined && draft.at.fields !== undefined) {
    const key = draft.fields.find((f) => f.field.toLowerCase() === keyField.toLowerCase());
    if (!key) {
      reader.problem(
        draft.at.fields,
        `${operation} needs ${keyField} mapped from a column: it identifies each record`,
      );
    } else if (key.source.kind !== 'column' && key.source.kind !== 'template' && key.source.kind !== 'join') {
      reader.problem(key.at, `${key.field} identifies each record of the ${operation}: map it from a column`);
    }
  }
  if ((operation === 'delete' || operation === 'hardDelete') && draft.fields.length > 1) {
    reader.problem(draft.at.fields ?? top, `${operation} takes only Id; remove the other fields`);
  }
}

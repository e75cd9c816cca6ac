/**
 * Reads a mapping from YAML. Every problem is reported with its place in the file
 * (`care-tasks.yaml:14:7: ...`) and all of them at once, so a user fixes a mapping in one round.
 * Keys are handled by rule tables — one entry per key — so that the mapping language grows by adding
 * entries, not branches.
 */
import { isMap, isScalar, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import type { Operation } from '../contracts.ts';
import { MappingError } from '../errors.ts';
import type {
  BlankPolicy,
  FieldMapping,
  LookupTarget,
  Mapping,
  Position,
  RejectThreshold,
  SourceFormat,
} from './types.ts';

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

/** Collects problems with their positions while the document is walked. */
class Reader {
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

  apiName(node: Node | null | undefined, what: string, anchor?: Node | null): string | undefined {
    const name = this.string(node, what, anchor);
    if (name !== undefined && !API_NAME.test(name)) {
      this.problem(node, `${what} "${name}" is not a Salesforce API name`);
      return undefined;
    }
    return name;
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
        this.problem(
          pair.key,
          `unknown key "${key}" in ${what} (expected one of: ${Object.keys(rules).join(', ')})`,
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
    else reader.problem(value, `operation "${operation}" is not one of ${OPERATIONS.join(', ')}`);
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

/** The keys a field's mapping may use, with how each is read. */
interface FieldSpec {
  column?: string;
  constant?: string;
  required?: boolean;
  blank?: BlankPolicy;
  lookup?: LookupTarget[];
  typeColumn?: string;
  typeValues?: Map<string, string>;
  at: Partial<Record<keyof Omit<FieldSpec, 'at'>, Position>>;
}

type FieldRule = (value: Node | null, pair: Pair<Node, Node>, reader: Reader, spec: FieldSpec) => void;

const FIELD_KEYS: Record<string, FieldRule> = {
  column(value, pair, reader, spec) {
    spec.column = reader.string(value, 'column', pair.key as Node);
  },
  constant(value, pair, reader, spec) {
    spec.constant = reader.string(value, 'constant', pair.key as Node);
  },
  required(value, pair, reader, spec) {
    if (isScalar(value) && typeof value.value === 'boolean') spec.required = value.value;
    else reader.problem(value ?? (pair.key as Node), 'required must be true or false');
  },
  blank(value, pair, reader, spec) {
    const text = isScalar(value) ? value.value : undefined;
    if (text === 'keep' || text === 'clear') spec.blank = text;
    else
      reader.problem(
        value ?? (pair.key as Node),
        'blank must be keep (an empty cell leaves the field unchanged) or clear (sets it to null with #N/A)',
      );
  },
  lookup(value, pair, reader, spec) {
    const map = reader.map(value, 'lookup', pair.key as Node);
    if (!map) return;
    const targets: LookupTarget[] = [];
    for (const entry of map.items) {
      const object = reader.apiName(entry.key, 'a lookup target object');
      const matchField = reader.apiName(
        entry.value,
        `the field to match on ${object ?? 'the target'}`,
        entry.key,
      );
      if (object === undefined || matchField === undefined) continue;
      if (targets.some((t) => t.object.toLowerCase() === object.toLowerCase())) {
        reader.problem(entry.key, `lookup target ${object} is given twice`);
        continue;
      }
      targets.push({ object, matchField, at: reader.at(entry.key) });
    }
    if (map.items.length === 0)
      reader.problem(pair.key as Node, 'lookup must name at least one target object');
    spec.lookup = targets;
  },
  typeColumn(value, pair, reader, spec) {
    spec.typeColumn = reader.string(value, 'typeColumn', pair.key as Node);
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
};

/** Which combinations of keys make a field mapping: checked in order, the first that matches wins. */
const FIELD_SHAPES: {
  when: (spec: FieldSpec) => boolean;
  build: (field: string, at: Position, spec: FieldSpec, reader: Reader) => FieldMapping | undefined;
}[] = [
  {
    when: (spec) => spec.constant !== undefined && (spec.column !== undefined || spec.lookup !== undefined),
    build(field, at, _spec, reader) {
      reader.problem(at, `${field}: a constant cannot also have a column or a lookup`);
      return undefined;
    },
  },
  {
    when: (spec) => spec.constant !== undefined,
    build: (field, at, spec) => ({
      kind: 'constant',
      field,
      at,
      value: spec.constant as string,
      required: spec.required ?? false,
      blank: spec.blank ?? 'keep',
    }),
  },
  {
    when: (spec) => spec.lookup !== undefined,
    build(field, at, spec, reader) {
      const targets = spec.lookup ?? [];
      if (spec.column === undefined) {
        reader.problem(at, `${field}: a lookup needs the column holding the parent's external id`);
        return undefined;
      }
      if (targets.length > 1 && spec.typeColumn === undefined) {
        reader.problem(
          at,
          `${field}: a lookup with several targets (${targets.map((t) => t.object).join(', ')}) needs typeColumn, the column naming each row's target`,
        );
        return undefined;
      }
      return {
        kind: 'lookup',
        field,
        at,
        column: spec.column,
        targets,
        required: spec.required ?? false,
        blank: spec.blank ?? 'keep',
        ...(spec.typeColumn !== undefined ? { typeColumn: spec.typeColumn } : {}),
        ...(spec.typeValues !== undefined ? { typeValues: spec.typeValues } : {}),
      };
    },
  },
  {
    when: (spec) => spec.typeColumn !== undefined || spec.typeValues !== undefined,
    build(field, at, _spec, reader) {
      reader.problem(at, `${field}: typeColumn and typeValues only apply to a lookup`);
      return undefined;
    },
  },
  {
    when: (spec) => spec.column !== undefined,
    build: (field, at, spec) => ({
      kind: 'column',
      field,
      at,
      column: spec.column as string,
      required: spec.required ?? false,
      blank: spec.blank ?? 'keep',
    }),
  },
  {
    when: () => true,
    build(field, at, _spec, reader) {
      reader.problem(at, `${field}: say where its value comes from (column, constant or lookup)`);
      return undefined;
    },
  },
];

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
      : { kind: 'column', field, at, column, required: false, blank: 'keep' };
  }
  const map = reader.map(value, `${field}'s mapping`, pair.key as Node);
  if (!map) return undefined;
  const spec: FieldSpec = { at: {} };
  const before = reader.problems.length;
  for (const [key, entry, rule] of reader.entries(map, FIELD_KEYS, `field ${field}`)) {
    spec.at[key as keyof FieldSpec['at']] = reader.at(entry.key as Node);
    rule(entry.value ?? null, entry, reader, spec);
  }
  if (reader.problems.length > before) return undefined;
  const shape = FIELD_SHAPES.find((candidate) => candidate.when(spec));
  return shape?.build(field, at, spec, reader);
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
  const draft: Draft = { source: { encoding: 'utf-8', header: true }, fields: [], at: {} };
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
    } else if (key.kind !== 'column') {
      reader.problem(key.at, `${key.field} identifies each record of the ${operation}: map it from a column`);
    }
  }
  if ((operation === 'delete' || operation === 'hardDelete') && draft.fields.length > 1) {
    reader.problem(draft.at.fields ?? top, `${operation} takes only Id; remove the other fields`);
  }
}

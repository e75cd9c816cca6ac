import { describe, expect, it } from 'vitest';
import { interpretObjectCreated } from '../../functions/trigger/run-id.ts';
import { environmentOf, isObject, loadTemplate, readJson, resourcesOfType } from './template-model.ts';

/**
 * A small structural checker for the contracts.ts payloads: a shape is a primitive name, a list of one
 * shape, an object of shapes (no other keys allowed), `optional(shape)` or `oneOf(values)`.
 */
type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | readonly Shape[]
  | { readonly [key: string]: Shape }
  | { optional: Shape }
  | { oneOf: readonly unknown[] };

const optional = (shape: Shape) => ({ optional: shape });
const oneOf = (values: readonly unknown[]) => ({ oneOf: values });

function shapeProblems(value: unknown, shape: Shape, path: string): string[] {
  if (shape === 'string')
    return typeof value === 'string' && value !== '' ? [] : [`${path}: expected a non-empty string`];
  if (shape === 'integer')
    return Number.isInteger(value) && (value as number) >= 0 ? [] : [`${path}: expected an integer ≥ 0`];
  if (shape === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, index) => shapeProblems(item, shape[0] as Shape, `${path}[${index}]`));
  }
  if ('oneOf' in shape && Array.isArray(shape.oneOf)) {
    return shape.oneOf.includes(value)
      ? []
      : [`${path}: ${JSON.stringify(value)} is not one of ${shape.oneOf.join(', ')}`];
  }
  if (!isObject(value)) return [`${path}: expected an object`];
  const fields = shape as Record<string, Shape>;
  const problems = Object.keys(value)
    .filter((key) => !(key in fields))
    .map((key) => `${path}.${key}: not in the contract`);
  for (const [key, field] of Object.entries(fields)) {
    const isOptional = isObject(field) && 'optional' in field;
    if (!(key in value)) {
      if (!isOptional) problems.push(`${path}.${key}: missing`);
      continue;
    }
    problems.push(
      ...shapeProblems(
        value[key],
        isOptional ? (field as { optional: Shape }).optional : field,
        `${path}.${key}`,
      ),
    );
  }
  return problems;
}

// The shapes of functions/shared/contracts.ts.
const Operation = oneOf(['insert', 'update', 'upsert', 'delete', 'hardDelete']);
const SourceObject = {
  bucket: 'string',
  key: 'string',
  versionId: optional('string'),
  etag: 'string',
  size: 'integer',
} as const;
const RunInput = {
  runId: 'string',
  pipeline: 'string',
  source: SourceObject,
  startedAt: 'string',
  maxConcurrency: 'integer',
} as const;
const ValidationOutput = {
  total: 'integer',
  rejected: 'integer',
  rejectedKey: optional('string'),
  mappingKey: 'string',
} as const;
const GroupRef = {
  groupId: 'string',
  object: 'string',
  operation: Operation,
  externalIdFieldName: optional('string'),
  columns: ['string'],
  key: 'string',
  rows: 'integer',
} as const;
const PartRef = {
  runId: 'string',
  partId: 'string',
  groupId: 'string',
  object: 'string',
  operation: Operation,
  externalIdFieldName: optional('string'),
  key: 'string',
  rows: 'integer',
  attempt: 'integer',
} as const;
const SplitOutput = { parts: [PartRef], manifestKey: 'string' } as const;
const JobRef = {
  id: 'string',
  state: oneOf(['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted']),
  recordsProcessed: 'integer',
  recordsFailed: 'integer',
  errorMessage: optional('string'),
} as const;
const PartState = {
  part: PartRef,
  job: optional(JobRef),
  poll: optional({ attempt: 'integer', waitSeconds: 'integer' }),
  done: optional('boolean'),
  resubmit: optional(PartRef),
} as const;
const CaughtError = { Error: 'string', Cause: optional('string') } as const;

/** Each step input file, the contract shape it follows, and the ASL state that receives it. */
const STEP_EVENTS: { file: string; state: string; shape: Shape }[] = [
  { file: 'validate.json', state: 'Validate File', shape: { run: RunInput } },
  { file: 'transform.json', state: 'Transform Rows', shape: { run: RunInput, validation: ValidationOutput } },
  {
    file: 'split.json',
    state: 'Split Into Parts',
    shape: { run: RunInput, transform: { groups: [GroupRef] } },
  },
  { file: 'upload.json', state: 'Upload Part', shape: PartState },
  { file: 'poll.json', state: 'Poll Job', shape: PartState },
  { file: 'collect-results.json', state: 'Collect Results', shape: PartState },
  {
    file: 'report.json',
    state: 'Report Run',
    shape: { run: RunInput, validation: ValidationOutput, split: SplitOutput },
  },
  {
    file: 'report-failure.json',
    state: 'Report Failure',
    shape: {
      run: RunInput,
      validation: optional(ValidationOutput),
      transform: optional({ groups: [GroupRef] }),
      split: optional(SplitOutput),
      failure: CaughtError,
    },
  },
];

type AslState = { Parameters?: Record<string, unknown>; ItemSelector?: Record<string, unknown> };
function aslState(name: string): AslState {
  const machine = readJson<{
    States: Record<string, AslState & { ItemProcessor?: { States: Record<string, AslState> } }>;
  }>('statemachine/pipeline.asl.json');
  const top = machine.States[name];
  if (top) return top;
  for (const state of Object.values(machine.States)) {
    const nested = state.ItemProcessor?.States[name];
    if (nested) return nested;
  }
  throw new Error(`no state "${name}" in pipeline.asl.json`);
}

const template = loadTemplate();
const objectCreated = readJson<{
  source: string;
  'detail-type': string;
  time: string;
  detail: Parameters<typeof interpretObjectCreated>[0];
}>('events/s3-object-created.json');
const env = readJson<Record<string, Record<string, unknown>>>('events/env.json');

/** EventBridge content filtering, as far as ObjectCreatedRule uses it (exact values and prefix). */
function matchesPattern(event: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((allowed) =>
      isObject(allowed) && typeof allowed.prefix === 'string'
        ? typeof event === 'string' && event.startsWith(allowed.prefix)
        : allowed === event,
    );
  }
  if (!isObject(pattern) || !isObject(event)) return false;
  return Object.entries(pattern).every(([key, inner]) => matchesPattern(event[key], inner));
}

describe('events/s3-object-created.json', () => {
  it('has the shape EventBridge gives an S3 "Object Created" event', () => {
    const problems = shapeProblems(
      objectCreated,
      {
        version: oneOf(['0']),
        id: 'string',
        'detail-type': oneOf(['Object Created']),
        source: oneOf(['aws.s3']),
        account: 'string',
        time: 'string',
        region: 'string',
        resources: ['string'],
        detail: {
          version: oneOf(['0']),
          bucket: { name: 'string' },
          object: {
            key: 'string',
            size: 'integer',
            etag: 'string',
            'version-id': 'string',
            sequencer: 'string',
          },
          'request-id': 'string',
          requester: 'string',
          'source-ip-address': 'string',
          reason: oneOf(['PutObject', 'CopyObject', 'CompleteMultipartUpload']),
        },
      },
      'event',
    );
    expect(problems).toEqual([]);
  });

  it('matches ObjectCreatedRule when its bucket is the landing bucket', () => {
    const rule = template.Resources.ObjectCreatedRule?.Properties?.EventPattern;
    const pattern = JSON.parse(
      JSON.stringify(rule).replace(
        JSON.stringify({ Ref: 'LandingBucket' }),
        JSON.stringify(objectCreated.detail.bucket.name),
      ),
    );
    expect(matchesPattern(objectCreated, pattern)).toBe(true);
    expect(
      matchesPattern(
        { ...objectCreated, detail: { ...objectCreated.detail, bucket: { name: 'other' } } },
        pattern,
      ),
    ).toBe(false);
    const resultKey = { ...objectCreated.detail.object, key: 'runs/x/report.json' };
    expect(
      matchesPattern({ ...objectCreated, detail: { ...objectCreated.detail, object: resultKey } }, pattern),
    ).toBe(false);
  });

  it('is the event that starts the run of events/validate.json', () => {
    const outcome = interpretObjectCreated(objectCreated.detail);
    expect(outcome.kind).toBe('run');
    if (outcome.kind !== 'run') return;
    const { run } = readJson<{ run: Record<string, unknown> }>('events/validate.json');
    expect(run).toEqual({
      runId: outcome.runId,
      pipeline: outcome.pipeline,
      source: outcome.source,
      startedAt: new Date(objectCreated.time).toISOString(),
      maxConcurrency: Number(env.TriggerFunction?.MAX_CONCURRENCY),
    });
  });
});

describe.each(STEP_EVENTS)('events/$file', ({ file, state, shape }) => {
  const event = readJson<Record<string, unknown>>(`events/${file}`);

  it('follows the payload types of functions/shared/contracts.ts', () => {
    expect(shapeProblems(event, shape, file)).toEqual([]);
  });

  it(`carries exactly what the state machine hands to "${state}"`, () => {
    const selected = aslState(state).Parameters;
    if (selected) {
      expect(Object.keys(event).sort()).toEqual(
        Object.keys(selected)
          .map((key) => key.replace(/\.\$$/, ''))
          .sort(),
      );
    } else {
      // No Parameters: the state gets the whole state (Map items start from ItemSelector's `part`).
      expect(Object.keys(event)).toContain(state === 'Report Failure' ? 'failure' : 'part');
    }
  });

  it('belongs to the run of events/validate.json, with keys where docs/architecture.md puts them', () => {
    const { run } = readJson<{ run: { runId: string } }>('events/validate.json');
    const text = JSON.stringify(event);
    for (const match of text.matchAll(/"runId":"([^"]+)"/g)) expect(match[1]).toBe(run.runId);
    for (const match of text.matchAll(/"(mappingKey|rejectedKey|manifestKey|key)":"([^"]+)"/g)) {
      const [, field, key] = match;
      if (field === 'key' && key?.startsWith('incoming/')) continue;
      expect(key, field).toMatch(
        new RegExp(
          `^(runs/${run.runId}/(mapping\\.yaml|rejected\\.csv)|staging/${run.runId}/(manifest\\.json|groups/.+\\.csv|parts/.+\\.csv))$`,
        ),
      );
    }
  });
});

describe('events step inputs chained together', () => {
  it('pass each state the previous state output of the same run', () => {
    const transform = readJson<Record<string, unknown>>('events/transform.json');
    const split = readJson<{ transform: { groups: { groupId: string; rows: number }[] } }>(
      'events/split.json',
    );
    const report = readJson<{
      validation: { total: number; rejected: number };
      split: { parts: { groupId: string; rows: number }[] };
    }>('events/report.json');
    const upload = readJson<{ part: unknown }>('events/upload.json');
    const poll = readJson<{ part: unknown; job: { state: string } }>('events/poll.json');
    const collect = readJson<{ part: unknown; done: boolean; job: { state: string } }>(
      'events/collect-results.json',
    );

    expect(report.validation).toEqual(transform.validation);
    // Every accepted row is in exactly one group, and every group's rows in its parts.
    const grouped = split.transform.groups.reduce((sum, group) => sum + group.rows, 0);
    expect(grouped).toBe(report.validation.total - report.validation.rejected);
    for (const group of split.transform.groups) {
      const inParts = report.split.parts
        .filter((part) => part.groupId === group.groupId)
        .reduce((sum, p) => sum + p.rows, 0);
      expect(inParts, group.groupId).toBe(group.rows);
    }
    expect(report.split.parts).toContainEqual(upload.part);
    expect(poll.part).toEqual(upload.part);
    expect(collect.part).toEqual(upload.part);
    expect(collect.done).toBe(true);
    expect(['JobComplete', 'Failed', 'Aborted']).toContain(collect.job.state);
    expect(['UploadComplete', 'InProgress']).toContain(poll.job.state);
  });
});

describe('events/env.json', () => {
  const functions = resourcesOfType(template, 'AWS::Serverless::Function').map(([id]) => id);
  const ports: Record<string, string> = {
    AWS_ENDPOINT_URL_S3: 'http://host.docker.internal:4569',
    AWS_ENDPOINT_URL_SFN: 'http://host.docker.internal:8083',
    AWS_ENDPOINT_URL_SSM: 'http://host.docker.internal:8084',
  };

  it('has an entry for every function and no other', () => {
    expect(Object.keys(env).sort()).toEqual([...functions].sort());
  });

  it('sets exactly the variables each function declares (sam local ignores undeclared ones), as strings', () => {
    for (const id of functions) {
      expect(Object.keys(env[id] ?? {}).sort(), id).toEqual(Object.keys(environmentOf(template, id)).sort());
      for (const [name, value] of Object.entries(env[id] ?? {})) {
        expect(typeof value === 'string' && value !== '', `${id}.${name}`).toBe(true);
      }
    }
  });

  it('points every endpoint at the local stack through host.docker.internal', () => {
    for (const id of functions) {
      for (const [name, value] of Object.entries(env[id] ?? {})) {
        if (name.startsWith('AWS_ENDPOINT_URL')) expect(value, `${id}.${name}`).toBe(ports[name]);
      }
    }
  });

  it("uses the local stack's bucket, state machine and the SSM path local up fills for containers", () => {
    for (const id of functions) {
      const vars = env[id] ?? {};
      expect(vars.WORK_BUCKET, id).toBe('polyload-work');
      if ('SALESFORCE_PARAMETER_PATH' in vars)
        // `polyload local up` puts a login URL that containers can reach (host.docker.internal) under this path.
        expect(vars.SALESFORCE_PARAMETER_PATH, id).toBe('/polyload/local-docker/salesforce');
      if ('SALESFORCE_API_VERSION' in vars) expect(vars.SALESFORCE_API_VERSION, id).toBe('62.0');
    }
    expect(env.TriggerFunction?.STATE_MACHINE_ARN).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:polyload-pipeline',
    );
    expect(objectCreated.detail.bucket.name).toBe('polyload-landing');
  });
});

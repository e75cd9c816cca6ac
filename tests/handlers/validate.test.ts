import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidFileError, MappingError, RejectThresholdError } from '../../functions/shared/errors.ts';
import { getText, objectExists, putText } from '../../functions/shared/s3.ts';
import { handler } from '../../functions/validate/handler.ts';
import {
  type LocalAws,
  lambdaContext,
  putMapping,
  runFor,
  startLocalAws,
} from '../fixtures/pipeline/local-aws.ts';

let aws: LocalAws;
const context = lambdaContext('ValidateFunction');
const TASKS = readFileSync('tests/fixtures/pipeline/care-tasks.csv', 'utf8');
const LENIENT = readFileSync('mappings/care-tasks.yaml', 'utf8').replace(
  'rejectThreshold: 5%',
  'rejectThreshold: 50%',
);

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

async function upload(key: string, body: string | Buffer): Promise<void> {
  await putText(aws.s3.buckets.landing, key, body as string, 'text/csv');
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

describe('Validate File handler', () => {
  it('counts rows, snapshots the mapping and writes each reject with its line and rule', async () => {
    await putMapping(aws, 'care-tasks', LENIENT);
    await upload('incoming/care-tasks/tasks.csv', TASKS);
    const run = runFor(aws, 'incoming/care-tasks/tasks.csv', 'care-tasks-run1');

    const output = await handler({ run }, context);

    expect(output).toEqual({
      total: 7,
      rejected: 2,
      rejectedKey: 'runs/care-tasks-run1/rejected.csv',
      mappingKey: 'runs/care-tasks-run1/mapping.yaml',
    });
    expect(await getText(aws.s3.buckets.work, output.mappingKey)).toBe(LENIENT);
    expect(await getText(aws.s3.buckets.work, output.rejectedKey as string)).toBe(
      [
        'line,column,value,rule,message',
        '6,subject,,required,Subject is required but column subject is blank',
        '8,who_type,alien,lookupType,"who_type ""alien"" is not a known type for WhoId (expected one of: contact, lead, id, patient, prospect)"',
        '',
      ].join('\n'),
    );
    // Validate refreshed the describe cache that Transform reads.
    expect(await objectExists(aws.s3.buckets.work, 'cache/describe/v62.0/Task.json')).toBe(true);
    expect(await objectExists(aws.s3.buckets.work, 'cache/describe/v62.0/Lead.json')).toBe(true);
  });

  it('stops the run with the figures when rejects exceed the threshold, keeping rejected.csv', async () => {
    await putMapping(aws, 'strict-tasks');
    await upload('incoming/strict-tasks/tasks.csv', TASKS);
    const run = runFor(aws, 'incoming/strict-tasks/tasks.csv', 'strict-run', 'strict-tasks');

    const error = await errorOf(handler({ run }, context));

    expect(error).toBeInstanceOf(RejectThresholdError);
    expect(error?.message).toBe(
      `s3://polyload-landing/incoming/strict-tasks/tasks.csv: 2 of 7 rows rejected (28.57%), more than the rejectThreshold of 5% in strict-tasks.yaml; nothing was loaded. Reasons: s3://polyload-work/runs/strict-run/rejected.csv`,
    );
    expect(await objectExists(aws.s3.buckets.work, 'runs/strict-run/rejected.csv')).toBe(true);
  });

  it('fails on a missing column, naming it, the file and line 1', async () => {
    await putMapping(aws, 'care-tasks', LENIENT);
    await upload('incoming/care-tasks/no-type.csv', TASKS.replace('who_type,', 'kind,'));
    const run = runFor(aws, 'incoming/care-tasks/no-type.csv', 'no-type');

    const error = await errorOf(handler({ run }, context));

    expect(error).toBeInstanceOf(InvalidFileError);
    expect(error?.message).toBe(
      `s3://polyload-landing/incoming/care-tasks/no-type.csv:1: the header has no column "who_type" (WhoId's type), which mapping care-tasks.yaml reads`,
    );
  });

  it('fails on bytes that are not UTF-8 with the line, and sniffs a semicolon file', async () => {
    await putMapping(aws, 'loose', LENIENT.replace(/source:\n( {2}.*\n)+/, ''));
    const latin1 = Buffer.from(
      `${TASKS.replaceAll(',', ';').split('\n').slice(0, 3).join('\n')}\nT-9;Caf`,
      'utf8',
    );
    await upload('incoming/loose/latin1.csv', Buffer.concat([latin1, Buffer.from([0xe9, 0x0a])]));
    await upload('incoming/loose/semicolons.csv', TASKS.replaceAll(',', ';'));

    const invalid = await errorOf(
      handler({ run: runFor(aws, 'incoming/loose/latin1.csv', 'l1', 'loose') }, context),
    );
    const sniffed = await handler(
      { run: runFor(aws, 'incoming/loose/semicolons.csv', 's1', 'loose') },
      context,
    );

    expect(invalid).toBeInstanceOf(InvalidFileError);
    expect(invalid?.message).toMatch(
      /^s3:\/\/polyload-landing\/incoming\/loose\/latin1\.csv:4: the file is not valid UTF-8/,
    );
    expect(sniffed).toMatchObject({ total: 7 });
  });

  it('reports a mapping that does not fit the org with its line, before reading the file', async () => {
    await putMapping(aws, 'typo', LENIENT.replace('  Priority: priority', '  Priorty: priority'));
    const run = runFor(aws, 'incoming/typo/never-uploaded.csv', 'typo-run', 'typo');

    const error = await errorOf(handler({ run }, context));

    expect(error).toBeInstanceOf(MappingError);
    expect(error?.message).toBe('typo.yaml:26:3: Priorty is not a field of Task (did you mean Priority?)');
  });

  it('names the missing mapping of an unknown pipeline', async () => {
    const run = runFor(aws, 'incoming/nobody/x.csv', 'nobody-run', 'nobody');
    const error = await errorOf(handler({ run }, context));
    expect(error).toBeInstanceOf(MappingError);
    expect(error?.message).toBe('No mapping at s3://polyload-work/mappings/nobody.yaml');
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../functions/shared/contracts.ts';
import { InvalidFileError } from '../../functions/shared/errors.ts';
import { clearDescribeMemory } from '../../functions/shared/mapping/describe-cache.ts';
import { getText, putText } from '../../functions/shared/s3.ts';
import { handler as transform } from '../../functions/transform/handler.ts';
import { handler as validate } from '../../functions/validate/handler.ts';
import {
  type LocalAws,
  lambdaContext,
  putMapping,
  runFor,
  startLocalAws,
} from '../fixtures/pipeline/local-aws.ts';

let aws: LocalAws;
const TASKS = readFileSync('tests/fixtures/pipeline/care-tasks.csv', 'utf8');
const LENIENT = readFileSync('mappings/care-tasks.yaml', 'utf8').replace(
  'rejectThreshold: 5%',
  'rejectThreshold: 50%',
);

beforeAll(async () => {
  aws = await startLocalAws();
  await putMapping(aws, 'care-tasks', LENIENT);
});
afterAll(async () => {
  await aws?.stop();
});

async function validated(key: string, runId: string, body = TASKS) {
  await putText(aws.s3.buckets.landing, key, body, 'text/csv');
  const run: RunInput = runFor(aws, key, runId);
  return { run, validation: await validate({ run }, lambdaContext('ValidateFunction')) };
}

const HEAD = '__line,External_Id__c,Subject,Status,Priority,ActivityDate,Description';

describe('Transform Rows handler', () => {
  it('refuses a source that changed since validation', async () => {
    const { run, validation } = await validated('incoming/care-tasks/changing.csv', 'changing');
    await putText(
      aws.s3.buckets.landing,
      run.source.key,
      `${TASKS}T-2000,Extra,,,,,patient,P-9,\n`,
      'text/csv',
    );

    const error = await transform({ run, validation }, lambdaContext('TransformFunction')).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(InvalidFileError);
    expect((error as Error).message).toContain(
      'the file changed after validation (8 rows and 2 rejects now, 7 and 2 then)',
    );
  });

  it('stages one CSV per polymorphic target with source lines, skipping exactly the rejected rows, from cached describe', async () => {
    const { run, validation } = await validated('incoming/care-tasks/tasks.csv', 'run-t1');
    // Describe comes from the S3 cache Validate refreshed (not this container's memory, not Salesforce).
    clearDescribeMemory();
    await aws.emulator.stop();

    const output = await transform({ run, validation }, lambdaContext('TransformFunction'));

    expect(output.groups).toEqual([
      {
        groupId: 'task-upsert-whoid-contact-whatid-account',
        object: 'Task',
        operation: 'upsert',
        externalIdFieldName: 'External_Id__c',
        columns: [...HEAD.split(',').slice(1), 'Contact:Who.Patient_Id__c', 'Account:What.External_Id__c'],
        key: 'staging/run-t1/groups/task-upsert-whoid-contact-whatid-account.csv',
        rows: 3,
      },
      {
        groupId: 'task-upsert-whoid-lead-whatid-account',
        object: 'Task',
        operation: 'upsert',
        externalIdFieldName: 'External_Id__c',
        columns: [...HEAD.split(',').slice(1), 'Lead:Who.Prospect_Id__c', 'Account:What.External_Id__c'],
        key: 'staging/run-t1/groups/task-upsert-whoid-lead-whatid-account.csv',
        rows: 2,
      },
    ]);
    expect(
      await getText(
        aws.s3.buckets.work,
        'staging/run-t1/groups/task-upsert-whoid-contact-whatid-account.csv',
      ),
    ).toBe(
      [
        `${HEAD},Contact:Who.Patient_Id__c,Account:What.External_Id__c`,
        '2,T-1001,Follow-up call,Not Started,High,2025-06-10,"Discuss results, book scan",P-001,ACC-01',
        '4,T-1003,Medication review,In Progress,High,2025-06-12,"Multi-line\nnote",P-002,ACC-02',
        '9,T-1007,Intake form,Not Started,Normal,2025-06-08,no who,,ACC-03',
        '',
      ].join('\n'),
    );
    expect(
      await getText(aws.s3.buckets.work, 'staging/run-t1/groups/task-upsert-whoid-lead-whatid-account.csv'),
    ).toBe(
      [
        `${HEAD},Lead:Who.Prospect_Id__c,Account:What.External_Id__c`,
        '3,T-1002,Send brochure,Completed,Normal,2025-06-03,,L-101,ACC-01',
        '7,T-1005,Welcome pack,Not Started,Normal,2025-06-05,,L-102,',
        '',
      ].join('\n'),
    );
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../functions/shared/config.ts';
import type { PartRef, RunInput, TransformOutput } from '../../functions/shared/contracts.ts';
import { getJson, getText, putText } from '../../functions/shared/s3.ts';
import { handler as split } from '../../functions/split/handler.ts';
import { type LocalAws, lambdaContext, runFor, startLocalAws } from '../fixtures/pipeline/local-aws.ts';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
  process.env.MAX_PART_RECORDS = '2';
  resetConfig();
});
afterAll(async () => {
  delete process.env.MAX_PART_RECORDS;
  await aws?.stop();
});

const COLUMNS = ['External_Id__c', 'Subject', 'Contact:Who.Patient_Id__c'];

describe('Split Into Parts handler', () => {
  it('cuts each staged group at the record cap and saves the manifest', async () => {
    const event = JSON.parse(readFileSync('events/split.json', 'utf8')) as { run: RunInput };
    const run = { ...runFor(aws, event.run.source.key, 'split-run'), runId: 'split-run' };
    const contactKey = 'staging/split-run/groups/task-upsert-whoid-contact.csv';
    await putText(
      aws.s3.buckets.work,
      contactKey,
      '__line,External_Id__c,Subject,Contact:Who.Patient_Id__c\n2,T-1,"a, b",P-1\n4,T-2,"two\nlines",P-2\n5,T-3,c,\n',
      'text/csv',
    );
    const transform: TransformOutput = {
      groups: [
        {
          groupId: 'task-upsert-whoid-contact',
          object: 'Task',
          operation: 'upsert',
          externalIdFieldName: 'External_Id__c',
          columns: COLUMNS,
          key: contactKey,
          rows: 3,
        },
      ],
    };

    const output = await split({ run, transform }, lambdaContext('SplitFunction'));

    const part = (n: number, rows: number): PartRef => ({
      runId: 'split-run',
      partId: `task-upsert-whoid-contact-000${n}`,
      groupId: 'task-upsert-whoid-contact',
      object: 'Task',
      operation: 'upsert',
      externalIdFieldName: 'External_Id__c',
      key: `staging/split-run/parts/task-upsert-whoid-contact-000${n}.csv`,
      rows,
      attempt: 0,
    });
    expect(output).toEqual({
      parts: [part(1, 2), part(2, 1)],
      manifestKey: 'staging/split-run/manifest.json',
    });
    expect(await getJson(aws.s3.buckets.work, output.manifestKey)).toEqual(output.parts);
    expect(await getText(aws.s3.buckets.work, part(1, 2).key)).toBe(
      '__line,External_Id__c,Subject,Contact:Who.Patient_Id__c\n2,T-1,"a, b",P-1\n4,T-2,"two\nlines",P-2\n',
    );
    expect(await getText(aws.s3.buckets.work, part(2, 1).key)).toBe(
      '__line,External_Id__c,Subject,Contact:Who.Patient_Id__c\n5,T-3,c,\n',
    );
  });
});

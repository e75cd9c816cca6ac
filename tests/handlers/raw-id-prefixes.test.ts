/**
 * Raw Ids of objects the mapping never describes, through the real handlers against the emulator: the
 * org's key prefixes come from its global describe (`GET /sobjects`), which Validate caches in the work
 * bucket next to the object describes and Transform reads from there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../functions/shared/contracts.ts';
import {
  clearDescribeMemory,
  globalDescribeCacheKey,
} from '../../functions/shared/mapping/describe-cache.ts';
import { getJson, getText, putText } from '../../functions/shared/s3.ts';
import { createSalesforcePort } from '../../functions/shared/salesforce.ts';
import type { GlobalDescribeEntry } from '../../functions/shared/salesforce-port.ts';
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

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const TASK_ID = '00T000000000001EAA';
const CONTACT_ID = '003000000000901AAA';
const ACCOUNT_ID = '001000000000901AAA';
/** A well-formed Id (valid checksum) whose key prefix no object of the emulator's org has. */
const NO_OBJECT_ID = '0ZZ000000000901GAA';

const MAPPING = `object: Task
operation: update
rejectThreshold: 10
fields:
  Id: id
  WhoId: { column: who, id: true }
`;

const SOURCE = [
  'id,who',
  `${TASK_ID},${CONTACT_ID}`,
  `${CONTACT_ID},`,
  `${TASK_ID},${ACCOUNT_ID}`,
  `${NO_OBJECT_ID},`,
  '',
].join('\n');

describe('raw Ids checked against every key prefix of the org', () => {
  it('reads the global describe from the emulator as one API call', async () => {
    const port = createSalesforcePort({
      loginUrl: aws.emulator.url,
      apiVersion: '62.0',
      auth: { mode: 'client-credentials', clientId: 'polyload-local', clientSecret: 'polyload-local-secret' },
    });
    await port.describe('Task');
    const before = port.apiCalls();

    const objects = await port.describeGlobal();

    expect(port.apiCalls() - before).toBe(1);
    expect(objects).toContainEqual({ name: 'Account', keyPrefix: '001' });
    expect(objects).toContainEqual({ name: 'Care_Plan__c', keyPrefix: 'a0A' });
    expect(objects.some((o) => o.keyPrefix === '0ZZ')).toBe(false);
  });

  let run: RunInput;
  let validation: Awaited<ReturnType<typeof validate>>;

  it("names the object of an Id the mapping never describes, and a prefix that is no object's", async () => {
    await putMapping(aws, 'task-ids', MAPPING);
    await putText(aws.s3.buckets.landing, 'incoming/task-ids/ids.csv', SOURCE, 'text/csv');
    run = runFor(aws, 'incoming/task-ids/ids.csv', 'task-ids-run', 'task-ids');

    validation = await validate({ run }, lambdaContext('ValidateFunction'));

    expect(validation).toMatchObject({ total: 4, rejected: 3 });
    expect(await getText(aws.s3.buckets.work, validation.rejectedKey as string)).toBe(
      [
        'line,column,value,rule,message',
        `3,id,${CONTACT_ID},idPrefix,Id: the Id belongs to Contact; Id takes Task Ids`,
        `4,who,${ACCOUNT_ID},idPrefix,WhoId: the Id belongs to Account; WhoId takes Contact or Lead Ids`,
        `5,id,${NO_OBJECT_ID},idPrefix,Id: key prefix 0ZZ is not an object of this org; Id takes Task Ids`,
        '',
      ].join('\n'),
    );
    const cached = await getJson<GlobalDescribeEntry[]>(aws.s3.buckets.work, globalDescribeCacheKey('62.0'));
    expect(cached).toContainEqual({ name: 'Account', keyPrefix: '001' });
  });

  it('plans Transform from the cached global describe, with Salesforce out of reach', async () => {
    clearDescribeMemory();
    await aws.emulator.stop();

    const output = await transform({ run, validation }, lambdaContext('TransformFunction'));

    expect(output.groups.map((g) => ({ groupId: g.groupId, rows: g.rows }))).toEqual([
      { groupId: 'task-update', rows: 1 },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { to18 } from '../../local/emulator/ids.ts';
import {
  failedRows,
  runIngestJob,
  startTestOrg,
  successRows,
  type TestOrg,
  unprocessedRows,
} from './helpers.ts';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(async () => {
  await org?.stop();
});

describe('job-level failures', () => {
  it.each([
    [
      'an unknown column (only the first is named)',
      'Contact',
      'LastName,Shoe_Size__c,Hat__c\nA,1,2\nB,3,4\n',
      'InvalidBatch : Field name not found : Shoe_Size__c',
    ],
    [
      'a compound field in the header',
      'Account',
      'Name,BillingAddress\nA,x\n',
      'InvalidBatch : Field name not found : BillingAddress',
    ],
    [
      "a person's compound Name",
      'Contact',
      'LastName,Name\nA,Full Name\n',
      'InvalidBatch : Field name not found : Name',
    ],
    [
      'an Account CSV uploaded into Contact',
      'Contact',
      'Name,Website\nAcme,https://acme.example\n',
      'InvalidBatch : Field name not found : Name',
    ],
    [
      'a type prefix on a non-polymorphic lookup',
      'Contact',
      'LastName,Account:Account.External_Id__c\nA,X\n',
      'InvalidBatch : type is not needed for non polymorphic foreign key references: Account',
    ],
    [
      'a type prefix on a relationship the object lacks',
      'Facility__c',
      'Name,Parent:Account.External_Id__c\nA,X\n',
      'InvalidBatch : Unable to find relationship: Account',
    ],
    [
      'a UTF-8 BOM before a quoted header',
      'Account',
      '\ufeff"Name","Site"\n"A","B"\n',
      'InvalidBatch : Failed to parse CSV. Found unescaped quote',
    ],
    [
      'CRLF data in an LF job',
      'Account',
      'Name,Site\r\nA,B\r\n',
      'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
    ],
    [
      'columns other than Id in a delete job',
      'Account',
      'Id,Name\n001,x\n',
      "InvalidBatch : The 'delete' batch must contain only ids",
    ],
  ])(
    'fails the whole job for %s, with 0/0 counters, and lists every row as unprocessed',
    async (_case, object, csv, message) => {
      const operation = message.includes("'delete'") ? 'delete' : 'insert';
      const { job, info } = await runIngestJob(org.conn, { object, operation }, csv);
      expect(info).toMatchObject({
        state: 'Failed',
        numberRecordsProcessed: 0,
        numberRecordsFailed: 0,
        errorMessage: message,
      });
      expect(await job.getUnprocessedRecords(true)).toBe(csv);
      expect(await successRows(job)).toEqual([]);
    },
  );

  it('fails an LF data file in a CRLF job', async () => {
    const { info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert', lineEnding: 'CRLF' },
      'Name\nA\n',
    );
    expect(info).toMatchObject({
      state: 'Failed',
      errorMessage:
        'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF',
    });
  });

  it('writes nothing for a failed job: rows before the bad one are not loaded either', async () => {
    const before = org.emu.context.store.findIdsByField('Account', 'Site', 'never-loaded');
    await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name,Site\r\nA,never-loaded\r\n',
    );
    expect(org.emu.context.store.findIdsByField('Account', 'Site', 'never-loaded')).toEqual(before);
  });

  it('makes jsforce poll() reject with the job errorMessage', async () => {
    const job = org.conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Nope__c\nA,B\n');
    await job.close();
    await expect(job.poll(20, 5000)).rejects.toThrow(
      'Ingest job failed to complete due to: InvalidBatch : Field name not found : Nope__c',
    );
  });

  it('with rejectEmbeddedNewline, a quoted line break fails the job as a line-ending error', async () => {
    org.emu.context.quirks.rejectEmbeddedNewline = true;
    try {
      const { info } = await runIngestJob(
        org.conn,
        { object: 'Account', operation: 'insert' },
        'Name,Description\nA,"x\ny"\n',
      );
      expect(info.errorMessage).toBe(
        'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
      );
    } finally {
      org.emu.context.quirks.rejectEmbeddedNewline = false;
    }
  });
});

describe('row-level failures end in JobComplete', () => {
  async function failOne(object: string, csv: string, operation: 'insert' | 'update' = 'insert') {
    const { job, info } = await runIngestJob(org.conn, { object, operation }, csv);
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 1 });
    const rows = await failedRows(job);
    expect(rows).toHaveLength(1);
    return rows[0]?.sf__Error;
  }

  async function insertOne(object: string, csv: string): Promise<string> {
    const { job } = await runIngestJob(org.conn, { object, operation: 'insert' }, csv);
    const [row] = await successRows(job);
    if (!row) throw new Error(`insert into ${object} failed: ${JSON.stringify(await failedRows(job))}`);
    return row.sf__Id ?? '';
  }

  it.each([
    [
      'REQUIRED_FIELD_MISSING with every missing field',
      'Lead',
      'FirstName\nAda\n',
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:LastName,Company --',
    ],
    [
      'STRING_TOO_LONG',
      'Contact',
      `LastName,Title\nA,${'x'.repeat(129)}\n`,
      `STRING_TOO_LONG:Title: data value too large: ${'x'.repeat(129)} (max length=128):Title --`,
    ],
    [
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'Care_Plan__c',
      'Status__c,Patient__c\nPaused,\n',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Status: bad value for restricted picklist field: Paused:Status__c --',
    ],
    [
      'INVALID_TYPE_ON_FIELD_IN_RECORD for a number',
      'Account',
      'Name,NumberOfEmployees\nA,many\n',
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Employees: value not of required type: many:NumberOfEmployees --',
    ],
    [
      'INVALID_TYPE_ON_FIELD_IN_RECORD for a date',
      'Contact',
      'LastName,Birthdate\nA,31/12/1990\n',
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Birthdate: value not of required type: 31/12/1990:Birthdate --',
    ],
    [
      'INVALID_TYPE_ON_FIELD_IN_RECORD for a checkbox',
      'Contact',
      'LastName,DoNotCall\nA,yes\n',
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Do Not Call: value not of required type: yes:DoNotCall --',
    ],
    [
      'NUMBER_OUTSIDE_VALID_RANGE',
      'Care_Plan__c',
      'Visits_Per_Week__c,Patient__c\n100,\n',
      'NUMBER_OUTSIDE_VALID_RANGE:Visits Per Week: value outside of valid range on numeric field: 100:Visits_Per_Week__c --',
    ],
    [
      'INVALID_EMAIL_ADDRESS',
      'Contact',
      'LastName,Email\nA,not-an-email\n',
      'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --',
    ],
    [
      'MALFORMED_ID for a lookup',
      'Contact',
      'LastName,AccountId\nA,001XYZ\n',
      'MALFORMED_ID:Account ID: id value of incorrect type: 001XYZ:AccountId --',
    ],
    [
      'INVALID_FIELD_FOR_INSERT_UPDATE for a read-only field',
      'Lead',
      'LastName,Company,IsConverted\nA,B,true\n',
      'INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: IsConverted. Please check the security settings of this field and verify that it is read/write for your profile or permission set.:IsConverted --',
    ],
  ])('%s', async (_case, object, csv, error) => {
    expect(await failOne(object, csv)).toBe(error);
  });

  it('DUPLICATE_VALUE names the field and the record that already holds the value', async () => {
    const id = await insertOne('Contact', 'LastName,Patient_Id__c\nFirst,DUP-1\n');
    expect(await failOne('Contact', 'LastName,Patient_Id__c\nSecond,dup-1\n')).toBe(
      `DUPLICATE_VALUE:duplicate value found: Patient_Id__c duplicates value on record with id: ${id}:--`,
    );
  });

  it('DUPLICATE_EXTERNAL_ID when a relationship value matches more than one parent (text UNCONFIRMED)', async () => {
    await runIngestJob(
      org.conn,
      { object: 'Lead', operation: 'insert' },
      'LastName,Company,Email\nSame A,Acme,same@lead.example\nSame B,Acme,same@lead.example\n',
    );
    expect(await failOne('Task', 'Subject,Lead:Who.Email\nAmbiguous,same@lead.example\n')).toBe(
      'DUPLICATE_EXTERNAL_ID:Foreign key external ID: same@lead.example matched more than one record for field Email in entity Lead:--',
    );
  });

  it('ENTITY_IS_DELETED when updating a deleted record', async () => {
    const id = await insertOne('Account', 'Name\nGone\n');
    await runIngestJob(org.conn, { object: 'Account', operation: 'delete' }, `Id\n${id}\n`);
    expect(await failOne('Account', `Id,Name\n${id},Back\n`, 'update')).toBe(
      'ENTITY_IS_DELETED:entity is deleted:--',
    );
  });

  it('INVALID_CROSS_REFERENCE_KEY when updating an Id that does not exist', async () => {
    expect(await failOne('Account', `Id,Name\n${to18('0018c00000ZZZZZ')},X\n`, 'update')).toBe(
      'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
    );
  });

  it('MALFORMED_ID when the Id to update is not an Id of the object', async () => {
    expect(await failOne('Account', 'Id,Name\nnot-an-id,X\n', 'update')).toBe(
      'MALFORMED_ID:Account ID: id value of incorrect type: not-an-id:Id --',
    );
  });

  it('MISSING_ARGUMENT when an update row has no Id', async () => {
    expect(await failOne('Account', 'Id,Name\n,X\n', 'update')).toBe(
      'MISSING_ARGUMENT:Id not specified in an update call:--',
    );
  });

  it('fails only the row with a space before a quote, as the CSV rules say', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name,Site\n"John", "Smith"\nGood,Row\n',
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 1 });
    expect((await failedRows(job))[0]?.sf__Error).toMatch(/^INVALID_FIELD:Failed to parse CSV row: /);
  });

  it('reports no unprocessed records for a completed job', async () => {
    const { job } = await runIngestJob(org.conn, { object: 'Account', operation: 'insert' }, 'Name\n\n');
    expect(await unprocessedRows(job)).toEqual([]);
  });
});

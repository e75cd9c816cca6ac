import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { to18 } from '../../local/emulator/ids.ts';
import {
  failedRows,
  runIngestJob,
  startTestOrg,
  successRows,
  type TestOrg,
  unprocessedRows,
  waitForJob,
} from './helpers.ts';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(async () => {
  await org?.stop();
});

const record = (id: string | undefined) => org.emu.context.store.findById(id ?? '')?.record;

describe('the jsforce job lifecycle', () => {
  it('creates an Open job whose info has the documented shape', async () => {
    const job = org.conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    const info = await job.open();
    expect(info).toMatchObject({
      operation: 'insert',
      object: 'Account',
      state: 'Open',
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: 62,
      contentUrl: `services/data/v62.0/jobs/ingest/${info.id}/batches`,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(info.id).toMatch(/^750[A-Za-z0-9]{15}$/);
    expect(info.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    expect(info.createdById).toMatch(/^005/);
    expect(info).not.toHaveProperty('numberRecordsProcessed');
    await job.abort();
  });

  it('inserts rows and reports them in successfulResults with Ids and sf__Created "true"', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'insert' },
      'FirstName,LastName,Email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n',
    );
    expect(info).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: 2,
      numberRecordsFailed: 0,
      retries: 0,
    });
    const results = await successRows(job);
    expect(results).toHaveLength(2);
    for (const row of results) {
      expect(row.sf__Id).toMatch(/^003[A-Za-z0-9]{15}$/);
      expect(row.sf__Created).toBe('true');
      expect(record(row.sf__Id)).toMatchObject({
        LastName: row.LastName,
        Email: row.Email,
        Name: `${row.FirstName} ${row.LastName}`,
      });
    }
    expect(await failedRows(job)).toEqual([]);
    expect(await unprocessedRows(job)).toEqual([]);
  });

  it('writes successfulResults as the docs show: sf__ names quoted, headers as uploaded, values quoted and normalised', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name,NUMBEROFEMPLOYEES,AnnualRevenue,Website\nLorem Ipsum,2676,912260031,https://ft.com/lacus/at.jsp\n',
    );
    const raw = await job.getSuccessfulResults(true);
    const [header, row, end] = raw.split('\n');
    expect(header).toBe('"sf__Id","sf__Created",Name,NUMBEROFEMPLOYEES,AnnualRevenue,Website');
    expect(row).toMatch(
      /^"001[A-Za-z0-9]{15}","true","Lorem Ipsum","2676","9\.12260031E8","https:\/\/ft\.com\/lacus\/at\.jsp"$/,
    );
    expect(end).toBe('');
  });

  it('writes failedResults with sf__Id (empty for a failed insert) and the documented sf__Error', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name,Website\nGood,https://good.example\n,https://bad.example\n',
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 1 });
    const raw = await job.getFailedResults(true);
    expect(raw).toBe(
      '"sf__Id","sf__Error",Name,Website\n"","REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --","","https://bad.example"\n',
    );
  });

  it('leaves sf__Id out of failedResults for a job created with API v52.0', async () => {
    const conn52 = new jsforce.Connection({
      instanceUrl: org.emu.url,
      accessToken: org.accessToken,
      version: '52.0',
    });
    const { job, info } = await runIngestJob(
      conn52,
      { object: 'Account', operation: 'insert' },
      'Name\n""\n',
    );
    expect(info.apiVersion).toBe(52);
    expect(await job.getFailedResults(true)).toBe(
      '"sf__Error",Name\n"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --",""\n',
    );
  });

  it('serves results with the uploaded column names even when only some rows fail', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Lead', operation: 'insert' },
      'lastname,Company,Email\nA,Acme,a@acme.example\nB,,b@acme.example\n',
    );
    const [failed] = await failedRows(job);
    expect(failed).toEqual({
      sf__Id: '',
      sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --',
      lastname: 'B',
      Company: '',
      Email: 'b@acme.example',
    });
  });

  it('lets job.poll() wait for completion, though the pipeline polls with check()', async () => {
    const job = org.conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    await job.open();
    await job.uploadData('Name\nPolled\n');
    await job.close();
    await job.poll(20, 5000);
    expect(job.getInfo().state).toBe('JobComplete');
  });

  it('deletes a finished job; it is then not found', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name\nTo delete\n',
    );
    await job.delete();
    await expect(job.check()).rejects.toMatchObject({
      name: 'NOT_FOUND',
      message: 'The requested resource does not exist',
    });
  });
});

describe('delimiters and line endings', () => {
  const delimiters = {
    BACKQUOTE: '`',
    CARET: '^',
    COMMA: ',',
    PIPE: '|',
    SEMICOLON: ';',
    TAB: '\t',
  } as const;

  it.each(Object.entries(delimiters))(
    'loads %s-delimited data and answers in the same delimiter',
    async (name, d) => {
      const csv = `Name${d}Description\n"Acme${d} Inc."${d}"He said ""hi"""\nPlain${d}x\n`;
      const { job, info } = await runIngestJob(
        org.conn,
        { object: 'Account', operation: 'insert', columnDelimiter: name as keyof typeof delimiters },
        csv,
      );
      expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, columnDelimiter: name });
      const raw = await job.getSuccessfulResults(true);
      expect(raw.split('\n')[0]).toBe(`"sf__Id"${d}"sf__Created"${d}Name${d}Description`);
      const results = await successRows(job);
      const acme = results.find((r) => r.Name === `Acme${d} Inc.`);
      expect(acme?.Description).toBe('He said "hi"');
      expect(record(acme?.sf__Id ?? '')).toMatchObject({
        Name: `Acme${d} Inc.`,
        Description: 'He said "hi"',
      });
    },
  );

  it('loads CRLF data in a CRLF job, keeping quoted line breaks in values, and answers with LF', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert', lineEnding: 'CRLF' },
      'Name,Description\r\nMultiline,"line one\r\nline two"\r\nSecond,x\r\n',
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, lineEnding: 'CRLF' });
    const raw = await job.getSuccessfulResults(true);
    expect(raw).not.toMatch(/"\r\n/);
    const multiline = (await successRows(job)).find((r) => r.Name === 'Multiline');
    expect(record(multiline?.sf__Id ?? '')?.Description).toBe('line one\r\nline two');
  });

  it('does not trim values', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name,Site\nJohn, Smith\n',
    );
    const [row] = await successRows(job);
    expect(record(row?.sf__Id ?? '')?.Site).toBe(' Smith');
  });
});

describe('blank cells and #N/A', () => {
  it('on update, a blank cell leaves the field alone and #N/A clears it', async () => {
    const inserted = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'insert' },
      'LastName,Title,Phone,Department\nHopper,Admiral,555-0100,Navy\n',
    );
    const [row] = await successRows(inserted.job);
    const id = row?.sf__Id ?? '';
    const updated = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'update' },
      `Id,Title,Phone,Department\n${id},,#N/A,Research\n`,
    );
    const [result] = await successRows(updated.job);
    expect(result).toMatchObject({ sf__Id: id, sf__Created: 'false' });
    expect(record(id)).toMatchObject({
      Title: 'Admiral',
      Phone: null,
      Department: 'Research',
      LastName: 'Hopper',
    });
  });

  it('on insert, a blank cell takes the field default, and #N/A on a required field fails the row', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Lead', operation: 'insert' },
      'LastName,Company,Status,DoNotCall\nBlank,Acme,,\nCleared,#N/A,,true\n',
    );
    const [ok] = await successRows(job);
    expect(record(ok?.sf__Id ?? '')).toMatchObject({ Status: 'Open - Not Contacted', DoNotCall: false });
    const [failed] = await failedRows(job);
    expect(failed?.sf__Error).toBe(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --',
    );
  });

  it('on update, #N/A on a required field fails the row', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'insert' },
      'LastName\nKeep\n',
    );
    const [row] = await successRows(job);
    const update = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'update' },
      `Id,LastName\n${row?.sf__Id},#N/A\n`,
    );
    const [failed] = await failedRows(update.job);
    expect(failed).toMatchObject({
      sf__Id: row?.sf__Id,
      sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    });
  });
});

describe('upsert', () => {
  it('inserts when the external id matches nothing and updates when it matches one record', async () => {
    const first = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'Patient_Id__c' },
      'Patient_Id__c,LastName,Title\nUP-1,Curie,Dr\n',
    );
    const [created] = await successRows(first.job);
    expect(created).toMatchObject({ sf__Created: 'true', Patient_Id__c: 'UP-1' });
    const second = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'patient_id__c' },
      'patient_id__c,Title\nup-1,Prof\nUP-2,Nurse\n',
    );
    expect(second.info).toMatchObject({ externalIdFieldName: 'Patient_Id__c', numberRecordsProcessed: 2 });
    const results = await successRows(second.job);
    expect(results.find((r) => r.patient_id__c === 'up-1')).toMatchObject({
      sf__Id: created?.sf__Id,
      sf__Created: 'false',
    });
    expect(record(created?.sf__Id ?? '')).toMatchObject({ LastName: 'Curie', Title: 'Prof' });
    const [failed] = await failedRows(second.job);
    expect(failed?.sf__Error).toBe(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    );
  });

  it('fails a row whose external id matches more than one record', async () => {
    await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'insert' },
      'LastName,Email\nTwin A,twin@example.com\nTwin B,twin@example.com\n',
    );
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'Email' },
      'Email,Title\ntwin@example.com,Twin\n',
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 1 });
    const [failed] = await failedRows(job);
    expect(failed?.sf__Error).toMatch(
      /^DUPLICATE_EXTERNAL_ID:Email: more than one record found for external id field: \[003\w{15}, 003\w{15}\]:--$/,
    );
  });

  it('inserts every row when upserting on Id without an Id column', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'upsert', externalIdFieldName: 'Id' },
      'Name\nUpsert One\nUpsert Two\n',
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 0 });
    expect((await successRows(job)).map((r) => r.sf__Created)).toEqual(['true', 'true']);
  });

  it('updates by Id when upserting on Id with an Id column', async () => {
    const { job } = await runIngestJob(org.conn, { object: 'Account', operation: 'insert' }, 'Name\nBy Id\n');
    const [row] = await successRows(job);
    const upsert = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'upsert', externalIdFieldName: 'Id' },
      `Id,Name\n${row?.sf__Id},Renamed By Id\n,Inserted By Id\n`,
    );
    const results = await successRows(upsert.job);
    expect(results.find((r) => r.Id === row?.sf__Id)?.sf__Created).toBe('false');
    expect(results.find((r) => r.Id === '')?.sf__Created).toBe('true');
    expect(record(row?.sf__Id ?? '')?.Name).toBe('Renamed By Id');
  });

  it('fails a row with a blank external id', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'Patient_Id__c' },
      'Patient_Id__c,LastName\n,Nobody\n',
    );
    const [failed] = await failedRows(job);
    expect(failed?.sf__Error).toBe('MISSING_ARGUMENT:Patient_Id__c not specified:--');
  });
});

describe('relationship columns', () => {
  let contactId = '';
  let leadId = '';
  beforeAll(async () => {
    const contacts = await runIngestJob(
      org.conn,
      { object: 'Contact', operation: 'insert' },
      'LastName,Patient_Id__c\nPatient,PAT-100\n',
    );
    contactId = (await successRows(contacts.job))[0]?.sf__Id ?? '';
    const leads = await runIngestJob(
      org.conn,
      { object: 'Lead', operation: 'insert' },
      'LastName,Company,Email\nProspect,Acme,prospect@acme.example\n',
    );
    leadId = (await successRows(leads.job))[0]?.sf__Id ?? '';
  });

  it('resolves Contact:Who.Patient_Id__c to a Contact WhoId', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Task', operation: 'insert' },
      'Subject,Contact:Who.Patient_Id__c\nCall patient,PAT-100\n',
    );
    expect(info.numberRecordsFailed).toBe(0);
    const [row] = await successRows(job);
    expect(row?.['Contact:Who.Patient_Id__c']).toBe('PAT-100');
    expect(record(row?.sf__Id ?? '')?.WhoId).toBe(contactId);
  });

  it('resolves Lead:Who.Email to a Lead WhoId', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Task', operation: 'insert' },
      'Subject,Lead:Who.Email\nEmail prospect,PROSPECT@acme.example\n',
    );
    const [row] = await successRows(job);
    expect(record(row?.sf__Id ?? '')?.WhoId).toBe(leadId);
    expect(leadId).toMatch(/^00Q/);
  });

  it('takes raw WhoId values of either type, 15 or 18 characters, in one column', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Task', operation: 'insert' },
      `Subject,WhoId\nTo contact,${contactId.slice(0, 15)}\nTo lead,${leadId}\n`,
    );
    expect(info.numberRecordsFailed).toBe(0);
    const results = await successRows(job);
    expect(record(results.find((r) => r.Subject === 'To contact')?.sf__Id ?? '')?.WhoId).toBe(contactId);
    expect(record(results.find((r) => r.Subject === 'To lead')?.sf__Id ?? '')?.WhoId).toBe(leadId);
  });

  it('resolves Owner.Username and custom __r relationships', async () => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Care_Plan__c', operation: 'insert' },
      'Name,Patient__r.Patient_Id__c,Owner.Username\nPlan,PAT-100,integration@polyload.local\n',
    );
    expect(info.numberRecordsFailed).toBe(0);
    const [row] = await successRows(job);
    expect(record(row?.sf__Id ?? '')).toMatchObject({ Patient__c: contactId, OwnerId: info.createdById });
  });

  it.each([
    [
      'Contact:Who.Patient_Id__c',
      'PAT-404',
      'INVALID_FIELD:Foreign key external ID: PAT-404 not found for field Patient_Id__c in entity Contact:--',
    ],
    ['WhoId', '003-bad', 'MALFORMED_ID:Name ID: id value of incorrect type: 003-bad:WhoId --'],
    [
      'WhoId',
      '0018c0000000001AAA',
      'FIELD_INTEGRITY_EXCEPTION:Name ID: id value of incorrect type: 0018c0000000001AAA:WhoId --',
    ],
    ['WhoId', to18('0038c000000ZZZZ'), 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--'],
  ])('fails the row when %s is %s', async (column, value, error) => {
    const { job, info } = await runIngestJob(
      org.conn,
      { object: 'Task', operation: 'insert' },
      `Subject,${column}\nUnresolved,${value}\n`,
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 1 });
    const [failed] = await failedRows(job);
    expect(failed?.sf__Error).toBe(error);
  });
});

describe('delete and hardDelete', () => {
  async function insertAccounts(names: string[]) {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      `Name\n${names.join('\n')}\n`,
    );
    return (await successRows(job)).map((r) => r.sf__Id);
  }

  it('soft-deletes, then reports ENTITY_IS_DELETED for a second delete', async () => {
    const [id] = await insertAccounts(['Soft']);
    const first = await runIngestJob(org.conn, { object: 'Account', operation: 'delete' }, `Id\n${id}\n`);
    expect(await first.job.getSuccessfulResults(true)).toBe(
      `"sf__Id","sf__Created",Id\n"${id}","false","${id}"\n`,
    );
    expect(org.emu.context.store.findById(id ?? '')?.isDeleted).toBe(true);
    const second = await runIngestJob(org.conn, { object: 'Account', operation: 'delete' }, `Id\n${id}\n`);
    expect((await failedRows(second.job))[0]?.sf__Error).toBe('ENTITY_IS_DELETED:entity is deleted:--');
  });

  it('hard-deletes records for good', async () => {
    const [id] = await insertAccounts(['Hard']);
    const { info } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'hardDelete' },
      `Id\n${id}\n`,
    );
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    expect(org.emu.context.store.findById(id ?? '')).toBeUndefined();
  });

  it('fails deleting an Id that does not exist or belongs to another object', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'delete' },
      `Id\n${to18('0018c000000ZZZZ')}\n0038c0000000001AAA\n`,
    );
    const errors = (await failedRows(job)).map((r) => r.sf__Error).sort();
    expect(errors).toEqual([
      'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
      'MALFORMED_ID:Account ID: id value of incorrect type: 0038c0000000001AAA:Id --',
    ]);
  });
});

describe('lock contention', () => {
  it('fails rows with UNABLE_TO_LOCK_ROW while lock faults are on, and the job still completes', async () => {
    org.emu.context.faults.set({ lock: 1 });
    try {
      const job = org.conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
      await job.open();
      await job.uploadData('Name\nLocked A\nLocked B\n');
      await job.close();
      const info = await waitForJob(job);
      expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 2 });
      const errors = (await failedRows(job)).map((r) => r.sf__Error);
      expect(errors).toEqual([
        'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
        'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
      ]);
    } finally {
      org.emu.context.faults.set({ lock: 0 });
    }
  });

  it('names the record in UNABLE_TO_LOCK_ROW for an update', async () => {
    const { job } = await runIngestJob(
      org.conn,
      { object: 'Account', operation: 'insert' },
      'Name\nTo lock\n',
    );
    const [row] = await successRows(job);
    org.emu.context.faults.set({ lock: 1 });
    try {
      const update = await runIngestJob(
        org.conn,
        { object: 'Account', operation: 'update' },
        `Id,Name\n${row?.sf__Id},X\n`,
      );
      expect((await failedRows(update.job))[0]).toMatchObject({
        sf__Id: row?.sf__Id,
        sf__Error: `UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: ${row?.sf__Id}:--`,
      });
    } finally {
      org.emu.context.faults.set({ lock: 0 });
    }
  });
});

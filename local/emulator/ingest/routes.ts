import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { EmulatorContext } from '../context.ts';
import {
  ApiError,
  notFound,
  type RequestContext,
  type Router,
  readJson,
  readSmallBody,
  sendCsv,
  sendEmpty,
  sendJsonText,
} from '../http/router.ts';
import { isColumnDelimiter, isLineEnding } from './csv-format.ts';
import { type IngestJob, id15, jobInfoText, jobListText, OPERATIONS, type Operation } from './job.ts';
import type { JobFile } from './job-repository.ts';
import { type IngestService, ingestService } from './service.ts';

export { ingestSettings, resumeJobs, suspendJobs } from './service.ts';

const BASE = '/services/data/:version/jobs/ingest';
const JOB_STATES = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'];

/** Errors whose status and text the reference marks UNCONFIRMED (§1.3): 400 INVALIDJOBSTATE. */
const invalidJobState = (message: string) =>
  new ApiError(400, 'INVALIDJOBSTATE', `InvalidJobState : ${message}`);

/** Bulk API 2.0 ingest (reference §1): create, upload, close/abort, info, list, delete and results. */
export function registerIngestRoutes(router: Router, ctx: EmulatorContext): void {
  const service = ingestService(ctx);
  router.add('POST', BASE, (rc) => createJob(service, rc));
  router.add('GET', BASE, (rc) => listJobs(service, rc));
  router.add('GET', `${BASE}/:jobId`, (rc) =>
    sendJsonText(rc, 200, jobInfoText(findJob(service, rc), 'full')),
  );
  router.add('PATCH', `${BASE}/:jobId`, (rc) => changeState(service, rc));
  router.add('DELETE', `${BASE}/:jobId`, (rc) => deleteJob(service, rc));
  router.add('PUT', `${BASE}/:jobId/batches`, (rc) => uploadData(service, rc));
  router.add('GET', `${BASE}/:jobId/successfulResults`, (rc) =>
    sendResults(service, rc, 'successfulResults'),
  );
  router.add('GET', `${BASE}/:jobId/failedResults`, (rc) => sendResults(service, rc, 'failedResults'));
  router.add('GET', `${BASE}/:jobId/unprocessedrecords`, (rc) =>
    sendResults(service, rc, 'unprocessedrecords'),
  );
}

function findJob(service: IngestService, rc: RequestContext): IngestJob {
  const job = service.find(rc.params.jobId ?? '');
  if (!job) throw notFound();
  return job;
}

interface CreateJobRequest {
  object?: unknown;
  operation?: unknown;
  externalIdFieldName?: unknown;
  contentType?: unknown;
  columnDelimiter?: unknown;
  lineEnding?: unknown;
  assignmentRuleId?: unknown;
}

const invalidValue = (value: unknown, property: string) =>
  new ApiError(400, 'API_ERROR', `Invalid value: '${value ?? ''}' supplied for property: '${property}'`);

/** Validates a create request in the order and with the messages of reference §5. */
function newJob(service: IngestService, rc: RequestContext, body: CreateJobRequest): IngestJob {
  const { ctx } = service;
  const operation = body.operation;
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
    throw invalidValue(operation, 'operation');
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV')
    throw invalidValue(body.contentType, 'contentType');
  const columnDelimiter = body.columnDelimiter ?? 'COMMA';
  if (!isColumnDelimiter(columnDelimiter)) throw invalidValue(columnDelimiter, 'columnDelimiter');
  const lineEnding = body.lineEnding ?? 'LF';
  if (!isLineEnding(lineEnding)) throw invalidValue(lineEnding, 'lineEnding');

  const objectName = typeof body.object === 'string' ? body.object : '';
  const object = ctx.schema.object(objectName);
  if (!object) throw new ApiError(400, 'INVALIDJOB', `InvalidJob : Unable to find object: ${objectName}`);

  let externalIdFieldName: string | undefined;
  if (operation === 'upsert') {
    const requested = typeof body.externalIdFieldName === 'string' ? body.externalIdFieldName : '';
    if (requested === '') {
      throw new ApiError(
        400,
        'INVALIDJOB',
        `InvalidJob : External ID was blank for ${object.name}. An External ID must be specified for upsert.`,
      );
    }
    const field = ctx.schema.field(object.name, requested);
    if (!field || !(field.type === 'id' || field.externalId || field.idLookup)) {
      throw new ApiError(
        400,
        'INVALIDJOB',
        `InvalidJob : Field name provided, ${requested} does not match an External ID for ${object.name}`,
      );
    }
    externalIdFieldName = field.name;
  }
  if (operation === 'hardDelete' && !service.settings.hardDeleteEnabled) {
    // The CLI maps FEATURENOTENABLED to the "Bulk API Hard Delete" permission; the text is UNCONFIRMED.
    throw new ApiError(
      400,
      'FEATURENOTENABLED',
      'FeatureNotEnabled : The Bulk API Hard Delete permission is required for the hardDelete operation',
    );
  }

  const now = ctx.now().getTime();
  return {
    id: service.repo.newId(),
    operation: operation as Operation,
    object: object.name,
    createdById: rc.session?.userId ?? '',
    createdDate: now,
    systemModstamp: now,
    state: 'Open',
    externalIdFieldName,
    assignmentRuleId: typeof body.assignmentRuleId === 'string' ? body.assignmentRuleId : undefined,
    apiVersion: rc.apiVersion ?? ctx.latestApiVersion,
    lineEnding,
    columnDelimiter,
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    uploads: 0,
    uploadBytes: 0,
    successRows: 0,
    failedRows: 0,
    unprocessedRows: 0,
    unprocessedIsUpload: false,
  };
}

async function createJob(service: IngestService, rc: RequestContext): Promise<void> {
  const contentType = String(rc.req.headers['content-type'] ?? '');
  if (/^multipart\/form-data/i.test(contentType)) return createJobWithContent(service, rc, contentType);
  const job = newJob(service, rc, await readJson<CreateJobRequest>(rc));
  service.repo.save(job);
  sendJsonText(rc, 200, jobInfoText(job, 'create'));
}

/** Create + upload in one multipart request (`job` and `content` parts); the job comes back UploadComplete. */
async function createJobWithContent(
  service: IngestService,
  rc: RequestContext,
  contentType: string,
): Promise<void> {
  const limit = service.settings.multipartMaxChars;
  const body = await readSmallBody(rc.req, limit * 4 + 65_536);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ApiError(400, 'API_ERROR', 'Unable to parse the multipart request body');
  }
  const jobPart = form.get('job');
  const contentPart = form.get('content');
  if (jobPart === null || contentPart === null) {
    throw new ApiError(
      400,
      'API_ERROR',
      "A multipart create request needs a 'job' part and a 'content' part",
    );
  }
  let request: CreateJobRequest;
  try {
    request = JSON.parse(typeof jobPart === 'string' ? jobPart : await jobPart.text()) as CreateJobRequest;
  } catch {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'Unexpected character in JSON request body');
  }
  const content = typeof contentPart === 'string' ? contentPart : await contentPart.text();
  if (content.length > limit) {
    // UNCONFIRMED wording; the 100,000-character limit itself is documented.
    throw new ApiError(400, 'API_ERROR', `The content part exceeds the maximum of ${limit} characters`);
  }
  const job = newJob(service, rc, request);
  service.repo.save(job);
  writeFileSync(service.repo.path(job.id, 'upload'), content);
  job.uploads = 1;
  job.uploadBytes = Buffer.byteLength(content);
  job.state = 'UploadComplete';
  service.repo.save(job);
  service.start(job);
  sendJsonText(rc, 200, jobInfoText(job, 'create'));
}

async function listJobs(service: IngestService, rc: RequestContext): Promise<void> {
  const pageSize = service.settings.listPageSize;
  const locator = rc.query.get('queryLocator');
  let offset = 0;
  if (locator) {
    const m = /-(\d+)$/.exec(locator);
    if (!m) throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    offset = Number(m[1]);
  }
  const jobType = rc.query.get('jobType');
  const concurrencyMode = rc.query.get('concurrencyMode');
  const pkChunking = rc.query.get('isPkChunkingEnabled');
  const matching = service
    .list()
    .filter(() => (jobType === null || jobType === 'V2Ingest') && pkChunking !== 'true')
    .filter(() => concurrencyMode === null || concurrencyMode === 'Parallel');
  const page = matching.slice(offset, offset + pageSize);
  const next = offset + pageSize < matching.length ? offset + pageSize : undefined;
  const params = new URLSearchParams(rc.query);
  if (next !== undefined) params.set('queryLocator', `01g${'0'.repeat(15)}-${next}`);
  const version = rc.apiVersion ?? service.ctx.latestApiVersion;
  const nextRecordsUrl =
    next === undefined ? null : `/services/data/v${version}/jobs/ingest?${params.toString()}`;
  sendJsonText(rc, 200, jobListText(page, nextRecordsUrl));
}

async function changeState(service: IngestService, rc: RequestContext): Promise<void> {
  const job = findJob(service, rc);
  const body = await readJson<{ state?: unknown }>(rc);
  const target = body.state;
  if (target === 'UploadComplete') {
    if (job.state !== 'Open')
      throw invalidJobState(`Cannot change the state of a job from ${job.state} to UploadComplete`);
    if (job.uploads > 1) throw multipleContents(job);
    job.state = 'UploadComplete';
    job.systemModstamp = service.ctx.now().getTime();
    service.repo.save(job);
    service.start(job);
  } else if (target === 'Aborted') {
    const abortable =
      job.state === 'Open' ||
      ((job.state === 'UploadComplete' || job.state === 'InProgress') && service.ctx.quirks.abortAfterUpload);
    if (!abortable) throw invalidJobState(`Cannot change the state of a job from ${job.state} to Aborted`);
    // Before processing starts nothing has run: every uploaded row is unprocessed.
    job.unprocessedIsUpload = job.state !== 'InProgress';
    job.state = 'Aborted';
    job.systemModstamp = service.ctx.now().getTime();
    service.repo.save(job);
  } else if (typeof target === 'string' && JOB_STATES.includes(target)) {
    throw invalidJobState(`Cannot change the state of a job from ${job.state} to ${target}`);
  } else {
    throw invalidValue(target, 'state');
  }
  sendJsonText(rc, 200, jobInfoText(job, 'short'));
}

async function deleteJob(service: IngestService, rc: RequestContext): Promise<void> {
  const job = findJob(service, rc);
  if (job.state === 'Open' || job.state === 'InProgress') {
    throw invalidJobState(`Cannot delete a job in state ${job.state}`);
  }
  await service.delete(job);
  sendEmpty(rc, 204);
}

/** The exact text real orgs return, typo and 15-character id in angle brackets included (reference §5). */
function multipleContents(job: IngestJob): ApiError {
  return new ApiError(
    400,
    'BULK_API_ERROR',
    `Found multipe contents for job: <${id15(job.id)}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
  );
}

const uploading = new WeakSet<IngestJob>();

/** Reads and discards the rest of a request body so the client sees the error response, not a reset. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

/** PUT /batches: streams the body to disk (chunked or not), 201 with an empty body; no validation yet. */
async function uploadData(service: IngestService, rc: RequestContext): Promise<void> {
  const job = findJob(service, rc);
  if (job.state !== 'Open') {
    await drain(rc.req);
    throw invalidJobState(`Data can only be uploaded to a job in state Open; the job is ${job.state}`);
  }
  if ((job.uploads > 0 || uploading.has(job)) && service.ctx.quirks.secondUpload === 'rejectPut') {
    await drain(rc.req);
    throw multipleContents(job);
  }
  uploading.add(job);
  const file = service.repo.path(job.id, 'upload');
  const partial = `${file}.part`;
  const maxBase64 = service.settings.maxUploadBase64Bytes;
  let bytes = 0;
  let tooLarge = false;
  const out = createWriteStream(partial);
  try {
    // Read to the end even past the limit, so the client gets the error response rather than a reset.
    for await (const chunk of rc.req as AsyncIterable<Buffer>) {
      if (tooLarge) continue;
      bytes += chunk.length;
      // The documented limit applies after base64 encoding: 4 bytes for every 3.
      if (Math.ceil(bytes / 3) * 4 > maxBase64) {
        tooLarge = true;
        continue;
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    uploading.delete(job);
  }
  if (tooLarge) {
    rmSync(partial, { force: true });
    // UNCONFIRMED status and wording; the limit itself is documented (150 MB base64, ~100 MB raw).
    throw new ApiError(
      400,
      'EXCEEDEDQUOTA',
      `ExceededQuota : Job data exceeds the maximum upload size of ${maxBase64} bytes (base64 encoded)`,
    );
  }
  if (service.find(job.id) !== job || job.state !== 'Open') {
    rmSync(partial, { force: true });
    throw invalidJobState(`The job changed state to ${job.state} during the upload`);
  }
  renameSync(partial, file);
  job.uploads += 1;
  job.uploadBytes = bytes;
  job.systemModstamp = service.ctx.now().getTime();
  service.repo.save(job);
  sendEmpty(rc, 201);
}

async function sendResults(service: IngestService, rc: RequestContext, kind: JobFile): Promise<void> {
  const job = findJob(service, rc);
  if (job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted') {
    throw invalidJobState(`Results are not available until the job has finished; the job is ${job.state}`);
  }
  const rawUpload = kind === 'unprocessedrecords' && job.unprocessedIsUpload;
  const file = service.repo.path(job.id, rawUpload ? 'upload' : kind);
  const rows =
    kind === 'successfulResults'
      ? job.successRows
      : kind === 'failedResults'
        ? job.failedRows
        : job.unprocessedRows;
  const headerOnly = !rawUpload && rows === 0;
  const empty = !existsSync(file) || (headerOnly && service.ctx.quirks.emptyResults === 'empty');
  await sendCsv(rc, 200, empty ? Readable.from([]) : createReadStream(file));
}

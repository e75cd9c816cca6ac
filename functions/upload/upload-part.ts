import type { Readable } from 'node:stream';
import { firstPoll, toJobRef } from '../poll/interpret-job.ts';
import type { JobRef, PartState } from '../shared/contracts.ts';
import { SalesforceRequestError } from '../shared/errors.ts';
import type { SalesforcePort } from '../shared/salesforce-port.ts';
import { toBulkCsv } from './bulk-csv.ts';

/** Progress of one part attempt's job, saved after each step so a retried Upload resumes safely. */
export interface UploadMarker {
  jobId: string;
  stage: 'created' | 'uploaded' | 'closed';
}

export interface UploadPorts {
  salesforce: SalesforcePort;
  readMarker(key: string): Promise<UploadMarker | undefined>;
  writeMarker(key: string, marker: UploadMarker): Promise<void>;
  openPart(key: string): Promise<Readable>;
  log?(message: string, attributes: Record<string, unknown>): void;
}

export function markerKey(runId: string, partId: string, attempt: number): string {
  return `staging/${runId}/jobs/${partId}-a${attempt}.json`;
}

/**
 * Creates the part's ingest job, streams the part into its single upload and closes it. Idempotent
 * through the marker: a retry after `closed` hands back the same job; after `uploaded` it only closes;
 * after `created` the upload may have half-happened, and a job takes one upload only, so that job is
 * aborted and a fresh one created. A retried Upload therefore never leaves two live jobs for a part.
 */
export async function uploadPart(state: PartState, ports: UploadPorts): Promise<PartState> {
  const { part } = state;
  const key = markerKey(part.runId, part.partId, part.attempt);
  const marker = await ports.readMarker(key);
  const log = ports.log ?? (() => {});

  const handOver = (job: JobRef): PartState => ({ part, job, poll: firstPoll() });

  if (marker?.stage === 'closed') {
    log('Job already closed by an earlier try', { jobId: marker.jobId });
    return handOver({ id: marker.jobId, state: 'UploadComplete', recordsProcessed: 0, recordsFailed: 0 });
  }
  if (marker?.stage === 'uploaded') {
    log('Closing the job an earlier try uploaded', { jobId: marker.jobId });
    return handOver(await close(marker.jobId, key, ports));
  }
  if (marker?.stage === 'created') {
    log('Aborting the job an earlier try left half-uploaded', { jobId: marker.jobId });
    await abandon(marker.jobId, ports.salesforce);
  }

  const job = await ports.salesforce.createJob({
    object: part.object,
    operation: part.operation,
    ...(part.externalIdFieldName ? { externalIdFieldName: part.externalIdFieldName } : {}),
  });
  await ports.writeMarker(key, { jobId: job.id, stage: 'created' });
  log('Job created', { jobId: job.id });
  await ports.salesforce.uploadJobData(job.id, toBulkCsv(await ports.openPart(part.key)));
  await ports.writeMarker(key, { jobId: job.id, stage: 'uploaded' });
  return handOver(await close(job.id, key, ports));
}

async function close(jobId: string, key: string, ports: UploadPorts): Promise<JobRef> {
  const info = await ports.salesforce.closeJob(jobId);
  await ports.writeMarker(key, { jobId, stage: 'closed' });
  return toJobRef(info);
}

/** Aborts a job an earlier try created; one that is already over (or gone) needs nothing. */
async function abandon(jobId: string, salesforce: SalesforcePort): Promise<void> {
  try {
    await salesforce.abortJob(jobId);
  } catch (error) {
    if (!(error instanceof SalesforceRequestError)) throw error;
    // Aborted, Failed or deleted already: Salesforce refuses the transition, which is what we wanted.
  }
}

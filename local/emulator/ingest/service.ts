import type { EmulatorContext } from '../context.ts';
import { type IngestJob, TERMINAL_STATES } from './job.ts';
import { JobRepository } from './job-repository.ts';
import { processJob } from './processor.ts';

/** Limits and switches of the ingest API that tests and users may change at run time. */
export interface IngestSettings {
  /** Upload limit after base64 encoding (Salesforce: 150 MB, i.e. ~100 MB raw). */
  maxUploadBase64Bytes: number;
  /** Records per internal batch (Salesforce: 10,000); each batch is one transaction and one checkpoint. */
  batchSize: number;
  /** The "Bulk API Hard Delete" permission; off makes hardDelete jobs fail with FEATURENOTENABLED. */
  hardDeleteEnabled: boolean;
  /** How long terminal jobs and their results stay (Salesforce: 7 days). */
  retentionMs: number;
  /** Maximum CSV characters in a multipart create (Salesforce: 100,000). */
  multipartMaxChars: number;
  /** Jobs per page of GET /jobs/ingest (Salesforce: 1,000). */
  listPageSize: number;
}

export const DEFAULT_INGEST_SETTINGS: IngestSettings = {
  maxUploadBase64Bytes: 150 * 1024 * 1024,
  batchSize: 10_000,
  hardDeleteEnabled: true,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  multipartMaxChars: 100_000,
  listPageSize: 1000,
};

/** A job being processed: flags the HTTP side sets and the processor reads between batches. */
export interface JobRun {
  done: Promise<void>;
  /** Stop at the next batch boundary and leave the job InProgress for `resumeJobs` (shutdown). */
  suspend: boolean;
  /** The job was deleted: stop without touching its files. */
  cancelled: boolean;
}

/** Per-emulator ingest state: the job repository, settings and the jobs being processed. */
export class IngestService {
  readonly ctx: EmulatorContext;
  readonly repo: JobRepository;
  readonly settings: IngestSettings;
  private readonly runs = new Map<string, JobRun>();

  constructor(ctx: EmulatorContext) {
    this.ctx = ctx;
    this.repo = new JobRepository(ctx.dataDir);
    this.settings = { ...DEFAULT_INGEST_SETTINGS };
  }

  /** A job the API can still see: terminal jobs older than the retention period are purged on sight. */
  find(id: string): IngestJob | undefined {
    const job = this.repo.get(id);
    if (job && this.expired(job)) {
      this.repo.remove(job.id);
      return undefined;
    }
    return job;
  }

  list(): IngestJob[] {
    return this.repo
      .all()
      .filter((job) => this.find(job.id) !== undefined)
      .sort((a, b) => a.createdDate - b.createdDate || a.id.localeCompare(b.id));
  }

  private expired(job: IngestJob): boolean {
    return (
      TERMINAL_STATES.has(job.state) &&
      this.ctx.now().getTime() - job.systemModstamp > this.settings.retentionMs
    );
  }

  /** Starts processing (asynchronously, after the current request has been answered). */
  start(job: IngestJob): void {
    if (this.runs.has(job.id)) return;
    const run: JobRun = { done: Promise.resolve(), suspend: false, cancelled: false };
    run.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => processJob(this, job, run))
      .catch((err: unknown) => {
        // processJob fails the job itself; reaching here means even that failed (e.g. the disk went away).
        process.emitWarning(`ingest job ${job.id}: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => this.runs.delete(job.id));
    this.runs.set(job.id, run);
  }

  running(id: string): JobRun | undefined {
    return this.runs.get(id);
  }

  /** Deletes a job and its files, stopping its processing first. */
  async delete(job: IngestJob): Promise<void> {
    const run = this.runs.get(job.id);
    if (run) {
      run.cancelled = true;
      await run.done;
    }
    this.repo.remove(job.id);
  }

  /** Restarts jobs that were closed or in progress when the emulator last stopped. */
  resume(): void {
    for (const job of this.repo.all()) {
      if (job.state === 'UploadComplete' || job.state === 'InProgress') this.start(job);
    }
  }

  /** Stops all processing at batch boundaries, leaving checkpoints to resume from. */
  async suspend(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.suspend = true;
    await Promise.all(runs.map((run) => run.done));
  }

  /** Resolves when no job is being processed (tests). */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs.values()].map((run) => run.done));
  }
}

const services = new WeakMap<EmulatorContext, IngestService>();

export function ingestService(ctx: EmulatorContext): IngestService {
  let service = services.get(ctx);
  if (!service) {
    service = new IngestService(ctx);
    services.set(ctx, service);
  }
  return service;
}

/** The mutable ingest settings of an emulator (e.g. `ingestSettings(emu.context).batchSize = 2`). */
export function ingestSettings(ctx: EmulatorContext): IngestSettings {
  return ingestService(ctx).settings;
}

/** Call once at start-up: continues jobs left UploadComplete/InProgress by a previous run (--data-dir). */
export function resumeJobs(ctx: EmulatorContext): void {
  ingestService(ctx).resume();
}

/** Call on shutdown before closing the store: stops processing at a batch boundary. */
export function suspendJobs(ctx: EmulatorContext): Promise<void> {
  return ingestService(ctx).suspend();
}

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdGenerator, isValidId, to18 } from '../ids.ts';
import type { IngestJob } from './job.ts';

const JOB_KEY_PREFIX = '750';

export type JobFile = 'upload' | 'successfulResults' | 'failedResults' | 'unprocessedrecords';

/**
 * Jobs on disk, one directory per job (`job.json`, the upload and the three result files), with the job
 * metadata also held in memory. Only metadata is kept in memory; rows stay in files.
 */
export class JobRepository {
  private readonly dir: string;
  private readonly jobs = new Map<string, IngestJob>();
  private readonly ids = new IdGenerator();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'ingest-jobs');
    mkdirSync(this.dir, { recursive: true });
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        const job = JSON.parse(readFileSync(join(this.dir, entry.name, 'job.json'), 'utf8')) as IngestJob;
        this.jobs.set(job.id, job);
        this.ids.resume(JOB_KEY_PREFIX, IdGenerator.sequenceOf(job.id));
      } catch {
        // A job directory without a readable job.json was never fully created; it holds nothing to serve.
      }
    }
  }

  newId(): string {
    return this.ids.next(JOB_KEY_PREFIX);
  }

  /** Looks a job up by its 15- or 18-character id. */
  get(id: string): IngestJob | undefined {
    if (!isValidId(id)) return undefined;
    return this.jobs.get(to18(id));
  }

  all(): IngestJob[] {
    return [...this.jobs.values()];
  }

  /** Writes job.json atomically so a crash never leaves a half-written job. */
  save(job: IngestJob): void {
    // A temporary data dir is removed on stop; a job finishing late must not bring it back.
    if (!existsSync(this.dir)) return;
    const jobDir = join(this.dir, job.id);
    mkdirSync(jobDir, { recursive: true });
    const tmp = join(jobDir, 'job.json.tmp');
    writeFileSync(tmp, JSON.stringify(job));
    renameSync(tmp, join(jobDir, 'job.json'));
    this.jobs.set(job.id, job);
  }

  remove(id: string): void {
    this.jobs.delete(id);
    rmSync(join(this.dir, id), { recursive: true, force: true });
  }

  path(id: string, file: JobFile): string {
    return join(this.dir, id, `${file}.csv`);
  }
}

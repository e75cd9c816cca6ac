import type { Writable } from 'node:stream';

/** What the run has done so far, from the state machine's own events. */
export interface RunProgress {
  rowsValidated?: number;
  rowsRejected?: number;
  parts?: number;
  partsUploaded: number;
  jobsFinished: number;
  resubmits: number;
  phase: string;
}

/** The parts of state outputs that progress reads (see functions/shared/contracts.ts). */
interface StateOutput {
  validation?: { total?: number; rejected?: number };
  split?: { parts?: unknown[] };
  part?: { partId?: string };
  job?: { id?: string; state?: string; recordsProcessed?: number; recordsFailed?: number };
  resubmit?: unknown;
}

interface StateEvent {
  type: string;
  state?: { name: string; output?: unknown };
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise (CI logs, pipes),
 * so scripts reading stdout for `--json` never see it.
 */
export class ProgressReporter {
  readonly progress: RunProgress = { partsUploaded: 0, jobsFinished: 0, resubmits: 0, phase: 'starting' };
  private readonly out: Writable & { isTTY?: boolean; columns?: number };
  private readonly tty: boolean;
  private drawn = false;

  constructor(out: Writable & { isTTY?: boolean; columns?: number }, enabled = true) {
    this.out = out;
    this.tty = enabled && Boolean(out.isTTY);
    if (!enabled) this.line = () => {};
  }

  /** Feeds one engine event (local/stack onEvent). */
  onEvent = (_execution: unknown, event: StateEvent): void => {
    if (event.type === 'StateEntered' && event.state) this.enter(event.state.name);
    if (event.type !== 'StateExited' || !event.state) return;
    const output = (event.state.output ?? {}) as StateOutput;
    const p = this.progress;
    switch (event.state.name) {
      case 'Validate File':
        p.rowsValidated = output.validation?.total;
        p.rowsRejected = output.validation?.rejected;
        this.line(`validated ${fmt(p.rowsValidated)} rows, ${fmt(p.rowsRejected)} rejected`);
        break;
      case 'Split Into Parts':
        p.parts = output.split?.parts?.length;
        this.line(`split into ${fmt(p.parts)} part(s)`);
        break;
      case 'Upload Part':
        p.partsUploaded++;
        this.line(`uploaded part ${output.part?.partId ?? ''} as job ${output.job?.id ?? ''}`);
        break;
      case 'Collect Results':
        p.jobsFinished++;
        if (output.resubmit) p.resubmits++;
        this.line(
          `job ${output.job?.id ?? ''} ${output.job?.state ?? ''}: ${fmt(output.job?.recordsProcessed)} processed, ${fmt(output.job?.recordsFailed)} failed${output.resubmit ? ' (transient failures resubmitted)' : ''}`,
        );
        break;
    }
    this.draw();
  };

  /** A message that is not an event (set-up, downloads). */
  note(message: string): void {
    this.line(message);
    this.draw();
  }

  /** Clears the bar before the final summary. */
  finish(): void {
    if (this.tty && this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private enter(state: string): void {
    const phases: Record<string, string> = {
      'Validate File': 'validating',
      'Transform Rows': 'transforming',
      'Split Into Parts': 'splitting',
      'Upload Part': 'uploading',
      'Poll Job': 'waiting for Salesforce',
      'Collect Results': 'collecting results',
      'Report Run': 'reporting',
      'Report Failure': 'reporting failure',
    };
    const phase = phases[state];
    if (phase && phase !== this.progress.phase) {
      this.progress.phase = phase;
      this.draw();
    }
  }

  private line(message: string): void {
    if (this.tty) {
      if (this.drawn) this.out.write('\r\x1b[2K');
      this.drawn = false;
      this.out.write(`  ${message}\n`);
    } else {
      this.out.write(`polyload: ${message}\n`);
    }
  }

  private draw(): void {
    if (!this.tty) return;
    const p = this.progress;
    const total = p.parts ?? 0;
    const width = 24;
    const filled = total > 0 ? Math.round((p.jobsFinished / (total + p.resubmits)) * width) : 0;
    const bar = `[${'#'.repeat(Math.min(width, filled))}${'.'.repeat(Math.max(0, width - filled))}]`;
    const text = `${bar} ${p.phase} · rows ${fmt(p.rowsValidated)} · parts uploaded ${p.partsUploaded}/${total || '?'} · jobs finished ${p.jobsFinished}`;
    this.out.write(`\r\x1b[2K${text.slice(0, (this.out.columns ?? 120) - 1)}`);
    this.drawn = true;
  }
}

function fmt(n: number | undefined): string {
  return n === undefined ? '?' : n.toLocaleString('en-US');
}

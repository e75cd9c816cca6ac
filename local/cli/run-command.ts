import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { RunReport } from '../../functions/shared/contracts.ts';
import { type ExternalSalesforce, startLocalStack } from '../stack/index.ts';
import { parseOptions, UsageError } from './args.ts';
import { dryRun } from './dry-run.ts';
import {
  downloadResults,
  formatSummary,
  loadFile,
  putMapping,
  RunNotReportedError,
} from './load-on-stack.ts';
import { ProgressReporter } from './progress.ts';

const HELP = `Usage: polyload run FILE --mapping F [options]

Runs the real state machine locally on FILE: S3 and Step Functions run on this machine, Salesforce is
the embedded emulator unless --salesforce is given. Progress goes to stderr.

Options:
  --mapping F          the pipeline's mapping (YAML); required
  --pipeline NAME      pipeline name (default: the mapping file's name without extension)
  --salesforce URL     load into this org instead of the emulator; credentials from the environment:
                       SALESFORCE_CLIENT_ID with SALESFORCE_CLIENT_SECRET (client credentials, My Domain URL)
                       or SALESFORCE_USERNAME with SALESFORCE_PRIVATE_KEY_FILE (JWT bearer; SALESFORCE_AUDIENCE)
  --out DIR            write the result CSVs and report.json into DIR
  --json               print the run report (JSON) on stdout
  --dry-run            validate and transform only: print the plan (groups, Bulk headers, rows, rejects);
                       no job is created
  --seed F             emulator only: records to load first (CSV <Object>.csv or JSON); repeatable
  --schema F           emulator only: the org's describe export
  --faults SPEC        emulator only: fault injection, e.g. throttle=0.1,lock=0.05
  --max-part-records N records per Bulk job (default 150000)

Exit status: 0 the run completed (row failures are in the report), 1 the run failed, 2 usage error.
`;

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      mapping: { type: 'string' },
      pipeline: { type: 'string' },
      salesforce: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      seed: { type: 'string', multiple: true },
      schema: { type: 'string' },
      faults: { type: 'string' },
      'max-part-records': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE');
  const file = resolve(positionals[0] as string);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${positionals[0]}`);
  if (!values.mapping) throw new UsageError('--mapping F is required');
  const mappingFile = resolve(values.mapping);
  if (!existsSync(mappingFile)) throw new UsageError(`no such mapping file: ${values.mapping}`);
  const pipelineName = values.pipeline ?? basename(mappingFile, extname(mappingFile));
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(pipelineName)) {
    throw new UsageError(
      `pipeline name '${pipelineName}' must be letters, digits, '-' and '_' (use --pipeline)`,
    );
  }
  if (values.salesforce && (values.seed || values.schema || values.faults)) {
    throw new UsageError('--seed, --schema and --faults apply to the embedded emulator, not to --salesforce');
  }
  const external = values.salesforce ? externalSalesforce(values.salesforce) : undefined;
  const maxPartRecords = values['max-part-records'];
  if (maxPartRecords !== undefined && !/^[1-9]\d*$/.test(maxPartRecords)) {
    throw new UsageError(`--max-part-records must be a positive integer, got '${maxPartRecords}'`);
  }

  const progress = new ProgressReporter(process.stderr);
  const startedAt = Date.now();
  const stack = await startLocalStack({
    applyEnv: true,
    logLevel: process.env.POLYLOAD_LOG_LEVEL ?? 'ERROR',
    salesforce: external,
    emulator: external ? undefined : { seed: values.seed, schema: values.schema, faults: values.faults },
    env: maxPartRecords ? { MAX_PART_RECORDS: maxPartRecords } : {},
    stateMachine: {
      onEvent: progress.onEvent,
      // Against the emulator, jobs finish in milliseconds: waiting the production backoff would only
      // slow a local run. A real org gets the waits and retry intervals the state machine computes.
      ...(external ? {} : { waitTimeOverrides: 100, retryIntervalOverrides: 100 }),
    },
  });
  try {
    await putMapping(stack, pipelineName, readFileSync(mappingFile, 'utf8'));
    if (values['dry-run']) {
      return await dryRun({ stack, file, pipeline: pipelineName, json: values.json, progress });
    }

    let report: RunReport;
    try {
      report = await loadFile(stack, pipelineName, file, progress);
    } catch (error) {
      if (!(error instanceof RunNotReportedError)) throw error;
      progress.finish();
      process.stderr.write(`polyload: ${error.message}\n`);
      return 1;
    }
    progress.finish();
    if (values.out) await downloadResults(stack, report, resolve(values.out));
    process.stderr.write(formatSummary(report, Date.now() - startedAt));
    process.stderr.write(
      values.out
        ? `  results in ${values.out}: ${Object.keys(report.files)
            .map((f) => `${f}.csv`)
            .join(', ')}, report.json\n`
        : `  results: ${Object.values(report.files).filter(Boolean).join(', ')} (use --out DIR to download)\n`,
    );
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

/** Credentials for --salesforce from the environment (never from the command line, where ps shows them). */
export function externalSalesforce(url: string): ExternalSalesforce {
  const env = process.env;
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--salesforce must be a URL, got '${url}'`);
  if (!env.SALESFORCE_CLIENT_ID)
    throw new UsageError('--salesforce needs SALESFORCE_CLIENT_ID in the environment');
  if (env.SALESFORCE_USERNAME && env.SALESFORCE_PRIVATE_KEY_FILE) {
    return {
      url,
      authMode: 'jwt',
      clientId: env.SALESFORCE_CLIENT_ID,
      username: env.SALESFORCE_USERNAME,
      privateKey: readFileSync(env.SALESFORCE_PRIVATE_KEY_FILE, 'utf8'),
      ...(env.SALESFORCE_AUDIENCE ? { audience: env.SALESFORCE_AUDIENCE } : {}),
    };
  }
  if (env.SALESFORCE_CLIENT_SECRET) {
    return {
      url,
      authMode: 'client-credentials',
      clientId: env.SALESFORCE_CLIENT_ID,
      clientSecret: env.SALESFORCE_CLIENT_SECRET,
    };
  }
  throw new UsageError(
    '--salesforce needs SALESFORCE_CLIENT_SECRET (client credentials) or SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE (JWT bearer)',
  );
}

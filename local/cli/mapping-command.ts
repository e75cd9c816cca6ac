import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { MappingError } from '../../functions/shared/errors.ts';
import { parseMapping } from '../../functions/shared/mapping/parse-mapping.ts';
import { type MappingPlan, planMapping } from '../../functions/shared/mapping/plan-mapping.ts';
import { createSalesforcePort, type SalesforceSettings } from '../../functions/shared/salesforce.ts';
import { startEmulator } from '../emulator/index.ts';
import { DEFAULT_API_VERSION, LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET } from '../stack/index.ts';
import { parseOptions, UsageError } from './args.ts';
import { externalSalesforce } from './run-command.ts';

const HELP = `Usage: polyload mapping check FILE [options]

Checks a mapping against an org's metadata — every field exists and is writable for the operation,
lookups use external ids or idLookup fields, polymorphic targets are valid there, picklist values are
known, required fields are covered — and prints the Bulk CSV header each field becomes. No data is sent.

Options:
  --salesforce URL   check against this org (credentials from the environment, as for 'polyload run');
                     the bundled emulator org otherwise
  --schema F         emulator only: check against this describe export instead of the bundled org
  --api-version V    API version (default ${DEFAULT_API_VERSION}); polymorphic headers differ below 57.0
  --json             print the result as JSON on stdout

Exit status: 0 the mapping fits the org, 1 it does not (each problem on its own line), 2 usage error.
`;

export async function mappingCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (sub !== 'check')
    throw new UsageError(`unknown mapping command '${sub ?? ''}' (did you mean 'mapping check'?)`);
  const { values, positionals } = parseOptions(
    rest,
    {
      salesforce: { type: 'string' },
      schema: { type: 'string' },
      'api-version': { type: 'string', default: DEFAULT_API_VERSION },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('mapping check takes exactly one FILE');
  const file = resolve(positionals[0] as string);
  if (!existsSync(file)) throw new UsageError(`no such mapping file: ${positionals[0]}`);
  const apiVersion = values['api-version'];
  if (!/^\d{2}\.0$/.test(apiVersion))
    throw new UsageError(`--api-version must look like 62.0, got '${apiVersion}'`);
  if (values.salesforce && values.schema)
    throw new UsageError('--schema applies to the emulator, not to --salesforce');

  const emulator = values.salesforce ? undefined : await startEmulator({ schema: values.schema });
  try {
    const settings: SalesforceSettings = emulator
      ? {
          loginUrl: emulator.url,
          apiVersion,
          auth: { mode: 'client-credentials', clientId: LOCAL_CLIENT_ID, clientSecret: LOCAL_CLIENT_SECRET },
        }
      : toSettings(values.salesforce as string, apiVersion);
    const org = emulator ? 'the emulator org' : (values.salesforce as string);
    const port = createSalesforcePort(settings);
    let plan: MappingPlan;
    try {
      const mapping = parseMapping(readFileSync(file, 'utf8'), basename(file));
      plan = await planMapping(mapping, (object) => port.describe(object), { apiVersion });
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      if (values.json)
        process.stdout.write(
          `${JSON.stringify({ ok: false, problems: error.message.split('\n') }, null, 2)}\n`,
        );
      process.stderr.write(`${error.message}\n\n${basename(file)} does not fit ${org}.\n`);
      return 1;
    }
    const fields = plan.fields.map((f) => ({ field: f.field, headers: headersOf(f) }));
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: true, object: plan.object, operation: plan.operation, externalIdFieldName: plan.externalIdFieldName, fields }, null, 2)}\n`,
      );
    } else {
      const lines = [
        `${basename(file)} fits ${org}: ${plan.operation} ${plan.object}${plan.externalIdFieldName ? ` by ${plan.externalIdFieldName}` : ''}, API v${plan.apiVersion}`,
        ...fields.map((f) => `  ${f.field.padEnd(28)} → ${f.headers.join(' | ')}`),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    await emulator?.stop();
  }
}

/** The Bulk CSV header(s) a planned field can produce: a polymorphic field has one per target type. */
function headersOf(field: MappingPlan['fields'][number]): string[] {
  if (field.reference) return field.reference.choices.map((c) => c.header);
  return [field.field];
}

function toSettings(url: string, apiVersion: string): SalesforceSettings {
  const external = externalSalesforce(url);
  const auth =
    external.authMode === 'jwt'
      ? {
          mode: 'jwt' as const,
          clientId: external.clientId,
          username: external.username as string,
          privateKey: external.privateKey as string,
          ...(external.audience ? { audience: external.audience } : {}),
        }
      : {
          mode: 'client-credentials' as const,
          clientId: external.clientId,
          clientSecret: external.clientSecret as string,
        };
  return { loginUrl: url, apiVersion, auth };
}

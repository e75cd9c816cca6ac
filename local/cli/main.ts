import { localUpCommand } from '../stack/local-up-command.ts';
import { UsageError } from './args.ts';
import { emulatorCommand } from './emulator-command.ts';
import { mappingCommand } from './mapping-command.ts';
import { runCommand } from './run-command.ts';

const USAGE = `Usage: polyload <command> [options]

Commands:
  run FILE --mapping F [--salesforce URL] [--out DIR] [--json] [--dry-run]
        Run the real state machine locally on FILE (embedded Salesforce emulator unless --salesforce).
  mapping check FILE [--salesforce URL] [--json]
        Check a mapping against an org's metadata and show the Bulk CSV headers it produces.
  local up [--port-s3 N] [--port-sfn N] [--port-ssm N] [--port-salesforce N] [--data-dir D]
        Start the whole local stack (S3, Step Functions, SSM, Salesforce) and keep it up.
  emulator [--port N] [--host H] [--schema F] [--seed F...] [--faults SPEC] [--data-dir D]
        Start the local Salesforce (Bulk API 2.0 emulator) and print its base URL.

Run 'polyload <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'mapping':
        return await mappingCommand(rest);
      case 'local':
        if (rest[0] !== 'up')
          throw new UsageError(`unknown local command '${rest[0] ?? ''}' (did you mean 'local up'?)`);
        return await localUpCommand(rest.slice(1));
      case 'emulator':
        return await emulatorCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`polyload: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`polyload: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function isParseArgsError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
}

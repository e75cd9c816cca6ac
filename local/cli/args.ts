import { parseArgs } from 'node:util';

/** A usage mistake: exit code 2 with the message and a hint, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs with strict checking, so a misspelt option is a usage error rather than silently ignored. */
export function parseOptions<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  return parseArgs({ args, options, allowPositionals, strict: true });
}

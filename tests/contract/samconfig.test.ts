import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate, root } from './template-model.ts';

type Table = Record<string, string | number | boolean>;

/**
 * The TOML subset samconfig.toml uses: `[env.command.parameters]` tables of `key = value` with
 * basic strings (escapes \" and \\), numbers and booleans. Anything else is an error.
 */
function parseSamconfig(text: string): { version?: number; tables: Record<string, Table> } {
  const tables: Record<string, Table> = {};
  let version: number | undefined;
  let current: Table | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (header?.[1]) {
      current = tables[header[1]] = {};
      return;
    }
    const pair = /^([A-Za-z0-9_]+)\s*=\s*(.+)$/.exec(line);
    if (!pair?.[1] || !pair[2]) throw new Error(`samconfig.toml:${index + 1}: cannot read "${line}"`);
    const [, key, literal] = pair;
    const value = literal.startsWith('"')
      ? (JSON.parse(literal) as string)
      : literal === 'true' || literal === 'false'
        ? literal === 'true'
        : Number(literal);
    if (typeof value === 'number' && Number.isNaN(value))
      throw new Error(`samconfig.toml:${index + 1}: bad value ${literal}`);
    if (!current) {
      if (key !== 'version') throw new Error(`samconfig.toml:${index + 1}: ${key} outside a table`);
      version = value as number;
    } else current[key] = value;
  });
  return { version, tables };
}

/** `Name="value" Other="x"` → { Name: 'value', Other: 'x' } (the form sam deploy --guided writes). */
function overrides(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/([A-Za-z0-9]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
  );
}

const { version, tables } = parseSamconfig(readFileSync(join(root, 'samconfig.toml'), 'utf8'));
const template = loadTemplate();

describe('samconfig.toml', () => {
  it('is version 0.1 with a dev default and a prod environment on different stacks', () => {
    expect(version).toBe(0.1);
    expect(tables['default.global.parameters']?.stack_name).toBe('polyload-dev');
    expect(tables['prod.global.parameters']?.stack_name).toBe('polyload-prod');
  });

  it.each(['default', 'prod'])(
    'deploys %s with a reviewed change set, IAM capability and a managed artifact bucket',
    (env) => {
      expect(tables[`${env}.deploy.parameters`]).toMatchObject({
        capabilities: 'CAPABILITY_IAM',
        confirm_changeset: true,
        resolve_s3: true,
      });
    },
  );

  it.each([
    ['default', 'dev'],
    ['prod', 'prod'],
  ])('overrides only parameters the template declares, with %s on stage %s', (env, stage) => {
    const values = overrides(String(tables[`${env}.deploy.parameters`]?.parameter_overrides ?? ''));
    expect(values.Stage).toBe(stage);
    const declared = Object.keys(template.Parameters ?? {});
    expect(Object.keys(values).filter((name) => !declared.includes(name))).toEqual([]);
    for (const [name, value] of Object.entries(values)) {
      const allowed = template.Parameters?.[name]?.AllowedValues as unknown[] | undefined;
      if (allowed) expect(allowed.map(String), name).toContain(value);
    }
  });

  it('points sam local invoke at events/env.json', () => {
    const envVars = tables['default.local_invoke.parameters']?.env_vars;
    expect(envVars).toBe('events/env.json');
    expect(existsSync(join(root, String(envVars)))).toBe(true);
  });
});

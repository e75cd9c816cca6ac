/**
 * `npm run build`: bundles every function exactly as `sam build` would, from the esbuild Metadata of
 * template.yaml (the template is the only list of functions and build settings; nothing is repeated
 * here). Output: dist/functions/<LogicalId>/handler.mjs (+ .map), with sizes printed.
 *
 * `@aws-sdk/*` is bundled, not external: nodejs24.x ships an SDK v3, but whichever minor version AWS
 * happens to deploy. Bundling runs the exact SDK the tests ran against (`sam build` does the same with
 * this Metadata), and tree-shaking keeps the cost to a few hundred KB per function.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { parse, type Tags } from 'yaml';

/** A CloudFormation template as plain JSON (short-form tags turned into their `Fn::` objects). */
export interface CfnTemplate {
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Globals?: Record<string, Record<string, unknown>>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, Record<string, unknown>>;
  [section: string]: unknown;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
  Properties?: Record<string, unknown>;
  [attribute: string]: unknown;
}

const scalarFunctions: Record<string, string> = {
  '!Ref': 'Ref',
  '!Sub': 'Fn::Sub',
  '!Base64': 'Fn::Base64',
  '!ImportValue': 'Fn::ImportValue',
  '!GetAZs': 'Fn::GetAZs',
  '!Condition': 'Condition',
};
const sequenceFunctions: Record<string, string> = {
  '!Sub': 'Fn::Sub',
  '!If': 'Fn::If',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Equals': 'Fn::Equals',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!Cidr': 'Fn::Cidr',
  '!GetAtt': 'Fn::GetAtt',
  '!Base64': 'Fn::Base64',
};

/** The `yaml` tags for CloudFormation's short-form intrinsic functions (`!Ref`, `!Sub`, `!GetAtt`...). */
export const cloudFormationTags: Tags = [
  ...Object.entries(scalarFunctions).map(([tag, fn]) => ({
    tag,
    resolve: (value: string) => ({ [fn]: value }),
  })),
  // `!GetAtt Resource.Attribute` splits at the first dot only (attributes may contain dots).
  {
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  ...Object.entries(sequenceFunctions).map(([tag, fn]) => ({
    tag,
    collection: 'seq' as const,
    resolve: (value: { toJSON(): unknown }) => ({ [fn]: value.toJSON() }),
  })),
];

/** Parses template.yaml text; throws on YAML errors and on unknown `!Tags`. */
export function parseTemplate(text: string): CfnTemplate {
  const template = parse(text, { customTags: cloudFormationTags, prettyErrors: true }) as CfnTemplate;
  if (!template || typeof template !== 'object' || typeof template.Resources !== 'object') {
    throw new Error('template has no Resources section');
  }
  return template;
}

export function readTemplate(root: string): CfnTemplate {
  return parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));
}

/** What one function's build needs: where its source is and the esbuild options SAM would use. */
export interface FunctionBuild {
  logicalId: string;
  /** Entry points relative to the function's CodeUri, as the template lists them. */
  entryPoints: string[];
  /** Absolute CodeUri directory (esbuild's working directory under `sam build`). */
  codeDir: string;
  options: BuildOptions;
}

/**
 * The esbuild BuildProperties SAM supports, mapped to esbuild's JS API. Anything else in the template is
 * an error, so the template cannot ask for a setting this script silently ignores.
 */
function esbuildOptions(logicalId: string, properties: Record<string, unknown>): BuildOptions {
  const options: BuildOptions = {};
  for (const [name, value] of Object.entries(properties)) {
    switch (name) {
      case 'EntryPoints':
        break;
      case 'Format':
        options.format = value as BuildOptions['format'];
        break;
      case 'Target':
        options.target = String(value);
        break;
      case 'Minify':
        options.minify = value === true;
        break;
      case 'Sourcemap':
        options.sourcemap = value === true;
        break;
      case 'KeepNames':
        options.keepNames = value === true;
        break;
      case 'MainFields':
        options.mainFields = String(value).split(',');
        break;
      case 'External':
        options.external = asList(logicalId, name, value);
        break;
      case 'OutExtension':
        options.outExtension = pairs(logicalId, name, value);
        break;
      case 'Banner':
        options.banner = pairs(logicalId, name, value);
        break;
      case 'Footer':
        options.footer = pairs(logicalId, name, value);
        break;
      case 'Loader':
        options.loader = pairs(logicalId, name, value) as BuildOptions['loader'];
        break;
      default:
        throw new Error(`${logicalId}: BuildProperties.${name} is not supported by local/build.ts`);
    }
  }
  return options;
}

function asList(logicalId: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${logicalId}: BuildProperties.${name} must be a list of strings`);
  }
  return value;
}

/** SAM's `key=value` list form (OutExtension `.js=.mjs`, Banner `js=...`), split at the first `=`. */
function pairs(logicalId: string, name: string, value: unknown): Record<string, string> {
  return Object.fromEntries(
    asList(logicalId, name, value).map((item) => {
      const equals = item.indexOf('=');
      if (equals < 1)
        throw new Error(`${logicalId}: BuildProperties.${name} item "${item}" is not key=value`);
      return [item.slice(0, equals), item.slice(equals + 1)];
    }),
  );
}

/** Every `AWS::Serverless::Function` with `BuildMethod: esbuild`, in template order. */
export function functionBuilds(template: CfnTemplate, root: string): FunctionBuild[] {
  const globalCodeUri = template.Globals?.Function?.CodeUri;
  const builds: FunctionBuild[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function' || resource.Metadata?.BuildMethod !== 'esbuild')
      continue;
    const properties = (resource.Metadata.BuildProperties ?? {}) as Record<string, unknown>;
    const codeUri = resource.Properties?.CodeUri ?? globalCodeUri ?? '.';
    if (typeof codeUri !== 'string') throw new Error(`${logicalId}: CodeUri must be a local path`);
    builds.push({
      logicalId,
      entryPoints: asList(logicalId, 'EntryPoints', properties.EntryPoints),
      codeDir: resolve(root, codeUri),
      options: esbuildOptions(logicalId, properties),
    });
  }
  return builds;
}

export interface BuiltFunction {
  logicalId: string;
  outDir: string;
  /** Output files (bundle and source map) with their sizes in bytes. */
  files: { path: string; bytes: number }[];
}

/** Entry points of the template that do not exist on disk (relative to the project root). */
export function missingEntryPoints(builds: FunctionBuild[], root: string): string[] {
  return builds.flatMap((b) =>
    b.entryPoints
      .filter((entry) => !existsSync(join(b.codeDir, entry)))
      .map((entry) => relative(root, join(b.codeDir, entry))),
  );
}

/**
 * Bundles each function into `<outRoot>/<LogicalId>/`. SAM's fixed defaults apply (bundle, platform
 * node, outdir per function; es2020/cjs/minify when the template does not say otherwise).
 */
export async function buildFunctions(builds: FunctionBuild[], outRoot: string): Promise<BuiltFunction[]> {
  return Promise.all(
    builds.map(async (fn) => {
      const outDir = join(outRoot, fn.logicalId);
      const result = await build({
        target: 'es2020',
        format: 'cjs',
        minify: true,
        ...fn.options,
        entryPoints: fn.entryPoints,
        absWorkingDir: fn.codeDir,
        bundle: true,
        platform: 'node',
        outdir: outDir,
        metafile: true,
        logLevel: 'silent',
      });
      const files = Object.keys(result.metafile.outputs).map((path) => {
        const absolute = resolve(fn.codeDir, path);
        return { path: absolute, bytes: statSync(absolute).size };
      });
      return { logicalId: fn.logicalId, outDir, files };
    }),
  );
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const builds = functionBuilds(readTemplate(root), root);
  const missing = missingEntryPoints(builds, root);
  if (missing.length > 0) {
    process.stderr.write(`template.yaml names entry points that do not exist:\n  ${missing.join('\n  ')}\n`);
    process.exitCode = 1;
    return;
  }
  const outRoot = join(root, 'dist', 'functions');
  for (const built of await buildFunctions(builds, outRoot)) {
    for (const file of built.files) {
      const kib = (file.bytes / 1024).toFixed(1).padStart(9);
      process.stdout.write(`${built.logicalId.padEnd(24)} ${kib} KiB  ${relative(root, file.path)}\n`);
    }
  }
}

if (import.meta.main) await main();

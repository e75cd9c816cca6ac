import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFunctions, functionBuilds, missingEntryPoints, parseTemplate } from '../../local/build.ts';
import { loadTemplate, readJson, root } from './template-model.ts';

const run = promisify(execFile);
const builds = functionBuilds(loadTemplate(), root);
const env = readJson<Record<string, Record<string, string>>>('events/env.json');
const outRoot = mkdtempSync(join(tmpdir(), 'polyload-build-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe('esbuild entry points of template.yaml', () => {
  it('all exist: every function the template deploys has its handler', () => {
    expect(builds).toHaveLength(8);
    expect(missingEntryPoints(builds, root)).toEqual([]);
  });
});

describe('npm run build (local/build.ts)', () => {
  const present = builds.filter((fn) => missingEntryPoints([fn], root).length === 0);

  it.runIf(present.length > 0)(
    'bundles every existing handler into an ESM handler.mjs with a source map, loadable with its sam local environment',
    async () => {
      const built = await buildFunctions(present, outRoot);
      for (const fn of built) {
        const bundle = join(fn.outDir, 'handler.mjs');
        expect(existsSync(bundle), fn.logicalId).toBe(true);
        expect(existsSync(`${bundle}.map`), fn.logicalId).toBe(true);
      }
      // Each bundle in a fresh Node, as Lambda loads it: the ESM require shim must cover bundled CommonJS.
      await Promise.all(
        built.map(async (fn) => {
          const bundle = join(fn.outDir, 'handler.mjs');
          const { stdout } = await run(
            process.execPath,
            [
              '--input-type=module',
              '-e',
              `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
            ],
            { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...env[fn.logicalId] } },
          );
          expect(stdout.trim(), fn.logicalId).toBe('function');
        }),
      );
    },
  );

  it.runIf(present.some((fn) => fn.logicalId === 'TriggerFunction'))(
    'bundles the AWS SDK instead of relying on the one the runtime ships',
    async () => {
      const trigger = present.filter((fn) => fn.logicalId === 'TriggerFunction');
      const [built] = await buildFunctions(trigger, join(outRoot, 'sdk'));
      const map = JSON.parse(readFileSync(join(built?.outDir ?? '', 'handler.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      expect(map.sources.some((source) => source.includes('node_modules/@aws-sdk/client-sfn/'))).toBe(true);
    },
  );

  const sample = (buildProperties: string) =>
    parseTemplate(`
Globals:
  Function:
    CodeUri: ./
Resources:
  SampleFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
${buildProperties}
  NotBuiltFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: elsewhere/
`);

  it("maps SAM's BuildProperties, key=value lists included, to esbuild options", () => {
    const [fn, ...others] = functionBuilds(
      sample(`        Format: esm
        Target: node24
        Minify: false
        Sourcemap: true
        KeepNames: true
        External: ['@aws-sdk/*']
        OutExtension: ['.js=.mjs']
        Banner: ['js=const a = "x=y";']
        EntryPoints: [functions/sample/handler.ts]`),
      '/project',
    );
    expect(others).toEqual([]);
    expect(fn).toEqual({
      logicalId: 'SampleFunction',
      entryPoints: ['functions/sample/handler.ts'],
      codeDir: '/project',
      options: {
        format: 'esm',
        target: 'node24',
        minify: false,
        sourcemap: true,
        keepNames: true,
        external: ['@aws-sdk/*'],
        outExtension: { '.js': '.mjs' },
        banner: { js: 'const a = "x=y";' },
      },
    });
  });

  it('refuses a BuildProperty it would otherwise silently ignore', () => {
    expect(() =>
      functionBuilds(sample('        Splitting: true\n        EntryPoints: [a.ts]'), '/project'),
    ).toThrow(/SampleFunction: BuildProperties.Splitting/);
  });

  it('reports an entry point the template names but the project lacks', () => {
    const fns = functionBuilds(sample('        EntryPoints: [functions/missing/handler.ts]'), root);
    expect(missingEntryPoints(fns, root)).toEqual(['functions/missing/handler.ts']);
  });
});

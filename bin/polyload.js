#!/usr/bin/env node
// Entry point for `npx polyload`. The CLI is TypeScript that Node 24 runs directly (type stripping);
// npm puts the project's pinned Node 24 (devDependency `node`) first on PATH for npx and npm scripts.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `polyload needs Node.js 24 (found ${process.versions.node}). Run it through npx or npm scripts, ` +
      'which use the Node 24 that `npm ci` installs into node_modules.\n',
  );
  process.exit(2);
}
const { main } = await import('../local/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

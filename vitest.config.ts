import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real servers on ephemeral loopback ports; forks keep node:sqlite and sockets isolated.
    pool: 'forks',
    // Handlers' module-scope Logger reads its level once, when first imported: keep INFO lines of
    // in-process Lambda runs out of the test output (warnings and errors still show).
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real servers on ephemeral loopback ports; forks keep node:sqlite and sockets isolated.
    pool: 'forks',
  },
});

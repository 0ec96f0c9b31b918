import { defineConfig } from 'vitest/config';

// `npm test` runs every suite; `npm run test:fast` leaves out test/slow/ (kill -9 loops,
// large libraries), which CI still runs.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});

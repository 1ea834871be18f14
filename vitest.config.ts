import { defineConfig } from 'vitest/config';

// Three tiers (npm test runs all; npm run test:unit / test:integration / test:e2e one each):
// - unit: the domain on in-memory fakes of its ports (test/fakes), and pure modules; no I/O, no build, seconds;
// - integration: adapters against real SQLite/PostgreSQL, disk/S3, the models, and the HTTP layer through inject;
// - e2e: the built server as a process, driven by the official yoti SDK and Chromium (needs npm run build).
const UNIT = ['src/domain/**/*.test.ts', 'src/config/**/*.test.ts', 'test/unit/**/*.test.ts'];

export default defineConfig({
  test: {
    // Model inference and child servers share 2 cores: long timeouts, files in parallel but bounded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
    projects: [
      // Pure code: one module graph per worker thread instead of a fresh process per file (most of the tier's time).
      { extends: true, test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/contract/**/*.test.ts'],
          exclude: UNIT,
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});

import { defineConfig } from 'vitest/config';

/** Unit tests (`test/unit/` folders) need nothing running; every other test runs against the real stack. */
const unitTests = '**/test/unit/**/*.test.ts';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // One module cache for all unit files: they share no state, and importing the kit once saves most of the time.
        test: { name: 'unit', include: [unitTests], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'e2e/**/*.test.ts',
            'deploy/test/**/*.test.ts',
            'edge/test/**/*.test.ts',
            'observability/test/**/*.test.ts',
            'mesh/test/**/*.test.ts',
          ],
          exclude: [unitTests, '**/node_modules/**'],
          // Starts the local stack (or reuses a running one); fails the run loudly if it cannot.
          globalSetup: ['./dev/test-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
    // Stack tests share one real stack and some of them stop its broker on purpose: one file at a
    // time (vitest sets this for all projects; the unit files share one module cache instead).
    fileParallelism: false,
    // Run sources, not builds: workspace packages resolve to their TypeScript through this condition.
    server: { deps: { inline: [/@platform\//] } },
  },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
});

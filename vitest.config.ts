import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'e2e/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'edge/test/**/*.test.ts',
      'observability/test/**/*.test.ts',
    ],
    // Starts the local stack (or reuses a running one); fails the run loudly if it cannot.
    globalSetup: ['./dev/test-global-setup.ts'],
    // Tests share one real stack and some of them stop its broker on purpose.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Run sources, not builds: workspace packages resolve to their TypeScript through this condition.
    server: { deps: { inline: [/@platform\//] } },
  },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
});

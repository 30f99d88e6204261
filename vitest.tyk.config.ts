import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:tyk`: the edge matrix against a real Tyk OSS Gateway (TYK_GATEWAY_BIN) loaded with
 * the rendered cluster edge, in front of the local stack. Not part of `npm test`: the project ships
 * no gateway binary. Everything but which tests run and how the run starts is the main config.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // One run of its own, not the main config's unit and stack projects.
    projects: undefined,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    include: ['edge/tyk-conformance/**/*.test.ts'],
    globalSetup: ['./edge/tyk-conformance/global-setup.ts'],
  },
});

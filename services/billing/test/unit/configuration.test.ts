import { spawn } from 'node:child_process';
import { ConfigError, loadConfig } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@platform/platform/environment';
import { secondInstanceEnv } from '@platform/test-support/service-instance';
import { billingConfigSchema } from '../../src/config.js';

/** Runs the real entry point as the stack does and collects how it ended. */
function runBilling(overrides: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'services/billing/src/main.ts', 'run'],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, ...secondInstanceEnv('billing', overrides) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('billing configuration', () => {
  const shortKey = Buffer.alloc(16, 7).toString('base64');

  it('when an encryption key is not 32 bytes, then the process stops with one line naming the variable and no key material', async () => {
    const { code, stderr } = await runBilling({
      BILLING_ENCRYPTION_KEYS: `k1:${shortKey}`,
      BILLING_ACTIVE_KEY_ID: 'k1',
    });

    expect(code).toBe(1);
    expect(stderr).toBe(
      'Invalid configuration: BILLING_ENCRYPTION_KEYS: entry 1 (k1): expected 32 bytes in base64\n',
    );
    expect(stderr).not.toContain(shortKey);
  }, 30_000);

  it.each([
    [
      'an entry without a key id',
      { BILLING_ENCRYPTION_KEYS: Buffer.alloc(32).toString('base64') },
      'BILLING_ENCRYPTION_KEYS: entry 1: expected kid:base64key',
    ],
    [
      'a key id listed twice',
      {
        BILLING_ENCRYPTION_KEYS: `a:${Buffer.alloc(32).toString('base64')},a:${Buffer.alloc(32).toString('base64')}`,
        BILLING_ACTIVE_KEY_ID: 'a',
      },
      'BILLING_ENCRYPTION_KEYS: entry 2: key id a is listed twice',
    ],
    [
      'an active key id that names no key',
      { BILLING_ACTIVE_KEY_ID: 'retired-2019' },
      'BILLING_ACTIVE_KEY_ID: names no key in BILLING_ENCRYPTION_KEYS',
    ],
    ['no keys at all', { BILLING_ENCRYPTION_KEYS: '' }, 'BILLING_ENCRYPTION_KEYS: required'],
    [
      'a Redis URL of another scheme',
      { REDIS_URL: 'http://127.0.0.1:6379' },
      'REDIS_URL: expected a redis:// or rediss:// URL',
    ],
  ])(
    'when the environment has %s, then the configuration is refused naming the variable',
    (_case, overrides, message) => {
      let refusal: unknown;
      try {
        loadConfig(billingConfigSchema, secondInstanceEnv('billing', overrides));
      } catch (error) {
        refusal = error;
      }

      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as ConfigError).message).toBe(message);
    },
  );
});

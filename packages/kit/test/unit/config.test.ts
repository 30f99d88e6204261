import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { envInteger } from '../../src/config/env-values.js';
import { loadConfig, loadConfigOrExit } from '../../src/config/load-config.js';
import { serviceConfigSchema } from '../../src/config/service-config.js';

const validEnv = {
  OIDC_ISSUER_URL: 'http://keycloak.test/realms/platform',
  OIDC_JWKS_URL: 'http://keycloak.test/realms/platform/protocol/openid-connect/certs',
  OIDC_AUDIENCE: 'user-service',
  DATABASE_URL: 'postgres://user-service@postgres.test:5432/users',
  AMQP_URL: 'amqp://platform@rabbitmq.test:5672',
  REDIS_URL: 'redis://redis.test:6379',
};

function messageOf(env: Record<string, string | undefined>, schema = serviceConfigSchema): string {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when every required variable is set, then the defaults are filled in and numbers are numbers', () => {
    expect(loadConfig(serviceConfigSchema, { ...validEnv, PORT: '8080', UNRELATED: 'x' })).toEqual({
      ...validEnv,
      HOST: '0.0.0.0',
      PORT: 8080,
      MANAGEMENT_PORT: 9090,
      LOG_LEVEL: 'info',
      BODY_LIMIT: '100kb',
      SHUTDOWN_TIMEOUT_MS: 10000,
      REVOCATION_TTL_SECONDS: 300,
      RETENTION_INTERVAL_MINUTES: 10,
      RETENTION_BATCH_SIZE: 1000,
      OUTBOX_RETENTION_DAYS: 7,
      PROCESSED_MESSAGES_RETENTION_DAYS: 14,
    });
  });

  it('when a required variable is missing, then the error names it as required', () => {
    expect(messageOf({ ...validEnv, DATABASE_URL: undefined })).toBe('DATABASE_URL: required');
  });

  it('when a required variable is empty, then it counts as missing', () => {
    expect(messageOf({ ...validEnv, OIDC_AUDIENCE: '' })).toBe('OIDC_AUDIENCE: required');
  });

  it('when a URL variable is not a URL, then the error says a URL was expected', () => {
    expect(messageOf({ ...validEnv, OIDC_ISSUER_URL: 'keycloak' })).toBe('OIDC_ISSUER_URL: expected a URL');
  });

  it('when a URL has the wrong scheme, then the error names the schemes expected', () => {
    expect(messageOf({ ...validEnv, DATABASE_URL: 'mysql://db.test/users' })).toBe(
      'DATABASE_URL: expected a postgres:// or postgresql:// URL',
    );
    expect(messageOf({ ...validEnv, AMQP_URL: 'http://rabbitmq.test' })).toBe(
      'AMQP_URL: expected a amqp:// or amqps:// URL',
    );
  });

  it('when a number is not a number or out of range, then the error gives the range', () => {
    expect(messageOf({ ...validEnv, PORT: 'eighty' })).toBe('PORT: expected an integer between 0 and 65535');
    expect(messageOf({ ...validEnv, PORT: '70000' })).toBe('PORT: expected an integer between 0 and 65535');
    expect(messageOf({ ...validEnv, SHUTDOWN_TIMEOUT_MS: '1.5' })).toBe(
      'SHUTDOWN_TIMEOUT_MS: expected an integer >= 1',
    );
  });

  it('when the log level is unknown, then the error lists the levels', () => {
    expect(messageOf({ ...validEnv, LOG_LEVEL: 'loud' })).toBe(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('when several variables are wrong, then they are all named on one line', () => {
    expect(messageOf({ ...validEnv, PORT: 'x', AMQP_URL: undefined })).toBe(
      'PORT: expected an integer between 0 and 65535; AMQP_URL: required',
    );
  });

  it('when a service extends the schema, then its own variables are checked the same way', () => {
    const schema = serviceConfigSchema.extend({ INVOICE_DUE_DAYS: envInteger({ min: 1 }) });
    expect(messageOf(validEnv, schema)).toBe('INVOICE_DUE_DAYS: required');
    expect(loadConfig(schema, { ...validEnv, INVOICE_DUE_DAYS: '30' }).INVOICE_DUE_DAYS).toBe(30);
  });
});

describe('loadConfigOrExit', () => {
  it('when the configuration is invalid, then one line goes to stderr and the exit code is 1', () => {
    const writeError = vi.fn();
    const exit = vi.fn((code: number): never => {
      throw new Error(`exit ${code}`);
    });
    expect(() =>
      loadConfigOrExit(serviceConfigSchema, { ...validEnv, DATABASE_URL: undefined }, { writeError, exit }),
    ).toThrow('exit 1');
    expect(writeError.mock.calls).toEqual([['Invalid configuration: DATABASE_URL: required\n']]);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('when the configuration is valid, then it is returned and nothing is written', () => {
    const writeError = vi.fn();
    const exit = vi.fn((): never => {
      throw new Error('exit');
    });
    expect(loadConfigOrExit(serviceConfigSchema, validEnv, { writeError, exit }).PORT).toBe(3000);
    expect(writeError).not.toHaveBeenCalled();
  });

  it('when a real process starts without its variables, then it prints one line and exits 1', () => {
    const kitDirectory = fileURLToPath(new URL('..', import.meta.url));
    const script = `
      const { loadConfigOrExit } = await import('../src/config/load-config.ts');
      const { serviceConfigSchema } = await import('../src/config/service-config.ts');
      loadConfigOrExit(serviceConfigSchema);
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: kitDirectory,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe(
      'Invalid configuration: OIDC_ISSUER_URL: required; OIDC_JWKS_URL: required; OIDC_AUDIENCE: required; ' +
        'DATABASE_URL: required; AMQP_URL: required; REDIS_URL: required\n',
    );
    expect(result.status).toBe(1);
  });
});

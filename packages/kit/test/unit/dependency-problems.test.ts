import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DependencyRefused, DependencyUnavailable } from '../../src/errors/dependency-errors.js';
import { KeycloakUnavailable } from '../../src/keycloak/keycloak-unavailable.js';
import { createTestApp } from '../test-app.js';

function appThrowing(error: Error) {
  return createTestApp((app) => {
    app.get('/call', () => {
      throw error;
    });
  }).app;
}

describe('problems from dependency errors', () => {
  it('when a dependency is unavailable, then 503 with its detail and Retry-After', async () => {
    const error = new DependencyUnavailable('ledger', 'ledger answered 502', {
      detail: 'The ledger is unavailable; try again shortly',
      retryAfterSeconds: 7,
    });

    const response = await request(appThrowing(error)).get('/call');

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body).toMatchObject({
      title: 'Service Unavailable',
      detail: 'The ledger is unavailable; try again shortly',
    });
  });

  it('when Keycloak is unavailable, then 503 saying so, with Retry-After 5', async () => {
    const response = await request(appThrowing(new KeycloakUnavailable('token endpoint answered 502'))).get(
      '/call',
    );

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.detail).toBe('The identity provider is unavailable; try again shortly');
  });

  it.each([
    ['invalid', 400, 'Bad Request'],
    ['not_found', 404, 'Not Found'],
    ['conflict', 409, 'Conflict'],
  ] as const)('when a dependency refuses as %s, then %i with its detail', async (refusal, status, title) => {
    const response = await request(appThrowing(new DependencyRefused(refusal, 'Refused for a reason'))).get(
      '/call',
    );

    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ title, detail: 'Refused for a reason' });
  });

  it('when a dependency refuses named fields, then the 400 lists them', async () => {
    const error = new DependencyRefused('invalid', 'A field was refused', {
      fieldErrors: [{ field: 'email', message: 'invalidEmailMessage' }],
    });

    const response = await request(appThrowing(error)).get('/call');

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'email', message: 'invalidEmailMessage' }]);
  });
});

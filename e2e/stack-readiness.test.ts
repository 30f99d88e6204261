import { describe, expect, it } from 'vitest';
import { serviceNames } from '@platform/platform/environment';
import { managementUrl } from '@platform/test-support/stack';

describe.each(serviceNames)('%s service in the running stack', (service) => {
  it('when asked for readiness, then every dependency check passes', async () => {
    const response = await fetch(`${managementUrl(service)}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', broker: 'ok', jwks: 'ok', 'revocation-list': 'ok' },
    });
  });

  it('when asked for liveness, then 200', async () => {
    const response = await fetch(`${managementUrl(service)}/healthz`);
    expect(response.status).toBe(200);
  });

  it('when scraped, then it exports the request-duration histogram and default metrics', async () => {
    const response = await fetch(`${managementUrl(service)}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

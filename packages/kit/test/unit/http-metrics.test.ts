import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuth } from '../../src/auth/create-auth.js';
import { notFound } from '../../src/errors/problems.js';
import { RouteTable } from '../../src/http/route-table.js';
import { createTestApp } from '../test-app.js';

// Public routes never consult the token verifier, so its URLs are never fetched.
const auth = createAuth({
  issuer: 'http://127.0.0.1:9/realms/x',
  jwksUri: 'http://127.0.0.1:9/certs',
  audience: 'x',
});

function buildApp() {
  return createTestApp((app) => {
    new RouteTable({ auth, basePath: '/things' })
      .get('/:id', { public: true }, (req, res) => {
        res.json({ id: req.params.id });
      })
      .get('/:id/owner', { public: true }, () => {
        throw notFound('The thing has no owner');
      })
      .mountOn(app);
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
  });
}

function durationCounts(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));
}

describe('HTTP metrics', () => {
  it('when requests are served, then the duration histogram is labelled with route templates', async () => {
    const { app, metrics } = buildApp();

    await request(app).get('/things/123').expect(200);
    await request(app).get('/things/456').expect(200);
    await request(app).get('/things/123/owner').expect(404);
    await request(app).get('/').expect(200);
    await request(app).get('/no/such/path/99').expect(404);

    const text = await metrics.registry.metrics();
    expect(durationCounts(text).sort()).toEqual([
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="/",status_code="200"} 1',
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="/things/:id",status_code="200"} 2',
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="/things/:id/owner",status_code="404"} 1',
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="unmatched",status_code="404"} 1',
    ]);
    expect(text).not.toContain('/things/123');
    expect(text).not.toContain('/no/such/path');
  });

  it('when a request is rejected before routing, then it counts as unmatched', async () => {
    const { app, metrics } = buildApp();

    await request(app).post('/things/1').set('content-type', 'application/json').send('{oops').expect(400);

    expect(durationCounts(await metrics.registry.metrics())).toEqual([
      'http_request_duration_seconds_count{service="kit-test",method="POST",route="unmatched",status_code="400"} 1',
    ]);
  });

  it('when the registry is read, then default process metrics carry the service label', async () => {
    const { metrics } = buildApp();

    expect(await metrics.registry.metrics()).toMatch(
      /^process_cpu_user_seconds_total\{service="kit-test"\} /m,
    );
  });
});

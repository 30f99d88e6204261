import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function buildApp() {
  return createTestApp((app) => {
    app.get('/whoami', (req, res) => {
      res.json({ requestId: req.id, fromLocals: res.locals.requestId });
    });
  }).app;
}

describe('request id', () => {
  it('when the caller sends a sane x-request-id, then it is used and echoed', async () => {
    const response = await request(buildApp()).get('/whoami').set('x-request-id', 'edge-42.a:b_c-d');

    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('edge-42.a:b_c-d');
    expect(response.body).toEqual({ requestId: 'edge-42.a:b_c-d', fromLocals: 'edge-42.a:b_c-d' });
  });

  it('when the caller sends none, then a UUID is generated and echoed', async () => {
    const response = await request(buildApp()).get('/whoami');

    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toMatch(uuid);
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('when the incoming id has unsafe characters, then it is replaced', async () => {
    const response = await request(buildApp()).get('/whoami').set('x-request-id', 'abc" onload="x');

    expect(response.headers['x-request-id']).toMatch(uuid);
  });

  it('when the incoming id is longer than 128 characters, then it is replaced; at 128 it is kept', async () => {
    const tooLong = await request(buildApp()).get('/whoami').set('x-request-id', 'a'.repeat(129));
    const longest = await request(buildApp()).get('/whoami').set('x-request-id', 'a'.repeat(128));

    expect(tooLong.headers['x-request-id']).toMatch(uuid);
    expect(longest.headers['x-request-id']).toBe('a'.repeat(128));
  });

  it('when the request fails, then the problem carries the same id as the header', async () => {
    const response = await request(buildApp()).get('/missing').set('x-request-id', 'trace-me');

    expect(response.status).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace-me');
    expect(response.body.requestId).toBe('trace-me');
  });
});

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app.js';

describe('request logging', () => {
  it('when a request completes, then one line logs its id, method, path and status but no credentials', async () => {
    const { app, logs } = createTestApp((routes) => {
      routes.get('/profile', (_req, res) => void res.json({ ok: true }));
    }, 'info');

    await request(app)
      .get('/profile?access_token=query-secret')
      .set('authorization', 'Bearer header-secret')
      .set('cookie', 'session=cookie-secret')
      .set('x-request-id', 'req-log-1')
      .expect(200);

    const completed = logs().filter((line) => line.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        level: 'info',
        req: { id: 'req-log-1', method: 'GET', path: '/profile' },
        res: { statusCode: 200 },
      }),
    ]);
    expect(JSON.stringify(logs())).not.toMatch(/secret/);
  });

  it('when a request fails on the server, then its line is logged at error level', async () => {
    const { app, logs } = createTestApp((routes) => {
      routes.get('/boom', () => {
        throw new Error('boom');
      });
    }, 'info');

    await request(app).get('/boom').expect(500);

    expect(logs().find((line) => line.msg === 'request errored')).toMatchObject({
      level: 'error',
      req: { method: 'GET', path: '/boom' },
      res: { statusCode: 500 },
    });
  });
});

/**
 * Input no route should ever see, and a database that is down, answered in one place by the kit:
 * 400 problems for text PostgreSQL cannot store or a path that is not percent-encoding, 503 with
 * Retry-After when PostgreSQL cannot be reached. Never a 500.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBody, parseParams, parseQuery } from '../../src/http/validate.js';
import { createTestApp } from '../test-app.js';

const problemJson = /^application\/problem\+json/;

/** A port nothing listens on, so a real PostgreSQL client gets a real refused connection. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function buildApp(seen: unknown[] = []) {
  return createTestApp((app) => {
    app.get('/things/:id', (req, res) => {
      seen.push(parseParams(z.object({ id: z.string() }), req));
      res.json({ ok: true });
    });
    app.get('/things', (req, res) => {
      seen.push(parseQuery(z.object({ search: z.string().optional() }), req));
      res.json({ ok: true });
    });
    app.post('/things', (req, res) => {
      seen.push(parseBody(z.object({ name: z.string() }), req));
      res.status(201).json({ ok: true });
    });
    app.get('/from-the-database', async (_req, res) => {
      const pool = new pg.Pool({
        host: '127.0.0.1',
        port: await closedPort(),
        connectionTimeoutMillis: 2000,
      });
      try {
        res.json((await pool.query('select 1')).rows);
      } finally {
        await pool.end();
      }
    });
  });
}

describe('bad input', () => {
  it.each(['/things/%FF', '/things/%E0%A4%A', '/things/a%00b'])(
    'when the path is %s, then 400 problem and the route never runs',
    async (path) => {
      const seen: unknown[] = [];
      const response = await request(buildApp(seen).app).get(path);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(problemJson);
      expect(seen).toEqual([]);
    },
  );

  it('when the query holds a NUL character, then 400 problem', async () => {
    const seen: unknown[] = [];
    const response = await request(buildApp(seen).app).get('/things?search=a%00');
    expect(response.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it.each([
    ['a NUL character', '{"name":"a\\u0000b"}'],
    ['an unpaired high surrogate', '{"name":"a\\ud800"}'],
    ['an unpaired low surrogate', '{"name":"\\udc00a"}'],
    ['a NUL in a key', '{"na\\u0000me":"x"}'],
  ])('when the JSON body holds %s, then 400 problem before the route runs', async (_, body) => {
    const seen: unknown[] = [];
    const response = await request(buildApp(seen).app)
      .post('/things')
      .set('content-type', 'application/json')
      .send(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body.detail).toMatch(/NUL character or an unpaired surrogate/);
    expect(seen).toEqual([]);
  });

  it('when the text is well formed (a paired surrogate, an emoji), then the route runs', async () => {
    const seen: unknown[] = [];
    const response = await request(buildApp(seen).app)
      .post('/things')
      .set('content-type', 'application/json')
      .send('{"name":"caf\\u00e9 \\ud83d\\ude00"}');
    expect(response.status).toBe(201);
    expect(seen).toEqual([{ name: 'café 😀' }]);
  });
});

describe('a database that cannot be reached', () => {
  it('when PostgreSQL refuses the connection, then 503 problem with Retry-After, not 500', async () => {
    const response = await request(buildApp().app).get('/from-the-database');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.body).toMatchObject({ status: 503, detail: 'The database is unavailable' });
  });
});

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app.js';

describe('ETags', () => {
  const { app } = createTestApp((routes) => {
    routes.get('/plain', (_req, res) => void res.json({ ok: true }));
    routes.get('/versioned', (_req, res) => void res.set('ETag', '"7"').json({ version: 7 }));
  });

  it('when a route declares no ETag, then the response carries none', async () => {
    const response = await request(app).get('/plain').expect(200);

    expect(response.headers.etag).toBeUndefined();
  });

  it('when a route declares its ETag and the client already holds it, then the answer is 304', async () => {
    await request(app).get('/versioned').set('if-none-match', '"7"').expect(304);
    await request(app).get('/versioned').set('if-none-match', '"6"').expect(200);
  });
});

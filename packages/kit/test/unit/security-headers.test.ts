import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-app.js';

function buildApp() {
  return createTestApp((app) => {
    app.get('/thing', (_req, res) => {
      res.json({ ok: true });
    });
  }).app;
}

describe('security headers of the kit app', () => {
  it('tell a browser that nothing in a response may load, run or be framed, and not to sniff it', async () => {
    const response = await request(buildApp()).get('/thing');

    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('are on every answer, a refusal and an unknown path included', async () => {
    const app = buildApp();
    for (const response of [await request(app).get('/nothing-here'), await request(app).get('/%E0%A4%A')]) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('leave out the headers only an HTML document uses', async () => {
    const response = await request(buildApp()).get('/thing');

    for (const header of [
      'cross-origin-opener-policy',
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ]) {
      expect(response.headers[header], header).toBeUndefined();
    }
  });
});

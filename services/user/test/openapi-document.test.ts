import type { OpenApiDocument } from '@platform/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/user-api.js';

// What every service's document must be is checked in e2e/fuzzing/openapi-documents.test.ts; these
// are the user service's own rules, each of which the document once left out.
describe('the OpenAPI document at /docs/openapi.json', () => {
  let document: OpenApiDocument;

  beforeAll(async () => {
    const response = await call('GET', '/docs/openapi.json');
    expect(response.status).toBe(200);
    document = response.body as unknown as OpenApiDocument;
  });

  const patch = () =>
    document.paths['/users/me']?.patch as {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
      parameters: { name: string; in: string; schema: { pattern: string } }[];
      responses: Record<string, unknown>;
    };
  const changes = () =>
    document.components.schemas[
      patch().requestBody.content['application/json'].schema.$ref.replace('#/components/schemas/', '')
    ] as {
      properties: Record<string, { anyOf?: { pattern?: string }[] }>;
      additionalProperties: boolean;
      minProperties?: number;
    };

  it('when the PATCH body is described, then it is the schema that validates requests, at least one field', () => {
    expect(Object.keys(changes().properties).sort()).toEqual(
      ['avatarUrl', 'displayName', 'email', 'firstName', 'lastName', 'settings'].sort(),
    );
    expect(changes().additionalProperties).toBe(false);
    expect(changes().minProperties).toBe(1);
  });

  it('when the avatar URL is described, then only https URLs match it', () => {
    const pattern = new RegExp(changes().properties.avatarUrl?.anyOf?.[0]?.pattern ?? '', 'u');

    expect(pattern.test('https://images.example.test/a.png')).toBe(true);
    expect(pattern.test('http://images.example.test/a.png')).toBe(false);
    expect(pattern.test('javascript:alert(1)')).toBe(false);
  });

  it('when If-Match is described, then its pattern admits entity tags and * only', () => {
    const ifMatch = patch().parameters.find((parameter) => parameter.name === 'if-match');
    const pattern = new RegExp(ifMatch?.schema.pattern ?? '', 'u');

    expect(ifMatch).toMatchObject({ in: 'header', required: false });
    expect(['"3"', 'W/"3", "4"', '*'].every((value) => pattern.test(value))).toBe(true);
    expect(['3', '"3', '"a"b"'].some((value) => pattern.test(value))).toBe(false);
    expect(Object.keys(patch().responses)).toEqual(expect.arrayContaining(['409', '412', '503']));
  });
});

describe('the API reference page at /docs', () => {
  it('when requested without a token, then Scalar is served pointing at the JSON document', async () => {
    const response = await call('GET', '/docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = String(response.body.text);
    expect(page).toContain('Scalar.createApiReference');
    expect(page).toContain('/docs/openapi.json');
  });

  it('when served, then its content security policy admits only the page’s own inline script by hash', async () => {
    const response = await call('GET', '/docs');

    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src [^;]*'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).not.toContain("'unsafe-inline' 'sha256");
    expect(policy.split(';').find((directive) => directive.trim().startsWith('script-src'))).not.toContain(
      'unsafe-inline',
    );
  });
});

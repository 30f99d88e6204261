import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conflict, serviceUnavailable } from '../../src/errors/problems.js';
import { parseBody, parseParams, parseQuery } from '../../src/http/validate.js';
import { createTestApp } from '../test-app.js';

const problemJson = /^application\/problem\+json; charset=utf-8$/;

const createUserSchema = z.object({ name: z.string().min(1), age: z.number().int() });

function buildApp() {
  return createTestApp((app) => {
    app.post('/users', (req, res) => {
      res.status(201).json(parseBody(createUserSchema, req));
    });
    app.get('/users', (req, res) => {
      res.json(parseQuery(z.object({ limit: z.coerce.number().int().max(100) }), req));
    });
    app.get('/users/:id', (req, res) => {
      res.json(parseParams(z.object({ id: z.uuid() }), req));
    });
    app.put('/users/:id', () => {
      throw conflict('The email address is already taken');
    });
    app.get('/maintenance', () => {
      throw serviceUnavailable('Billing is being migrated', 30);
    });
    app.get('/boom', async () => {
      throw new Error('password=hunter2 leaked from the database driver');
    });
  });
}

describe('problem responses', () => {
  it('when no route matches, then the answer is a 404 problem naming the method and path', async () => {
    const response = await request(buildApp().app).delete('/nowhere?token=secret');

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches DELETE /nowhere',
      instance: '/nowhere',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when a handler throws an HttpProblem, then it is answered as is', async () => {
    const response = await request(buildApp().app).put('/users/7').set('x-request-id', 'req-1');

    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'The email address is already taken',
      instance: '/users/7',
      requestId: 'req-1',
    });
  });

  it('when a problem carries headers, then they are sent', async () => {
    const response = await request(buildApp().app).get('/maintenance');

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Billing is being migrated',
      instance: '/maintenance',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the body fails its schema, then a 400 problem lists every invalid field', async () => {
    const response = await request(buildApp().app)
      .post('/users')
      .set('x-request-id', 'req-2')
      .send({ name: '', age: 'old' });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is invalid',
      instance: '/users',
      requestId: 'req-2',
      errors: [
        { field: 'name', message: 'Too small: expected string to have >=1 characters' },
        { field: 'age', message: 'Invalid input: expected number, received string' },
      ],
    });
  });

  it('when there is no JSON body at all, then the problem names the body itself', async () => {
    const response = await request(buildApp().app)
      .post('/users')
      .set('content-type', 'text/plain')
      .send('hi');

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'body', message: 'Invalid input: expected object, received undefined' },
    ]);
  });

  it('when the query or path parameters are invalid, then the problem says which part', async () => {
    const query = await request(buildApp().app).get('/users?limit=500');
    const params = await request(buildApp().app).get('/users/not-a-uuid');

    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({
      detail: 'The query parameters are invalid',
      errors: [{ field: 'limit', message: 'Too big: expected number to be <=100' }],
    });
    expect(params.status).toBe(400);
    expect(params.body).toMatchObject({
      detail: 'The path parameters are invalid',
      errors: [{ field: 'id', message: 'Invalid UUID' }],
    });
  });

  it('when a handler fails unexpectedly, then the client gets a bare 500 and the log gets the error', async () => {
    const { app, logs } = buildApp();

    const response = await request(app).get('/boom').set('x-request-id', 'req-3');

    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      instance: '/boom',
      requestId: 'req-3',
    });
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain('.ts');
    const failure = logs().find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({
      level: 'error',
      requestId: 'req-3',
      method: 'GET',
      path: '/boom',
      err: { message: 'password=hunter2 leaked from the database driver' },
    });
  });

  it('when the body exceeds the limit, then the answer is a 413 problem', async () => {
    const response = await request(buildApp().app)
      .post('/users')
      .send({ name: 'x'.repeat(2048), age: 1 });

    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Content Too Large',
      status: 413,
      detail: 'The request body exceeds the limit of 1024 bytes',
      instance: '/users',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the JSON is malformed, then the answer is a 400 problem', async () => {
    const response = await request(buildApp().app)
      .post('/users')
      .set('content-type', 'application/json')
      .send('{"name": "Ada",');

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(problemJson);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Malformed JSON',
      instance: '/users',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the JSON uses an unsupported charset, then the answer is a 415 problem', async () => {
    const response = await request(buildApp().app)
      .post('/users')
      .set('content-type', 'application/json; charset=latin1')
      .send('{}');

    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Unsupported Media Type',
      status: 415,
      detail: 'Unsupported charset "latin1"',
      instance: '/users',
      requestId: response.headers['x-request-id'],
    });
  });
});

import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestPipeline } from '../../src/http/request-pipeline.js';

/** An app with the pipeline, one route that reports the steps that ran, and an error handler. */
function appWith(steps: RequestHandler[]) {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.ran = [];
    next();
  });
  app.use(requestPipeline(steps));
  app.get('/', (_req, res) => {
    res.json({ ran: res.locals.ran });
  });
  const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(500).json({ error: error.message, ran: res.locals.ran });
  };
  app.use(onError);
  return app;
}

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    (res.locals.ran as string[]).push(name);
    next();
  };

describe('requestPipeline', () => {
  it('runs every step in order, then the routes', async () => {
    const response = await request(appWith([mark('a'), mark('b'), mark('c')])).get('/');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ran: ['a', 'b', 'c'] });
  });

  it('lets a step continue later, as a body parser does', async () => {
    const later: RequestHandler = (_req, res, next) => {
      setImmediate(() => {
        (res.locals.ran as string[]).push('later');
        next();
      });
    };
    const response = await request(appWith([mark('a'), later, mark('c')])).get('/');

    expect(response.body).toEqual({ ran: ['a', 'later', 'c'] });
  });

  it('hands an error passed to next to the error handlers, and runs no later step', async () => {
    const fails: RequestHandler = (_req, _res, next) => next(new Error('refused'));
    const response = await request(appWith([mark('a'), fails, mark('c')])).get('/');

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'refused', ran: ['a'] });
  });

  it('hands an error a step throws to the error handlers, also after a step that continued later', async () => {
    const later: RequestHandler = (_req, _res, next) => {
      setImmediate(next);
    };
    const throws: RequestHandler = () => {
      throw new Error('thrown');
    };
    const response = await request(appWith([mark('a'), later, throws, mark('c')])).get('/');

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'thrown', ran: ['a'] });
  });

  it('hands a rejected promise of an async step to the error handlers', async () => {
    const rejects: RequestHandler = async () => {
      await Promise.resolve();
      throw new Error('rejected later');
    };
    const response = await request(appWith([mark('a'), rejects, mark('c')])).get('/');

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'rejected later', ran: ['a'] });
  });
});

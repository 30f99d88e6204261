import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by requestId(): the id this request is logged and answered under. */
    id?: string;
  }
}

export const requestIdHeader = 'x-request-id';

// An incoming id is kept so one id follows a call across the edge, the mesh and the services; it is
// bounded and plain so it cannot inject into log lines or headers.
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(requestIdHeader);
    const id = incoming !== undefined && saneRequestId.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.locals.requestId = id;
    res.setHeader(requestIdHeader, id);
    next();
  };
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  return req.id;
}

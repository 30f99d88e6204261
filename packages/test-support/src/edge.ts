import { request } from 'node:http';
import { connect } from 'node:net';
import { environment } from './stack.js';

/** The running local edge (Envoy), as the browser reaches it. */
export const edgeUrl = `http://${environment.edge.host}:${environment.edge.port}`;

export interface EdgeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * One HTTP request with full control of the client side: a chosen loopback source address (per-IP
 * limits see different clients), any method and headers (Origin included), and a raw body.
 */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; sourceAddress?: string } = {},
): Promise<EdgeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.sourceAddress,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`${url}: no response after 20 s`)));
    req.end(options.body);
  });
}

/** A loopback address of its own for a test (the whole 127/8 is loopback), so per-IP buckets start full. */
export function freshLoopbackAddress(): string {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return `127.${octet()}.${octet()}.${octet()}`;
}

/** A browser's CORS preflight for a GET that carries the Authorization header. */
export function preflight(url: string, origin: string): Promise<EdgeResponse> {
  return send(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    },
  });
}

/** A JSON POST from a chosen client address (public routes: per-address limits, the body limit). */
export function postJson(
  url: string,
  body: string,
  sourceAddress = freshLoopbackAddress(),
): Promise<EdgeResponse> {
  return send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, sourceAddress });
}

/** `count` requests at once with one identity's token. */
export function burst(url: string, token: string, count: number): Promise<EdgeResponse[]> {
  return Promise.all(
    Array.from({ length: count }, () => send(url, { headers: { authorization: `Bearer ${token}` } })),
  );
}

export interface RawResponse {
  statusLine: string;
  headers: Record<string, string>;
  body: string;
  elapsedMs: number;
}

/**
 * Bytes written as they are to the edge, for requests no HTTP client will send (CONNECT to an API,
 * repeated Host headers); the answer is read until the edge closes or `timeoutMs` passes.
 */
export function sendRaw(bytes: string, timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(environment.edge.port, environment.edge.host, () => socket.write(bytes));
    let received = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ statusLine, headers, body, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const [head, body] = received.split('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(head ?? '');
      if (body !== undefined && length && Buffer.byteLength(body) >= Number(length[1])) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
  });
}

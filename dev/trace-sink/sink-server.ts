/**
 * The trace sink: a DEVELOPMENT STAND-IN for a trace store, never part of the product. The local
 * OpenTelemetry Collector forwards every span here over OTLP/HTTP (JSON); the sink keeps the most
 * recent ones in memory so tests (and a curious developer) can read a whole trace:
 *
 *   POST   /v1/traces          OTLP/JSON export from the collector
 *   GET    /traces/<trace id>  that trace's spans, in arrival order (404 while none arrived)
 *   GET    /healthz            200 while running
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type OtlpTraceExport, SpanStore } from './span-store.js';

export interface TraceSinkOptions {
  host: string;
  httpPort: number;
}

export interface RunningTraceSink {
  close(): Promise<void>;
}

// Bounded so a long-running stack cannot grow without limit; tests read their trace within seconds.
const maxSpans = 20_000;
const maxBodyBytes = 16 * 1024 * 1024;

export async function startTraceSink(options: TraceSinkOptions): Promise<RunningTraceSink> {
  const store = new SpanStore(maxSpans);
  const http = createServer((req, res) => {
    answer(req, res, store).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`${error.message}\n`);
    });
  });
  http.listen(options.httpPort, options.host);
  await once(http, 'listening');
  return {
    close: () =>
      new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, store: SpanStore): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sink');
  const trace = /^\/traces\/([0-9a-fA-F]{32})$/.exec(url.pathname);
  if (url.pathname === '/healthz' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (url.pathname === '/v1/traces' && req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('OTLP/JSON only (encoding: json)\n');
      return;
    }
    store.add(JSON.parse(await bodyOf(req)) as OtlpTraceExport);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  } else if (trace && req.method === 'GET') {
    const spans = store.trace(trace[1]!);
    res
      .writeHead(spans.length > 0 ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ traceId: trace[1]!.toLowerCase(), spans }));
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new Error(`body larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

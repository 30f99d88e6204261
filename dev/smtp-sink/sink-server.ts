/**
 * The SMTP sink: a DEVELOPMENT STAND-IN for a mail server, never part of the product. It accepts
 * every message on loopback, delivers nothing, and keeps what it received in memory so tests can
 * read the mails Keycloak sends (e-mail verification, password reset) over a small HTTP API:
 *
 *   GET    /messages?to=<address>   received messages, oldest first (all when `to` is absent)
 *   DELETE /messages?to=<address>   forget them
 *   GET    /healthz                 200 while running
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  id: string;
  receivedAt: string;
  /** Envelope sender and recipients (what the SMTP client asked for), lower case. */
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface SmtpSinkOptions {
  host: string;
  smtpPort: number;
  httpPort: number;
}

export interface RunningSmtpSink {
  close(): Promise<void>;
}

// Bounded so a long-running stack cannot grow without limit; tests read their mail within seconds.
const maxMessages = 1000;
const maxMessageBytes = 5 * 1024 * 1024;

export async function startSmtpSink(options: SmtpSinkOptions): Promise<RunningSmtpSink> {
  const messages: SinkMessage[] = [];

  const smtp = new SMTPServer({
    banner: 'platform development SMTP sink (not a mail server)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxMessageBytes,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  smtp.on('error', (error) => console.error(`smtp sink: ${error.message}`));

  const http = createServer((req, res) => answer(req, res, messages));

  smtp.listen(options.smtpPort, options.host);
  await once(smtp.server, 'listening');
  http.listen(options.httpPort, options.host);
  await once(http, 'listening');

  return {
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve, reject) =>
        http.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function answer(req: IncomingMessage, res: ServerResponse, messages: SinkMessage[]): void {
  const url = new URL(req.url ?? '/', 'http://sink');
  const to = url.searchParams.get('to')?.toLowerCase();
  const matches = (message: SinkMessage) => to === undefined || message.to.includes(to);
  if (url.pathname === '/healthz' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (url.pathname === '/messages' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(messages.filter(matches)));
  } else if (url.pathname === '/messages' && req.method === 'DELETE') {
    const kept = messages.filter((message) => !matches(message));
    messages.splice(0, messages.length, ...kept);
    res.writeHead(204).end();
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

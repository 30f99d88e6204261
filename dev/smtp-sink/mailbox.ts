/** What tests use to read the mail the development SMTP sink received. */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadEnvironment } from '@platform/platform/environment';
import { smtpSinkAddress } from './sink-address.js';
import type { SinkMessage } from './sink-server.js';

export type { SinkMessage } from './sink-server.js';

export function smtpSinkUrl(): string {
  const { host, httpPort } = smtpSinkAddress(loadEnvironment());
  return `http://${host}:${httpPort}`;
}

export async function messagesTo(address: string): Promise<SinkMessage[]> {
  const response = await fetch(`${smtpSinkUrl()}/messages?to=${encodeURIComponent(address)}`);
  if (!response.ok) throw new Error(`smtp sink answered ${response.status}`);
  return (await response.json()) as SinkMessage[];
}

/** Waits until `count` messages to `address` have arrived, and returns them. */
export async function waitForMessages(
  address: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<SinkMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await messagesTo(address);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) {
      throw new Error(
        `${count} message(s) to ${address} expected within ${timeoutMs} ms, got ${messages.length}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Why a publish did not reach a queue. `not-connected` and `channel-closed` mean the broker is
 * out of reach (retry everything later); the others are about this one message.
 */
export type PublishFailure = 'not-connected' | 'channel-closed' | 'nacked' | 'unroutable' | 'timeout';

export class PublishError extends Error {
  override readonly name = 'PublishError';

  constructor(
    readonly failure: PublishFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the broker, not the message, is the problem. */
  get brokerUnavailable(): boolean {
    return this.failure === 'not-connected' || this.failure === 'channel-closed';
  }
}

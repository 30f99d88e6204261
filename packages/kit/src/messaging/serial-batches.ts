/**
 * Buffers items and hands them to `run` in batches of at most `maxBatch`, in arrival order, one
 * batch at a time: a batch is whatever arrived while the previous one ran. An item pushed while
 * nothing runs starts a batch on the next microtask, so items pushed together (one socket read's
 * worth of deliveries) go together.
 */
export class SerialBatches<T> {
  private readonly buffer: T[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly maxBatch: number,
    /** Settles a batch; must not throw (a rejection is passed to `onError` and the next batch runs). */
    private readonly run: (batch: T[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error('maxBatch must be a positive integer');
  }

  /** Adds an item; ignored once closed. */
  push(item: T): void {
    if (this.closed) return;
    this.buffer.push(item);
    this.running ??= Promise.resolve().then(() => this.drain());
  }

  /**
   * Starts no further batch and resolves once the batch in progress (if any) is settled. Returns
   * the items that were still waiting: they were never started.
   */
  async close(): Promise<T[]> {
    this.closed = true;
    await this.running;
    return this.buffer.splice(0);
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.maxBatch);
        await this.run(batch).catch(this.onError);
      }
    } finally {
      this.running = undefined;
    }
  }
}

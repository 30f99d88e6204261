import { describe, expect, it } from 'vitest';
import { SerialBatches } from '../../src/messaging/serial-batches.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Batches that wait until the test ends each, recording what they got. */
function recording(maxBatch: number) {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const errors: unknown[] = [];
  const batcher = new SerialBatches<number>(
    maxBatch,
    (batch) => {
      batches.push(batch);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
    (error) => errors.push(error),
  );
  return { batcher, batches, finish, errors };
}

describe('serial batches', () => {
  it('when items arrive together, then they go as one batch, and those arriving meanwhile wait for it', async () => {
    const { batcher, batches, finish } = recording(10);

    batcher.push(1);
    batcher.push(2);
    await tick();
    batcher.push(3);
    batcher.push(4);
    await tick();
    expect(batches).toEqual([[1, 2]]);

    finish.shift()!();
    await tick();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('when more items wait than a batch holds, then they go in order, at most maxBatch at a time', async () => {
    const { batcher, batches, finish } = recording(2);

    for (const item of [1, 2, 3, 4, 5]) batcher.push(item);
    for (let round = 0; round < 3; round += 1) {
      await tick();
      finish.shift()!();
    }
    await tick();

    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('when closed, then the batch in progress finishes, no other starts, and the waiting items are returned', async () => {
    const { batcher, batches, finish } = recording(2);
    for (const item of [1, 2, 3]) batcher.push(item);
    await tick();

    const closing = batcher.close();
    batcher.push(4);
    finish.shift()!();

    expect(await closing).toEqual([3]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('when a batch fails, then the failure is reported and the next batch still runs', async () => {
    const seen: number[][] = [];
    const errors: unknown[] = [];
    const batcher = new SerialBatches<number>(
      1,
      async (batch) => {
        seen.push(batch);
        if (batch[0] === 1) throw new Error('broken');
      },
      (error) => errors.push(error),
    );

    batcher.push(1);
    batcher.push(2);
    await tick();

    expect(seen).toEqual([[1], [2]]);
    expect(errors).toEqual([new Error('broken')]);
  });
});

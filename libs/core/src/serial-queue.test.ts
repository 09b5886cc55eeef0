import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

describe('SerialQueue', () => {
  it('runs jobs one at a time in order, and a failure does not stop the queue', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = q.push(async () => {
      order.push('first:start');
      await gate;
      order.push('first:end');
    });
    const failing = q.push(() => Promise.reject(new Error('boom')));
    const sync = q.push(() => void order.push('sync')); // a synchronous job is queued the same way
    await Promise.resolve();
    expect(order).toEqual(['first:start']); // nothing else started while the first job waits
    release();
    await first;
    await expect(failing).rejects.toThrow('boom');
    await sync;
    await q.drain();
    expect(order).toEqual(['first:start', 'first:end', 'sync']);
  });
});

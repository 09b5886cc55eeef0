/**
 * Crash durability, part of the StateStore contract for stores with persistent storage: what a write
 * promised is on storage when it resolves, whether or not close() ever runs.
 *
 * The decider saves its state immediately before each zone state write, relying on the zone state write to
 * make that decider state durable with it (the decider state's own writes may be deferred): after a crash,
 * the stored decider state must never lag the stored zone state.
 */
import { expect, it } from 'vitest';
import type { StateStore } from '@understudy/core';
import { makeDeciderState, makeEvents, full } from './fixtures.js';
import { fullPatch } from '@understudy/core';

export function describeStateStoreCrash(
  current: () => StateStore,
  crashReopen: () => Promise<StateStore>,
): void {
  it('makes the decider state saved just before a zone state write durable with it', async () => {
    const store = current();
    await store.saveDecider(fullPatch(makeDeciderState(2_026_010_101, 7)), 3);
    await store.writeOverlay(full(2_026_010_101, 3));
    const after = await crashReopen();
    expect(await after.loadDecider()).toEqual(makeDeciderState(2_026_010_101, 7));
    expect((await after.readOverlay())?.serial).toBe(2_026_010_101);
  });

  it('does the same when both calls are issued without awaiting the first', async () => {
    const store = current();
    await store.saveDecider(fullPatch(makeDeciderState(10, 1)), 3);
    await store.writeOverlay(full(10, 3));
    const outcomes = await Promise.all([
      store.saveDecider(fullPatch(makeDeciderState(11, 2)), 3),
      store.writeOverlay(full(11, 3)),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    const after = await crashReopen();
    expect(await after.loadDecider()).toEqual(makeDeciderState(11, 2));
    expect((await after.readOverlay())?.serial).toBe(11);
  });

  it('keeps appended events and handed-out fencing marks without close()', async () => {
    const store = current();
    await store.appendEvents(makeEvents(1, 3), 4);
    await store.appendEvents(makeEvents(4, 1), 4);
    const after = await crashReopen();
    expect((await after.readEvents({ limit: 10 })).map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(await after.saveDecider(fullPatch(makeDeciderState()), 3)).toMatchObject({
      ok: false,
      storedEpoch: 4,
    });
  });
}

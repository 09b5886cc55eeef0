/** Fencing part of the StateStore contract: one epoch mark guards every kind of write. */
import { expect, it } from 'vitest';
import type { StateStore } from '@understudy/core';
import { makeDeciderState, makeEvents, full, makeOverlay } from './fixtures.js';
import { fullPatch } from '@understudy/core';

export function describeStateStoreFencing(current: () => StateStore): void {
  it('refuses a decider state from a lower epoch and accepts equal and higher ones', async () => {
    const store = current();
    const first = makeDeciderState(1000);
    expect(await store.saveDecider(fullPatch(first), 5)).toEqual({ ok: true });
    expect(await store.saveDecider(fullPatch(makeDeciderState(999)), 4)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 5,
    });
    expect(await store.loadDecider()).toEqual(first);
    expect(await store.saveDecider(fullPatch(makeDeciderState(1001)), 5)).toEqual({ ok: true });
    expect(await store.saveDecider(fullPatch(makeDeciderState(1002)), 7)).toEqual({ ok: true });
    expect(await store.saveDecider(fullPatch(makeDeciderState(1003)), 6)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 7,
    });
    expect((await store.loadDecider())?.serial).toBe(1002);
  });

  it('refuses a zone state from a lower epoch even with a higher serial, before looking at the serial', async () => {
    const store = current();
    expect(await store.writeOverlay(full(10, 5))).toEqual({ ok: true });
    expect(await store.writeOverlay(full(11, 4))).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 5,
    });
    expect(await store.writeOverlay(full(10, 4))).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 5,
    });
    expect(await store.readOverlay()).toEqual(makeOverlay(10, 5));
    expect(await store.writeOverlay(full(11, 6))).toEqual({ ok: true });
  });

  it('refuses events from a lower epoch and appends nothing', async () => {
    const store = current();
    expect(await store.appendEvents(makeEvents(1, 3), 3)).toEqual({ ok: true });
    expect(await store.appendEvents(makeEvents(4, 3), 2)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 3,
    });
    expect((await store.readEvents({ limit: 10 })).map((e) => e.seq)).toEqual([3, 2, 1]);
  });

  it('keeps one epoch mark across decider state, zone state and events', async () => {
    const store = current();
    expect(await store.writeOverlay(full(50, 8))).toEqual({ ok: true });
    expect(await store.saveDecider(fullPatch(makeDeciderState()), 7)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 8,
    });
    expect(await store.appendEvents(makeEvents(1, 1), 7)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 8,
    });
    expect(await store.appendEvents(makeEvents(1, 1), 9)).toEqual({ ok: true });
    expect(await store.writeOverlay(full(51, 8))).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 9,
    });
    expect(await store.loadDecider()).toBeNull();
    expect((await store.readOverlay())?.serial).toBe(50);
  });
}

/**
 * Commit and event seqs, part of the StateStore contract: a decision (decider state, zone state, events) is
 * stored whole or not at all, and an event seq is never reused by another epoch.
 */
import { expect, it } from 'vitest';
import { updateSerial, type OverlayUpdate, type StateStore, fullPatch } from '@understudy/core';
import { makeDeciderState, makeEvents, full } from './fixtures.js';

const seqs = async (store: StateStore): Promise<number[]> =>
  (await store.readEvents({ limit: 100 })).map((e) => e.seq).reverse();

export function describeStateStoreCommit(current: () => StateStore): void {
  it('commit stores decider state, zone state and events together and notifies subscribers', async () => {
    const store = current();
    const seen: OverlayUpdate[] = [];
    const unsubscribe = store.subscribe((u) => seen.push(u));
    const decider = makeDeciderState(100, 3);
    const outcome = await store.commit(
      { decider: fullPatch(decider), zone: full(100, 2), events: makeEvents(1, 3) },
      2,
    );
    expect(outcome).toEqual({ ok: true });
    expect(await store.loadDecider()).toEqual(decider);
    expect((await store.readOverlay())?.serial).toBe(100);
    expect(await seqs(store)).toEqual([1, 2, 3]);
    await expect.poll(() => seen.map(updateSerial), { timeout: 5_000 }).toEqual([100]);
    unsubscribe();
    // Without a zone state only the decider state and events change.
    expect(
      await store.commit(
        { decider: fullPatch(makeDeciderState(100, 4)), zone: null, events: makeEvents(4, 1) },
        2,
      ),
    ).toEqual({ ok: true });
    expect((await store.loadDecider())?.eventSeq).toBe(4);
    expect((await store.readOverlay())?.serial).toBe(100);
  });

  it('a refused commit changes nothing: stale epoch, lower zone serial', async () => {
    const store = current();
    await store.commit(
      { decider: fullPatch(makeDeciderState(10, 2)), zone: full(10, 5), events: makeEvents(1, 2) },
      5,
    );
    const stale = {
      decider: fullPatch(makeDeciderState(11, 4)),
      zone: full(11, 4),
      events: makeEvents(3, 2),
    };
    expect(await store.commit(stale, 4)).toEqual({ ok: false, reason: 'stale-epoch', storedEpoch: 5 });
    const lower = { decider: fullPatch(makeDeciderState(9, 4)), zone: full(9, 5), events: makeEvents(3, 2) };
    expect(await store.commit(lower, 5)).toEqual({ ok: false, reason: 'stale-serial', storedSerial: 10 });
    expect((await store.loadDecider())?.eventSeq).toBe(2);
    expect((await store.readOverlay())?.serial).toBe(10);
    expect(await seqs(store)).toEqual([1, 2]);
  });

  it('a retried commit (its reply was lost) stores nothing twice and adds what is new', async () => {
    const store = current();
    const first = {
      decider: fullPatch(makeDeciderState(20, 2)),
      zone: full(20, 3),
      events: makeEvents(1, 2),
    };
    expect(await store.commit(first, 3)).toEqual({ ok: true });
    const retry = {
      decider: fullPatch(makeDeciderState(20, 3)),
      zone: full(20, 3),
      events: makeEvents(1, 3),
    };
    expect(await store.commit(retry, 3)).toEqual({ ok: true });
    expect(await seqs(store)).toEqual([1, 2, 3]);
    expect((await store.loadDecider())?.eventSeq).toBe(3);
  });

  it('never reuses an event seq across epochs: the whole write is refused', async () => {
    const store = current();
    expect(
      await store.commit(
        { decider: fullPatch(makeDeciderState(1, 3)), zone: null, events: makeEvents(1, 3) },
        1,
      ),
    ).toEqual({ ok: true });
    // A new leader that resumed from an older state: its seq 3 is taken by epoch 1.
    const reused = { decider: fullPatch(makeDeciderState(2, 4)), zone: full(2, 2), events: makeEvents(3, 2) };
    expect(await store.commit(reused, 2)).toEqual({ ok: false, reason: 'stale-seq', storedSeq: 3 });
    expect(await store.appendEvents(makeEvents(2, 3), 2)).toEqual({
      ok: false,
      reason: 'stale-seq',
      storedSeq: 3,
    });
    expect((await store.loadDecider())?.eventSeq).toBe(3);
    expect(await store.readOverlay()).toBeNull();
    expect(await seqs(store)).toEqual([1, 2, 3]);
    expect(
      await store.commit(
        { decider: fullPatch(makeDeciderState(2, 5)), zone: null, events: makeEvents(4, 2) },
        2,
      ),
    ).toEqual({ ok: true });
    expect(await store.appendEvents(makeEvents(6, 1), 2)).toEqual({ ok: true });
    // Epoch 2 retrying its own append is still a retry, not a reuse.
    expect(await store.appendEvents(makeEvents(5, 2), 2)).toEqual({ ok: true });
    expect(await seqs(store)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await store.readEvents({ limit: 1 }))[0]).toEqual(makeEvents(6, 1)[0]);
  });
}

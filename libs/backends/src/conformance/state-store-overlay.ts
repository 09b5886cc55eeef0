/**
 * Overlay part of the StateStore contract: deltas applied on the stored overlay, the journal behind
 * readDeltas (ordered, bounded, cut by a full overlay), and commits that carry a delta or a full overlay.
 */
import { expect, it } from 'vitest';
import { DEFAULT_JOURNAL_LIMIT, type StateStore, fullPatch } from '@understudy/core';
import { delta, full, makeDeciderState, makeEvents, makeOverlay } from './fixtures.js';

const APP = 'app.example.test./A';

export function describeStateStoreOverlay(current: () => StateStore): void {
  it('applies a delta on the stored overlay: changed records only, new serial and time', async () => {
    const store = current();
    expect(await store.writeOverlay(full(100, 2))).toEqual({ ok: true });
    expect(await store.writeOverlay(delta(100, 101, 2, { [APP]: ['203.0.113.1'] }))).toEqual({ ok: true });
    const o = (await store.readOverlay())!;
    expect(o).toEqual({
      ...makeOverlay(101, 2),
      generatedAt: makeOverlay(101, 2).generatedAt,
      records: { ...makeOverlay(100, 2).records, [APP]: ['203.0.113.1'] },
    });
  });

  it('refuses a delta that does not start at the stored serial, and one with nothing stored', async () => {
    const store = current();
    expect(await store.writeOverlay(delta(0, 5, 1))).toEqual({
      ok: false,
      reason: 'stale-serial',
      storedSerial: 0,
    });
    expect(await store.writeOverlay(full(10, 1))).toEqual({ ok: true });
    const refused = { ok: false, reason: 'stale-serial', storedSerial: 10 };
    expect(await store.writeOverlay(delta(9, 11, 1))).toEqual(refused);
    expect(await store.writeOverlay(delta(10, 10, 1))).toEqual(refused);
    expect(await store.writeOverlay(full(9, 1))).toEqual(refused);
    expect((await store.readOverlay())?.serial).toBe(10);
  });

  it('reads the journal from a serial on, in order; [] at the stored serial; null before it reaches', async () => {
    const store = current();
    expect(await store.readDeltas(0)).toBeNull();
    await store.writeOverlay(full(10, 1));
    for (let s = 11; s <= 14; s++) expect(await store.writeOverlay(delta(s - 1, s, 1))).toEqual({ ok: true });
    const all = (await store.readDeltas(10))!;
    expect(all.map((d) => [d.base, d.serial])).toEqual([
      [10, 11],
      [11, 12],
      [12, 13],
      [13, 14],
    ]);
    expect(all[0]).toEqual((delta(10, 11, 1) as { delta: unknown }).delta);
    expect((await store.readDeltas(12))!.map((d) => d.serial)).toEqual([13, 14]);
    expect(await store.readDeltas(14)).toEqual([]);
    expect(await store.readDeltas(9)).toBeNull();
    expect(await store.readDeltas(15)).toBeNull();
    // A full overlay cuts the chain: no delta leads to it.
    await store.writeOverlay(full(20, 1));
    expect(await store.readDeltas(14)).toBeNull();
    expect(await store.readDeltas(20)).toEqual([]);
  });

  it('keeps a bounded journal: the oldest deltas drop out', async () => {
    const store = current();
    await store.writeOverlay(full(1_000, 1));
    const n = DEFAULT_JOURNAL_LIMIT + 5;
    for (let s = 1_001; s <= 1_000 + n; s++) await store.writeOverlay(delta(s - 1, s, 1));
    expect(await store.readDeltas(1_000)).toBeNull();
    expect(await store.readDeltas(1_004)).toBeNull();
    const kept = (await store.readDeltas(1_005))!;
    expect(kept).toHaveLength(DEFAULT_JOURNAL_LIMIT);
    expect(kept.at(-1)!.serial).toBe(1_000 + n);
  });

  it('commits a delta at the stored serial; refuses one that is not, changing nothing', async () => {
    const store = current();
    const d1 = makeDeciderState(50, 2);
    expect(
      await store.commit({ decider: fullPatch(d1), zone: full(50, 3), events: makeEvents(1, 2) }, 3),
    ).toEqual({
      ok: true,
    });
    const d2 = makeDeciderState(51, 3);
    expect(
      await store.commit({ decider: fullPatch(d2), zone: delta(50, 51, 3), events: makeEvents(3, 1) }, 3),
    ).toEqual({
      ok: true,
    });
    // A retry of the accepted commit: its delta is left out, the rest is idempotent.
    expect(
      await store.commit({ decider: fullPatch(d2), zone: delta(50, 51, 3), events: makeEvents(3, 1) }, 3),
    ).toEqual({
      ok: true,
    });
    expect(await store.readDeltas(50)).toHaveLength(1);
    const refused = await store.commit(
      { decider: fullPatch(makeDeciderState(53, 4)), zone: delta(52, 53, 3), events: makeEvents(4, 1) },
      3,
    );
    expect(refused).toEqual({ ok: false, reason: 'stale-serial', storedSerial: 51 });
    expect(await store.loadDecider()).toEqual(d2);
    expect((await store.readEvents({ limit: 10 })).map((e) => e.seq)).toEqual([3, 2, 1]);
    // The decider's answer to the refusal: the whole overlay, newer than the stored serial.
    expect(
      await store.commit(
        { decider: fullPatch(makeDeciderState(53, 4)), zone: full(53, 3), events: makeEvents(4, 1) },
        3,
      ),
    ).toEqual({ ok: true });
    expect((await store.readOverlay())?.serial).toBe(53);
  });

  it('refuses a commit whose overlay carries another epoch than the commit', async () => {
    const store = current();
    await expect(
      store.commit({ decider: fullPatch(makeDeciderState()), zone: full(5, 2), events: [] }, 3),
    ).rejects.toThrow(/epoch/);
  });
}

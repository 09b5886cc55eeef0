/**
 * The StateStore contract, for every implementation (in-process with or without a file, Redis).
 *
 * One fencing mark per store: the highest epoch any accepted write (or lease grant) carried. Writes below it
 * are refused and change nothing. Zone state serials strictly increase. Subscribers see accepted zone
 * states only. Events read newest first and are capped. Publications keep the latest per (target, instance).
 * With `reopen`, everything above survives a restart; with `crashReopen`, every resolved write survives a crash.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateSerial, type OverlayUpdate, type StateStore, fullPatch } from '@understudy/core';
import {
  makeDeciderState,
  makeEvents,
  makePublication,
  makeTargetStatus,
  delta,
  full,
  makeOverlay,
} from './fixtures.js';
import { describeStateStoreCommit } from './state-store-commit.js';
import { describeStateStoreOverlay } from './state-store-overlay.js';
import { describeStateStoreTtls } from './state-store-ttls.js';
import { describeStateStoreSteered } from './state-store-steered.js';
import { describeStateStoreCrash } from './state-store-crash.js';
import { describeStateStoreFencing } from './state-store-fencing.js';
import { describeStateStorePatch } from './state-store-patch.js';
import { waitFor } from './wait.js';

export interface StateStoreHarness {
  /** A store on fresh, empty backing storage. Called at the start of every test. */
  create: () => Promise<StateStore>;
  /** A new store on the storage of the latest create(), after the test closed the old one: a restart. */
  reopen?: () => Promise<StateStore>;
  /**
   * A new store on the storage of the latest create() while the old one is still open, never closed and with
   * any deferred writes still pending: what a restart finds after the process died.
   */
  crashReopen?: () => Promise<StateStore>;
  /** A second, simultaneous store on the same storage (distributed backends only): "any writer". */
  peer?: () => Promise<StateStore>;
  /** The maxEvents the created stores were configured with (keep it small, e.g. 50), to test the cap. */
  eventCap?: number;
  /** Closes every store still open and removes the backing storage. Called after every test. */
  cleanup: () => Promise<void>;
}

export function describeStateStoreConformance(name: string, harness: StateStoreHarness): void {
  describe(`StateStore conformance: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('starts empty', async () => {
      expect(await store.loadDecider()).toBeNull();
      expect(await store.readOverlay()).toBeNull();
      expect(await store.readEvents({ limit: 10 })).toEqual([]);
      expect(await store.readPublications()).toEqual([]);
    });

    it('round-trips the decider state, unaffected by later changes to the saved object', async () => {
      const state = makeDeciderState();
      expect(await store.saveDecider(fullPatch(state), 1)).toEqual({ ok: true });
      const expected = makeDeciderState();
      state.serial += 1;
      state.records['app.example.test./A']!.values.push('192.0.2.99');
      expect(await store.loadDecider()).toEqual(expected);
    });

    it('round-trips the zone state', async () => {
      expect(await store.writeOverlay(full(2_026_010_101, 1))).toEqual({ ok: true });
      expect(await store.readOverlay()).toEqual(makeOverlay(2_026_010_101, 1));
    });

    describeStateStoreFencing(() => store);
    describeStateStoreCommit(() => store);
    describeStateStoreOverlay(() => store);
    describeStateStoreTtls(() => store); // issue 14
    describeStateStoreSteered(() => store, harness.reopen); // issue 14 part 3
    describeStateStorePatch(() => store, harness.reopen);

    it('accepts only strictly increasing zone serials', async () => {
      expect(await store.writeOverlay(full(100, 1))).toEqual({ ok: true });
      expect(await store.writeOverlay(full(100, 1))).toEqual({
        ok: false,
        reason: 'stale-serial',
        storedSerial: 100,
      });
      expect(await store.writeOverlay(full(99, 2))).toEqual({
        ok: false,
        reason: 'stale-serial',
        storedSerial: 100,
      });
      expect(await store.writeOverlay(full(101, 1))).toEqual({ ok: true });
      expect((await store.readOverlay())?.serial).toBe(101);
    });

    it('lets exactly one of two concurrent writes of the same serial through', async () => {
      const outcomes = await Promise.all([
        store.writeOverlay(full(500, 1)),
        store.writeOverlay(full(500, 1)),
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok)).toEqual([
        { ok: false, reason: 'stale-serial', storedSerial: 500 },
      ]);
    });

    it('notifies subscribers of accepted updates only, in order, until unsubscribed', async () => {
      const seen: number[] = [];
      const unsubscribe = store.subscribe((u) => seen.push(updateSerial(u)));
      await store.writeOverlay(full(10, 3));
      await store.writeOverlay(full(10, 3)); // stale serial
      await waitFor(() => seen.length >= 1, 'the full overlay');
      expect(await store.writeOverlay(delta(10, 11, 3))).toEqual({ ok: true });
      await store.writeOverlay(delta(10, 11, 3)); // not at the stored serial
      await store.writeOverlay(delta(11, 12, 2)); // stale epoch
      expect(await store.writeOverlay(delta(11, 12, 3))).toEqual({ ok: true });
      await waitFor(() => seen.length >= 3, 'three notifications');
      expect(seen).toEqual([10, 11, 12]);
      unsubscribe();
      await store.writeOverlay(delta(12, 13, 3));
      const later: number[] = [];
      store.subscribe((u) => later.push(updateSerial(u)));
      await store.writeOverlay(delta(13, 14, 3));
      await waitFor(() => later.length >= 1, 'the new subscriber');
      expect(seen).toEqual([10, 11, 12]);
      expect(later).toEqual([14]);
    });

    it('hands subscribers the whole overlay, then each delta as written', async () => {
      const seen: OverlayUpdate[] = [];
      store.subscribe((u) => seen.push(u));
      await store.writeOverlay(full(77, 1));
      await waitFor(() => seen.length >= 1, 'a notification');
      expect(seen[0]).toEqual(full(77, 1));
      await store.writeOverlay(delta(77, 78, 1));
      await waitFor(() => seen.length >= 2, 'the delta');
      expect(seen[1]).toEqual(delta(77, 78, 1));
    });

    it('keeps writing and notifying others when a subscriber throws', async () => {
      const seen: number[] = [];
      store.subscribe(() => {
        throw new Error('broken subscriber');
      });
      store.subscribe((u) => seen.push(updateSerial(u)));
      expect(await store.writeOverlay(full(20, 1))).toEqual({ ok: true });
      await waitFor(() => seen.length >= 1, 'the full overlay');
      expect(await store.writeOverlay(delta(20, 21, 1))).toEqual({ ok: true });
      await waitFor(() => seen.length >= 2, 'both notifications');
      expect(seen).toEqual([20, 21]);
      expect((await store.readOverlay())?.serial).toBe(21);
    });

    it('reads events newest first and pages backwards with `before`', async () => {
      await store.appendEvents(makeEvents(1, 20), 1);
      await store.appendEvents(makeEvents(21, 10), 1);
      const page1 = await store.readEvents({ limit: 10 });
      expect(page1.map((e) => e.seq)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
      expect(page1[0]).toEqual(makeEvents(30, 1)[0]);
      const page2 = await store.readEvents({ before: 21, limit: 15 });
      expect(page2.map((e) => e.seq)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
      const last = await store.readEvents({ before: 6, limit: 15 });
      expect(last.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect(await store.readEvents({ before: 1, limit: 10 })).toEqual([]);
      expect(await store.readEvents({ limit: 0 })).toEqual([]);
    });

    it('ignores an event appended twice (a retried append)', async () => {
      const events = makeEvents(1, 5);
      await store.appendEvents(events, 1);
      await store.appendEvents(events.slice(2), 1);
      expect((await store.readEvents({ limit: 100 })).map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    });

    if (harness.eventCap !== undefined) {
      const cap = harness.eventCap;
      it(`keeps only the newest ${cap} events`, async () => {
        await store.appendEvents(makeEvents(1, cap), 1);
        await store.appendEvents(makeEvents(cap + 1, 20), 1);
        const all = await store.readEvents({ limit: cap * 2 });
        expect(all).toHaveLength(cap);
        expect(all[0]!.seq).toBe(cap + 20);
        expect(all[cap - 1]!.seq).toBe(21);
      });
    }

    it('keeps the latest publication per (target, instance)', async () => {
      await store.recordPublication(makePublication('dns', 'ns1', 10));
      await store.recordPublication(makePublication('dns', 'ns2', 10));
      // A re-report keeps when the instance started serving the serial (issue 11).
      await store.recordPublication({ ...makePublication('dns', 'ns1', 11), since: 1_000 });
      await store.recordPublication(makePublication('route53', 'ns1', 9));
      const pubs = await store.readPublications();
      const sorted = [...pubs].sort((a, b) =>
        `${a.target}/${a.instance}`.localeCompare(`${b.target}/${b.instance}`),
      );
      expect(sorted).toEqual([
        { ...makePublication('dns', 'ns1', 11), since: 1_000 },
        makePublication('dns', 'ns2', 10),
        makePublication('route53', 'ns1', 9),
      ]);
    });

    it('keeps the latest sync status per target, fenced like every write', async () => {
      expect(await store.saveTargetStatus(makeTargetStatus('route53', 10), 3)).toEqual({ ok: true });
      expect(await store.saveTargetStatus(makeTargetStatus('cloudflare', 10), 3)).toEqual({ ok: true });
      expect(await store.saveTargetStatus(makeTargetStatus('route53', 11, 'Throttling'), 3)).toEqual({
        ok: true,
      });
      expect(await store.saveTargetStatus(makeTargetStatus('route53', 12), 2)).toEqual({
        ok: false,
        reason: 'stale-epoch',
        storedEpoch: 3,
      });
      const all = [...(await store.readTargetStatuses())].sort((a, b) => a.target.localeCompare(b.target));
      expect(all).toEqual([
        makeTargetStatus('cloudflare', 10),
        makeTargetStatus('route53', 11, 'Throttling'),
      ]);
    });

    it('close() is idempotent', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    if (harness.reopen) describeRestart(harness, () => store);
    if (harness.crashReopen) describeStateStoreCrash(() => store, harness.crashReopen);
    if (harness.peer) describePeer(harness, () => store);
  });
}

function describeRestart(harness: StateStoreHarness, current: () => StateStore): void {
  const reopen = harness.reopen!;
  it('keeps decider state, zone state, serial, epoch mark, events and publications across a restart', async () => {
    const store = current();
    await store.writeOverlay(full(300, 4));
    await store.appendEvents(makeEvents(1, 12), 5);
    await store.recordPublication(makePublication('dns', 'ns1', 300));
    await store.saveDecider(fullPatch(makeDeciderState(300, 12)), 5);
    await store.saveTargetStatus(makeTargetStatus('cloudflare', 300), 5);
    await store.close();

    const again = await reopen();
    expect(await again.loadDecider()).toEqual(makeDeciderState(300, 12));
    expect(await again.readOverlay()).toEqual(makeOverlay(300, 4));
    expect((await again.readEvents({ limit: 3 })).map((e) => e.seq)).toEqual([12, 11, 10]);
    expect(await again.readPublications()).toEqual([makePublication('dns', 'ns1', 300)]);
    expect(await again.readTargetStatuses()).toEqual([makeTargetStatus('cloudflare', 300)]);
    expect(await again.writeOverlay(full(300, 5))).toEqual({
      ok: false,
      reason: 'stale-serial',
      storedSerial: 300,
    });
    expect(await again.saveDecider(fullPatch(makeDeciderState(1, 1)), 4)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 5,
    });
    expect(await again.writeOverlay(full(301, 5))).toEqual({ ok: true });
  });
}

function describePeer(harness: StateStoreHarness, current: () => StateStore): void {
  const peerOf = harness.peer!;
  it('shares writes, fencing and notifications with another store on the same storage', async () => {
    const store = current();
    const peer = await peerOf();
    const seen: number[] = [];
    store.subscribe((u) => seen.push(updateSerial(u)));
    expect(await peer.writeOverlay(full(40, 6))).toEqual({ ok: true });
    await waitFor(() => seen.length >= 1, 'a notification of the peer write');
    expect(seen).toEqual([40]);
    expect(await store.saveDecider(fullPatch(makeDeciderState()), 5)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: 6,
    });
    expect(await store.writeOverlay(full(40, 6))).toMatchObject({
      ok: false,
      reason: 'stale-serial',
    });
  });
}

/**
 * The Lease contract, for every implementation: one holder at a time, a fencing epoch that strictly increases
 * on every acquisition (also across a restart of persistent storage), renew keeps the epoch, and a lost or
 * expired grant renews to null.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lease, StateStore } from '@understudy/core';
import { makeDeciderState, makeEvents } from './fixtures.js';
import { fullPatch } from '@understudy/core';

export interface LeaseHarness {
  /** A lease contender with its own holder identity, on this test's shared storage. */
  create: (holder: string) => Promise<Lease>;
  /** A restart: the test has closed its leases; later create() calls use the same (persisted) storage. */
  reopen?: () => Promise<void>;
  /** Makes every current grant expire (advance an injected clock, or wait out a short TTL). */
  expire?: () => Promise<void>;
  /** The state store whose fencing mark this test's leases raise (for the write-after-expiry test). */
  store: () => Promise<StateStore>;
  /** Closes what is still open and removes the storage. */
  cleanup: () => Promise<void>;
}

/** Which optional tests the harness supports (its expire/reopen must then be present). */
export interface LeaseSuiteFeatures {
  expire?: boolean;
  reopen?: boolean;
}

export function describeLeaseConformance(
  name: string,
  factory: () => Promise<LeaseHarness>,
  features: LeaseSuiteFeatures = {},
): void {
  describe(`Lease conformance: ${name}`, () => {
    let h: LeaseHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('grants the lease with a positive integer epoch; renew keeps it', async () => {
      const a = await h.create('alpha');
      const grant = await a.acquire();
      expect(grant).not.toBeNull();
      expect(grant!.holder).toBe('alpha');
      expect(Number.isSafeInteger(grant!.epoch) && grant!.epoch > 0).toBe(true);
      const renewed = await a.renew();
      expect(renewed).toMatchObject({ holder: 'alpha', epoch: grant!.epoch });
      expect(renewed!.expiresAt).toBeGreaterThanOrEqual(grant!.expiresAt);
    });

    it('hands out strictly increasing epochs across acquisitions', async () => {
      const a = await h.create('alpha');
      const b = await h.create('beta');
      const epochs: number[] = [];
      for (const lease of [a, a, b, a, b, b]) {
        const grant = await lease.acquire();
        expect(grant).not.toBeNull();
        epochs.push(grant!.epoch);
        await lease.release();
      }
      for (let i = 1; i < epochs.length; i++) expect(epochs[i]!).toBeGreaterThan(epochs[i - 1]!);
    });

    it('excludes another holder until released', async () => {
      const a = await h.create('alpha');
      const b = await h.create('beta');
      const first = await a.acquire();
      expect(first).not.toBeNull();
      expect(await b.acquire()).toBeNull();
      expect(await b.renew()).toBeNull();
      await b.release(); // not the holder: no effect
      expect(await a.renew()).toMatchObject({ holder: 'alpha', epoch: first!.epoch });
      await a.release();
      expect(await a.renew()).toBeNull();
      const second = await b.acquire();
      expect(second).toMatchObject({ holder: 'beta' });
      expect(second!.epoch).toBeGreaterThan(first!.epoch);
    });

    it('close() releases the lease', async () => {
      const a = await h.create('alpha');
      const b = await h.create('beta');
      expect(await a.acquire()).not.toBeNull();
      await a.close();
      expect(await b.acquire()).not.toBeNull();
    });

    if (features.expire) {
      it('after expiry the old holder cannot renew and a new holder gets a higher epoch', async () => {
        const a = await h.create('alpha');
        const b = await h.create('beta');
        const first = await a.acquire();
        await h.expire!();
        expect(await a.renew()).toBeNull();
        const second = await b.acquire();
        expect(second).not.toBeNull();
        expect(second!.epoch).toBeGreaterThan(first!.epoch);
      });
    }

    if (features.expire) {
      it('refuses every write of a holder whose grant expired once another holder acquired', async () => {
        const store = await h.store();
        const a = await h.create('alpha');
        const b = await h.create('beta');
        const first = (await a.acquire())!;
        const commit = { decider: fullPatch(makeDeciderState()), zone: null, events: makeEvents(1, 1) };
        expect(await store.commit(commit, first.epoch)).toEqual({ ok: true });
        await h.expire!();
        const second = (await b.acquire())!;
        const late = { decider: fullPatch(makeDeciderState()), zone: null, events: makeEvents(2, 1) };
        const refused = { ok: false, reason: 'stale-epoch', storedEpoch: second.epoch };
        expect(await store.commit(late, first.epoch)).toEqual(refused);
        expect(await store.appendEvents(makeEvents(2, 1), first.epoch)).toEqual(refused);
        expect(await store.saveDecider(fullPatch(makeDeciderState()), first.epoch)).toEqual(refused);
        expect(await store.commit(late, second.epoch)).toEqual({ ok: true });
      });
    }

    if (features.reopen) {
      it('keeps epochs increasing across a restart of the storage', async () => {
        const a = await h.create('alpha');
        const first = await a.acquire();
        await a.close();
        await h.reopen!();
        const c = await h.create('gamma');
        const second = await c.acquire();
        expect(second).not.toBeNull();
        expect(second!.epoch).toBeGreaterThan(first!.epoch);
      });
    }
  });
}

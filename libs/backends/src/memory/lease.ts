/**
 * Lease for embedded mode. There is one decider per process by construction, so the lease is not about
 * electing a leader: it hands out fencing epochs that strictly increase, also across restarts, because each
 * one comes from the state store's persisted mark (MemoryStateStore.nextEpoch).
 *
 * Several MemoryLease objects over one epoch source still exclude each other (the holder is tracked per
 * source, in process), so the lease behaves like the distributed one in tests and misuse is caught.
 * A grant expires after ttlMs without renew(); renewing an expired grant returns null and the holder must
 * acquire again (with a new epoch), exactly as with a distributed lease.
 */
import type { Clock, Lease, LeaseGrant } from '@understudy/core';
import { systemClock } from '@understudy/system';

export interface EpochSource {
  /** A persisted epoch strictly greater than every one returned before. */
  nextEpoch(): Promise<number>;
}

export interface MemoryLeaseOptions {
  /** Usually the MemoryStateStore, so epochs are persisted with the fencing mark. */
  store: EpochSource;
  holder?: string;
  /** Default 30 s. */
  ttlMs?: number;
  clock?: Clock;
}

/** Current grant per epoch source, shared by every MemoryLease of this process. */
const grants = new WeakMap<EpochSource, LeaseGrant>();
let instances = 0;

export class MemoryLease implements Lease {
  private readonly source: EpochSource;
  private readonly holder: string;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(opts: MemoryLeaseOptions) {
    this.source = opts.store;
    instances += 1;
    this.holder = opts.holder ?? `embedded-${process.pid}-${instances}`;
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.clock = opts.clock ?? systemClock;
    if (!(this.ttlMs > 0)) throw new RangeError(`MemoryLease: ttlMs must be positive, got ${this.ttlMs}`);
  }

  async acquire(): Promise<LeaseGrant | null> {
    const current = this.live();
    if (current && current.holder !== this.holder) return null;
    const epoch = await this.source.nextEpoch();
    // Another lease on this source may have acquired while we awaited the epoch.
    const raced = this.live();
    if (raced && raced.holder !== this.holder) return null;
    const grant: LeaseGrant = { holder: this.holder, epoch, expiresAt: this.clock.now() + this.ttlMs };
    grants.set(this.source, grant);
    return { ...grant };
  }

  renew(): Promise<LeaseGrant | null> {
    const current = this.live();
    if (!current || current.holder !== this.holder) return Promise.resolve(null);
    const grant: LeaseGrant = { ...current, expiresAt: this.clock.now() + this.ttlMs };
    grants.set(this.source, grant);
    return Promise.resolve({ ...grant });
  }

  release(): Promise<void> {
    if (grants.get(this.source)?.holder === this.holder) grants.delete(this.source);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.release();
  }

  /** The unexpired grant on our source, whoever holds it. */
  private live(): LeaseGrant | null {
    const g = grants.get(this.source);
    if (!g) return null;
    if (g.expiresAt <= this.clock.now()) {
      grants.delete(this.source);
      return null;
    }
    return g;
  }
}

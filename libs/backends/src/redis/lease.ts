/**
 * Lease on Redis: SET NX PX with the holder token "<holder>#<epoch>", where the epoch comes from INCR of the
 * state store's fencing mark. Acquiring therefore fences the previous holder at once (its writes carry a
 * lower epoch than the mark), exactly as MemoryLease does through MemoryStateStore.nextEpoch. Renew and
 * release compare the token first (Lua), so a holder whose lease expired cannot extend or drop the next one's.
 *
 * Failures to reach Redis reject with TransientError: the caller cannot know whether it still holds the lease,
 * and must stop writing by the grant's expiresAt (the store refuses it anyway once another holder acquires).
 */
import type { Clock, Lease, LeaseGrant } from '@understudy/core';
import { transient, type RedisConnection } from './connection.js';
import { LEASE_ACQUIRE, LEASE_RELEASE, LEASE_RENEW, runScript } from './scripts.js';
import { StoredDataError } from './stored.js';
import { systemClock } from '@understudy/system';

export interface RedisLeaseOptions {
  connection: RedisConnection;
  /** Unique per process, e.g. "decider-<hostname>-<pid>". */
  holder: string;
  /** Default 5 s. */
  ttlMs?: number;
  clock?: Clock;
}

export class RedisLease implements Lease {
  private readonly conn: RedisConnection;
  private readonly holder: string;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private grant: LeaseGrant | null = null;
  private token = '';
  private closed = false;

  constructor(opts: RedisLeaseOptions) {
    this.conn = opts.connection;
    this.holder = opts.holder;
    this.ttlMs = opts.ttlMs ?? 5_000;
    this.clock = opts.clock ?? systemClock;
    if (!Number.isSafeInteger(this.ttlMs) || this.ttlMs <= 0) {
      throw new RangeError(`RedisLease: ttlMs must be a positive integer, got ${this.ttlMs}`);
    }
    if (!this.holder || this.holder.includes('#')) {
      throw new RangeError(`RedisLease: holder must be non-empty and without "#", got "${this.holder}"`);
    }
  }

  async acquire(): Promise<LeaseGrant | null> {
    if (this.closed) throw new Error('RedisLease is closed');
    // Expiry is counted from before the call: the server's TTL started no earlier than that.
    const start = this.clock.now();
    const keys = [this.conn.key('lease'), this.conn.key('fence')];
    const reply = await this.call('lease acquire', () =>
      runScript(this.conn.client, LEASE_ACQUIRE, keys, [this.holder, this.ttlMs, this.token]),
    );
    const [epoch, token] = reply as [number, string];
    if (Number(epoch) === 0) {
      this.grant = null;
      return null;
    }
    this.token = token;
    this.grant = { holder: this.holder, epoch: Number(epoch), expiresAt: start + this.ttlMs };
    return { ...this.grant };
  }

  async renew(): Promise<LeaseGrant | null> {
    if (!this.grant || this.closed) return null;
    const start = this.clock.now();
    const key = this.conn.key('lease');
    const renewed = await this.call('lease renew', () =>
      runScript(this.conn.client, LEASE_RENEW, [key], [this.token, this.ttlMs]),
    );
    if (Number(renewed) !== 1) {
      this.grant = null;
      this.token = '';
      return null;
    }
    this.grant = { ...this.grant, expiresAt: start + this.ttlMs };
    return { ...this.grant };
  }

  async release(): Promise<void> {
    if (!this.token) return;
    const token = this.token;
    this.grant = null;
    this.token = '';
    const key = this.conn.key('lease');
    await this.call('lease release', () => runScript(this.conn.client, LEASE_RELEASE, [key], [token]));
  }

  /** Releases the lease if held (best effort: an unreachable Redis lets it expire by TTL instead). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release().catch(() => undefined);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw transient(what, err);
    }
  }
}

/** Who holds the lease now, for processes that only show it (a standalone dashboard); null when free. */
export async function readLeaseHolder(
  conn: RedisConnection,
): Promise<{ holder: string; epoch: number } | null> {
  const key = conn.key('lease');
  let token: string | null;
  try {
    token = await conn.client.get(key);
  } catch (err) {
    throw transient('lease read', err);
  }
  if (token === null) return null;
  const at = token.lastIndexOf('#');
  const epoch = Number(token.slice(at + 1));
  if (at < 1 || !Number.isSafeInteger(epoch) || epoch <= 0)
    throw new StoredDataError(`${key}: not "<holder>#<epoch>" (${token.length} bytes)`);
  return { holder: token.slice(0, at), epoch };
}

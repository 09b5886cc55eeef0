/**
 * Zone state notifications for RedisStateStore.subscribe: Redis pub/sub carries every accepted zone state,
 * and a periodic serial check recovers what pub/sub lost (a reconnect, a dropped subscriber). The check
 * gives pub/sub one interval of grace before it reads the state itself, so in normal operation every state
 * is delivered, and after a loss the latest one arrives within two intervals.
 *
 * Each listener has its own high-water mark: it never sees a serial twice or a lower one, and it starts at
 * the highest serial this store knew when it subscribed (what happened before is not replayed).
 */
import type { Redis } from 'ioredis';
import { deepFreeze, type Logger, type ZoneState } from '@understudy/core';
import { parseZoneState } from './stored.js';

export interface ZoneFollowerOptions {
  subscriber: Redis;
  channel: string;
  pollIntervalMs: number;
  readSerial: () => Promise<number>;
  readZone: () => Promise<ZoneState | null>;
  logger: Logger;
}

interface Entry {
  fn: (zs: ZoneState) => void;
  last: number;
}

export class ZoneFollower {
  private readonly entries = new Set<Entry>();
  /** Highest serial known to exist (own writes, reads, notifications). */
  private known = 0;
  /** A stored serial the listeners had not reached at the previous check. */
  private suspect: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollFailing = false;

  constructor(private readonly opts: ZoneFollowerOptions) {
    opts.subscriber.on('message', (channel: string, message: string) => {
      if (channel === opts.channel) this.onMessage(message);
    });
  }

  /** Subscribes the channel; resolves once Redis confirmed it, so later writes are all notified. */
  async start(): Promise<void> {
    await this.opts.subscriber.subscribe(this.opts.channel);
  }

  noteSerial(serial: number): void {
    if (serial > this.known) this.known = serial;
  }

  subscribe(fn: (zs: ZoneState) => void): () => void {
    const entry: Entry = { fn, last: this.known };
    this.entries.add(entry);
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.opts.pollIntervalMs);
      this.timer.unref();
    }
    return () => {
      this.entries.delete(entry);
      if (this.entries.size === 0) this.stopTimer();
    };
  }

  /** Stops notifying and unsubscribes; the owner closes the subscriber client. */
  close(): void {
    this.entries.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.suspect = null;
  }

  private onMessage(message: string): void {
    // Deciders and one-shot readers open a store without following it: no parse, no freeze for them.
    if (this.entries.size === 0) return;
    let zs: ZoneState;
    try {
      zs = parseZoneState(message);
    } catch (err) {
      this.opts.logger.warn(
        { err, channel: this.opts.channel },
        'redis: ignored a bad zone state notification',
      );
      return;
    }
    this.deliver(zs);
  }

  private deliver(zs: ZoneState): void {
    this.noteSerial(zs.serial);
    const frozen = deepFreeze(zs);
    for (const entry of [...this.entries]) {
      if (zs.serial <= entry.last || !this.entries.has(entry)) continue;
      entry.last = zs.serial;
      try {
        const out = entry.fn(frozen) as unknown;
        if (out instanceof Promise) out.catch((err: unknown) => this.listenerFailed(err, zs.serial));
      } catch (err) {
        this.listenerFailed(err, zs.serial);
      }
    }
  }

  private listenerFailed(err: unknown, serial: number): void {
    this.opts.logger.error({ err, serial }, 'redis: a zone state subscriber failed');
  }

  /** The periodic serial check. */
  private async check(): Promise<void> {
    if (this.polling || this.entries.size === 0) return;
    this.polling = true;
    try {
      const lowest = Math.min(...[...this.entries].map((e) => e.last));
      if (this.suspect !== null && lowest < this.suspect) {
        const zs = await this.opts.readZone();
        if (zs) {
          this.opts.logger.info({ serial: zs.serial }, 'redis: zone state recovered by the serial check');
          this.deliver(zs);
        }
      }
      const stored = await this.opts.readSerial();
      const now = Math.min(...[...this.entries].map((e) => e.last), Infinity);
      this.suspect = stored > now ? stored : null;
      if (this.pollFailing) this.opts.logger.info('redis: zone serial check works again');
      this.pollFailing = false;
    } catch (err) {
      if (!this.pollFailing) this.opts.logger.warn({ err }, 'redis: zone serial check failed');
      this.pollFailing = true;
    } finally {
      this.polling = false;
    }
  }
}

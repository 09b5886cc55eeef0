/**
 * Overlay notifications for RedisStateStore.subscribe. Redis pub/sub carries every accepted delta (and a
 * short note for a full overlay); a periodic serial check finds what pub/sub lost (a reconnect, a dropped
 * subscriber), after one interval of grace.
 *
 * Each listener has its own serial: it receives a delta only when the delta's base is that serial. After a
 * gap it gets the journal from its serial on, or, when the journal no longer reaches back, the whole
 * overlay. Everything runs through one queue, so a listener sees its updates in serial order, never one
 * twice nor a lower one. A listener starts at the highest serial this store knew when it subscribed.
 */
import type { Redis } from 'ioredis';
import {
  SerialQueue,
  deepFreeze,
  overlayUpdateProblem,
  updateSerial,
  type Logger,
  type OverlayDelta,
  type OverlayUpdate,
  type ZoneOverlay,
} from '@understudy/core';

export interface ZoneFollowerOptions {
  subscriber: Redis;
  channel: string;
  pollIntervalMs: number;
  readSerial: () => Promise<number>;
  readOverlay: () => Promise<ZoneOverlay | null>;
  readDeltas: (after: number) => Promise<OverlayDelta[] | null>;
  logger: Logger;
}

interface Entry {
  fn: (u: OverlayUpdate) => void;
  last: number;
}

/** A parsed notification: a delta, or that a full overlay with this serial was written. */
type Note = { kind: 'delta'; delta: OverlayDelta } | { kind: 'full'; serial: number };

export class ZoneFollower {
  private readonly entries = new Set<Entry>();
  private readonly queue = new SerialQueue();
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

  subscribe(fn: (u: OverlayUpdate) => void): () => void {
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
    // Deciders and one-shot readers open a store without following it: no parse for them.
    if (this.entries.size === 0) return;
    let note: Note;
    try {
      note = parseNote(message);
    } catch (err) {
      this.opts.logger.warn({ err, channel: this.opts.channel }, 'redis: ignored a bad overlay notification');
      return;
    }
    const serial = note.kind === 'delta' ? note.delta.serial : note.serial;
    this.noteSerial(serial);
    this.queue
      .push(async () => {
        if (note.kind === 'delta') {
          const u: OverlayUpdate = { kind: 'delta', delta: deepFreeze(note.delta) };
          for (const e of [...this.entries]) if (e.last === note.delta.base) this.deliver(e, u);
        }
        await this.catchUp(serial);
      })
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'redis: overlay catch-up failed'));
  }

  /** Every listener below `serial` reads the journal from its serial, or the whole overlay. */
  private async catchUp(serial: number): Promise<void> {
    const behind = [...this.entries].filter((e) => e.last < serial);
    const bySerial = new Map<number, Entry[]>();
    for (const e of behind) bySerial.set(e.last, [...(bySerial.get(e.last) ?? []), e]);
    let full: ZoneOverlay | null | undefined;
    for (const [last, entries] of bySerial) {
      const deltas = await this.opts.readDeltas(last);
      if (deltas?.length) {
        const updates = deltas.map((d): OverlayUpdate => ({ kind: 'delta', delta: deepFreeze(d) }));
        for (const e of entries) for (const u of updates) if (updateSerial(u) > e.last) this.deliver(e, u);
        continue;
      }
      full ??= await this.opts.readOverlay();
      if (!full) continue;
      const u: OverlayUpdate = { kind: 'full', overlay: deepFreeze(full) };
      for (const e of entries) if (full.serial > e.last) this.deliver(e, u);
    }
  }

  private deliver(entry: Entry, u: OverlayUpdate): void {
    if (!this.entries.has(entry)) return;
    const serial = updateSerial(u);
    entry.last = serial;
    this.noteSerial(serial);
    try {
      const out = entry.fn(u) as unknown;
      if (out instanceof Promise) out.catch((err: unknown) => this.listenerFailed(err, serial));
    } catch (err) {
      this.listenerFailed(err, serial);
    }
  }

  private listenerFailed(err: unknown, serial: number): void {
    this.opts.logger.error({ err, serial }, 'redis: an overlay subscriber failed');
  }

  /** The periodic serial check: a serial stored for a whole interval and still not delivered is caught up. */
  private async check(): Promise<void> {
    if (this.polling || this.entries.size === 0) return;
    this.polling = true;
    try {
      const lowest = () => Math.min(...[...this.entries].map((e) => e.last), Infinity);
      if (this.suspect !== null && lowest() < this.suspect) {
        const suspect = this.suspect;
        this.opts.logger.info({ serial: suspect }, 'redis: overlay notification missed; catching up');
        await this.queue.push(() => this.catchUp(suspect));
      }
      const stored = await this.opts.readSerial();
      this.noteSerial(stored);
      this.suspect = stored > lowest() ? stored : null;
      if (this.pollFailing) this.opts.logger.info('redis: overlay serial check works again');
      this.pollFailing = false;
    } catch (err) {
      if (!this.pollFailing) this.opts.logger.warn({ err }, 'redis: overlay serial check failed');
      this.pollFailing = true;
    } finally {
      this.polling = false;
    }
  }
}

function parseNote(message: string): Note {
  const v = JSON.parse(message) as Record<string, unknown>;
  if (v.kind === 'full') {
    if (!Number.isSafeInteger(v.serial)) throw new Error('full overlay note without a serial');
    return { kind: 'full', serial: v.serial as number };
  }
  const problem = overlayUpdateProblem(v);
  if (problem) throw new Error(`overlay delta: ${problem}`);
  return v as Note;
}

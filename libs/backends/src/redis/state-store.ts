/**
 * StateStore on Redis (ioredis). Keys under the connection prefix (default "understudy:"):
 *   fence        the fencing mark: highest epoch of any accepted write or lease grant (INCR by RedisLease)
 *   decider:top      the decider state but its checks and records (DeciderStatePatch.top), JSON
 *   decider:checks   hash: check id → CheckState JSON      decider:records  hash: record id → RecordState JSON
 *                    (a patch writes only its entries; a full patch deletes and rewrites both)
 *   decider      the previous format's whole DeciderState JSON: read when decider:top is absent (an upgrade),
 *                deleted by the first full patch
 *   zone:serial  the stored overlay serial (also the SOA serial)
 *   overlay      hash: failover record id → JSON array of the values it serves
 *   overlay:meta hash: serial, epoch, generatedAt of the stored overlay (absent: no overlay yet)
 *   overlay:journal  list of delta JSON, newest first, capped at journalLimit (a full overlay deletes it)
 *   zone         the previous format's whole ZoneState: only its serial (zone:serial) counts; a full overlay deletes it
 *   events       Stream, ids "<seq>-1", field e    capped at maxEvents (exact MAXLEN)
 *   events:epoch the epoch of the newest append (a seq at or below the newest is a retry only from it)
 *   publications hash "<target>\0<instance>" → JSON    targets   hash target → TargetSyncStatus JSON
 *   refused      Stream of refused stale-epoch writes (what, epoch, stored), ~1000 newest
 *   overlay:changed  pub/sub channel: {"kind":"delta","delta":…} per accepted delta, {"kind":"full","serial":N}
 * Every fenced write is one Lua script (scripts.ts). The store does not own the connection: close it last.
 */
import type {
  Commit,
  DecisionEvent,
  DeciderState,
  DeciderStatePatch,
  EventQuery,
  Logger,
  OverlayDelta,
  OverlayUpdate,
  Publication,
  RefusedWrite,
  StateStore,
  TargetSyncStatus,
  WriteOutcome,
  ZoneOverlay,
} from '@understudy/core';
import {
  DEFAULT_JOURNAL_LIMIT,
  MissingDeciderBaseError,
  deltasAfter,
  updateEpoch,
  updateSerial,
} from '@understudy/core';
import type { Redis } from 'ioredis';
import { silentLogger } from '../memory/silent-logger.js';
import { transient, type RedisConnection } from './connection.js';
import {
  APPEND_EVENTS,
  COMMIT,
  SAVE_DECIDER,
  SAVE_TARGET,
  fencedReply,
  runScript,
  type ScriptDef,
} from './scripts.js';
import { anObject, isObject, parseDelta, parseOverlay, parseStored, storedRecord } from './stored.js';
import { DECIDER_KEYS, deciderArgs, parseDecider } from './decider-keys.js';
import { ZoneFollower } from './zone-follower.js';

export interface RedisStateStoreOptions {
  connection: RedisConnection;
  /** Events kept in the stream. Default 10 000. */
  maxEvents?: number;
  logger?: Logger;
  /** Period of the overlay serial check behind subscribe(). Default 1 s. */
  pollIntervalMs?: number;
  /** Deltas kept in the journal. Default 1 000. */
  journalLimit?: number;
}

export class RedisStateStore implements StateStore {
  private readonly conn: RedisConnection;
  private readonly logger: Logger;
  private readonly maxEvents: number;
  private readonly journalLimit: number;
  private readonly follower: ZoneFollower;
  private readonly subscriber: Redis;
  private closed = false;

  private constructor(opts: RedisStateStoreOptions) {
    this.conn = opts.connection;
    this.logger = opts.logger ?? silentLogger;
    this.maxEvents = opts.maxEvents ?? 10_000;
    if (!Number.isSafeInteger(this.maxEvents) || this.maxEvents < 1) {
      throw new RangeError(`RedisStateStore: maxEvents must be a positive integer, got ${this.maxEvents}`);
    }
    this.journalLimit = opts.journalLimit ?? DEFAULT_JOURNAL_LIMIT;
    if (!Number.isSafeInteger(this.journalLimit) || this.journalLimit < 1) {
      throw new RangeError(
        `RedisStateStore: journalLimit must be a positive integer, got ${this.journalLimit}`,
      );
    }
    const pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    if (!(pollIntervalMs > 0)) throw new RangeError(`RedisStateStore: pollIntervalMs must be positive`);
    this.subscriber = this.conn.duplicate('subscriber');
    this.follower = new ZoneFollower({
      subscriber: this.subscriber,
      channel: this.key('overlay:changed'),
      pollIntervalMs,
      readSerial: () => this.readSerial(),
      readOverlay: () => this.readOverlay(),
      readDeltas: (after) => this.readDeltas(after),
      logger: this.logger,
    });
  }

  /** Opens the store and subscribes to zone state notifications before resolving. */
  static async open(opts: RedisStateStoreOptions): Promise<RedisStateStore> {
    const store = new RedisStateStore(opts);
    try {
      await store.follower.start();
      store.follower.noteSerial(await store.readSerial());
    } catch (err) {
      await store.close();
      throw transient('opening the state store', err);
    }
    return store;
  }

  async loadDecider(): Promise<DeciderState | null> {
    const [top, checks, records, old] = await this.call('loadDecider', async () => {
      const replies = await this.client
        .multi()
        .get(this.key('decider:top'))
        .hgetall(this.key('decider:checks'))
        .hgetall(this.key('decider:records'))
        .get(this.key('decider'))
        .exec();
      return (replies ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
    });
    return parseDecider(
      top as string | null,
      checks as Record<string, string>,
      records as Record<string, string>,
      old as string | null,
      (n) => this.key(n),
    );
  }

  async saveDecider(patch: DeciderStatePatch, epoch: number): Promise<WriteOutcome> {
    checkCount(epoch, 'epoch');
    const args = [epoch, 'decider', patch.full ? 'full' : 'patch', ...deciderArgs(patch)];
    return this.fenced(SAVE_DECIDER, [...DECIDER_KEYS], args);
  }

  async readOverlay(): Promise<ZoneOverlay | null> {
    const [meta, fields] = await this.call('readOverlay', async () => {
      const replies = await this.client
        .multi()
        .hgetall(this.key('overlay:meta'))
        .hgetall(this.key('overlay'))
        .exec();
      return (replies ?? []).map(([err, v]) => {
        if (err) throw err;
        return v as Record<string, string>;
      });
    });
    if (!meta || Object.keys(meta).length === 0) return null;
    const overlay = parseOverlay(meta, fields ?? {}, this.key('overlay'));
    this.follower.noteSerial(overlay.serial);
    return overlay;
  }

  async readDeltas(after: number): Promise<OverlayDelta[] | null> {
    checkCount(after, 'readDeltas after');
    const [serial, has, rows] = await this.call('readDeltas', async () => {
      const replies = await this.client
        .multi()
        .get(this.key('zone:serial'))
        .exists(this.key('overlay:meta'))
        .lrange(this.key('overlay:journal'), 0, -1)
        .exec();
      return (replies ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
    });
    if (!has) return null;
    const where = this.key('overlay:journal');
    const journal = (rows as string[]).map((t) => parseDelta(t, where)).reverse();
    return deltasAfter(journal, after, Number(serial ?? 0));
  }

  writeOverlay(u: OverlayUpdate): Promise<WriteOutcome> {
    return this.writeCommit(u, null, [], updateEpoch(u), false);
  }

  subscribe(listener: (u: OverlayUpdate) => void): () => void {
    if (this.closed) throw new Error('RedisStateStore is closed');
    return this.follower.subscribe(listener);
  }

  async appendEvents(events: DecisionEvent[], epoch: number): Promise<WriteOutcome> {
    checkCount(epoch, 'epoch');
    const { what, triples } = eventArgs(events);
    const args = [epoch, what, this.maxEvents, ...triples];
    return this.fenced(APPEND_EVENTS, ['events', 'events:epoch'], args);
  }

  async commit(c: Commit, epoch: number): Promise<WriteOutcome> {
    if (c.zone && updateEpoch(c.zone) !== epoch)
      throw new RangeError(`commit: overlay epoch ${updateEpoch(c.zone)} is not the commit epoch ${epoch}`);
    return this.writeCommit(c.zone, c.decider, c.events, epoch, true);
  }

  /** The one overlay script: O(delta) fields, the decider (unless null) and the events, all or nothing. */
  private async writeCommit(
    u: OverlayUpdate | null,
    decider: DeciderStatePatch | null,
    events: DecisionEvent[],
    epoch: number,
    retry: boolean,
  ): Promise<WriteOutcome> {
    checkCount(epoch, 'epoch');
    const { what, triples } = eventArgs(events);
    const zoneArgs: (string | number)[] = ['', '', '', '', ''];
    const pairs: string[] = [];
    if (u) {
      const serial = updateSerial(u);
      checkCount(serial, 'overlay serial');
      const body = u.kind === 'delta' ? u.delta : u.overlay;
      // Issue 14: a record serving an adaptive TTL (or, part 3, a steered one) is stored as { values,
      // ttl?, steered? }; the others as before.
      for (const [id, values] of Object.entries(body.records))
        pairs.push(id, storedRecord(values, body.ttls?.[id], body.steered?.[id]));
      const base = u.kind === 'delta' ? u.delta.base : '';
      zoneArgs.splice(
        0,
        5,
        u.kind,
        base,
        serial,
        body.generatedAt,
        u.kind === 'delta' ? JSON.stringify(u.delta) : '',
      );
    }
    const label = u ? `overlay ${u.kind} ${updateSerial(u)}` : '';
    const args = [
      epoch,
      decider === null ? label : `commit ${label ? `${label}, ` : ''}${what}`,
      decider === null ? '' : decider.full ? 'full' : 'patch',
      ...zoneArgs,
      this.key('overlay:changed'),
      this.maxEvents,
      this.journalLimit,
      retry ? '1' : '0',
      pairs.length / 2,
      ...pairs,
      ...(decider ? deciderArgs(decider) : []),
      ...triples,
    ];
    const keys = [
      'events',
      'events:epoch',
      'decider:top',
      'zone:serial',
      'overlay',
      'overlay:meta',
      'overlay:journal',
      'zone',
      'decider:checks',
      'decider:records',
      'decider',
    ];
    const outcome = await this.fenced(COMMIT, keys, args);
    if (outcome.ok && u) this.follower.noteSerial(updateSerial(u));
    return outcome;
  }

  async readEvents(query: EventQuery): Promise<DecisionEvent[]> {
    checkCount(query.limit, 'readEvents limit');
    if (query.before !== undefined && Number.isNaN(query.before))
      throw new RangeError('readEvents before is NaN');
    if (query.limit === 0 || (query.before !== undefined && query.before <= 0)) return [];
    const end = query.before === undefined ? '+' : `(${Math.ceil(query.before)}-0`;
    const key = this.key('events');
    const rows = await this.call('readEvents', () =>
      this.client.xrevrange(key, end, '-', 'COUNT', query.limit),
    );
    return rows.map(([id, fields]) => {
      const json = fields[fields.indexOf('e') + 1] ?? '';
      return parseStored<DecisionEvent>(json, `${key} ${id}`, (v) =>
        isObject(v) && Number.isSafeInteger(v.seq) ? null : 'not an event',
      );
    });
  }

  async recordPublication(p: Publication): Promise<void> {
    const field = `${p.target}\u0000${p.instance}`;
    await this.call('recordPublication', () =>
      this.client.hset(this.key('publications'), field, JSON.stringify(p)),
    );
  }

  async readPublications(): Promise<Publication[]> {
    const all = await this.call('readPublications', () => this.client.hvals(this.key('publications')));
    return all.map((t) => parseStored<Publication>(t, this.key('publications'), anObject));
  }

  async saveTargetStatus(status: TargetSyncStatus, epoch: number): Promise<WriteOutcome> {
    checkCount(epoch, 'epoch');
    const args = [epoch, `target ${status.target}`, status.target, JSON.stringify(status)];
    return this.fenced(SAVE_TARGET, ['targets'], args);
  }

  async readTargetStatuses(): Promise<TargetSyncStatus[]> {
    const all = await this.call('readTargetStatuses', () => this.client.hvals(this.key('targets')));
    return all.map((t) => parseStored<TargetSyncStatus>(t, this.key('targets'), anObject));
  }

  /** Stale-epoch writes the scripts refused, oldest first, newer than `after` (a RefusedWrite id). */
  async readRefusedWrites(opts: { after?: string; limit?: number } = {}): Promise<RefusedWrite[]> {
    const start = opts.after === undefined ? '-' : `(${opts.after}`;
    const rows = await this.call('readRefusedWrites', () =>
      this.client.xrange(this.key('refused'), start, '+', 'COUNT', opts.limit ?? 100),
    );
    return rows.map(([id, f]) => {
      const get = (name: string) => f[f.indexOf(name) + 1] ?? '';
      return {
        id,
        what: get('what'),
        epoch: Number(get('epoch')),
        storedEpoch: Number(get('stored')),
        at: Number(id.split('-')[0]),
      };
    });
  }

  /** The current fencing mark (0 when nothing was written yet). */
  async fencingMark(): Promise<number> {
    return Number((await this.call('fencingMark', () => this.client.get(this.key('fence')))) ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.follower.close();
    await this.conn.release(this.subscriber);
  }

  private get client() {
    return this.conn.client;
  }

  private key(name: string): string {
    return this.conn.key(name);
  }

  private async readSerial(): Promise<number> {
    return Number((await this.call('readSerial', () => this.client.get(this.key('zone:serial')))) ?? 0);
  }

  private async fenced(def: ScriptDef, names: string[], args: (string | number)[]): Promise<WriteOutcome> {
    const keys = [this.key('fence'), this.key('refused'), ...names.map((n) => this.key(n))];
    const reply = await this.call(def.name, () => runScript(this.client, def, keys, args.map(String)));
    const [code, stored] = fencedReply(reply);
    if (code === 0) return { ok: true };
    if (code === 3) return { ok: false, reason: 'stale-seq', storedSeq: stored };
    if (code === 4) throw new MissingDeciderBaseError(`redis ${this.key('decider:top')}`);
    if (code === 1) {
      this.logger.warn(
        { epoch: Number(args[0]), storedEpoch: stored, what: args[1] },
        'redis: stale-epoch write refused',
      );
      return { ok: false, reason: 'stale-epoch', storedEpoch: stored };
    }
    return { ok: false, reason: 'stale-serial', storedSerial: stored };
  }

  /** Every Redis call: refused after close, client failures as TransientError. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('RedisStateStore is closed');
    try {
      return await fn();
    } catch (err) {
      throw transient(what, err);
    }
  }
}

/** Stream arguments for events, sorted by seq: (id, seq, json) triples, and what they are for logs. */
function eventArgs(events: DecisionEvent[]): { what: string; triples: (string | number)[] } {
  for (const e of events) checkCount(e.seq, 'event seq');
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const triples = sorted.flatMap((e) => [`${e.seq}-1`, e.seq, JSON.stringify(e)]);
  const what = sorted.length ? `events ${sorted[0]!.seq}..${sorted.at(-1)!.seq}` : 'events (none)';
  return { what, triples };
}

function checkCount(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
}

/**
 * Ports: the narrow interfaces adapters implement. Each has one conformance suite that every
 * implementation (in-process, Redis) must pass.
 */
import type { DecisionEvent } from './events.js';
import type { ResultBatch } from './results.js';
import type { TargetSyncStatus } from './provider-types.js';
import type { OverlayDelta, OverlayUpdate, ZoneOverlay } from './overlay.js';
import type { DeciderState, Publication } from './state-types.js';
import type { DeciderStatePatch } from './decider-patch.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export interface Closeable {
  close(): Promise<void>;
}

export type BatchHandler = (batch: ResultBatch) => Promise<void>;

/** Probe → decider transport. Delivery is at least once; handlers must be idempotent. */
export interface ResultsBus extends Closeable {
  publish(batch: ResultBatch): Promise<void>;
  /**
   * Start delivering batches to `handler`, one at a time, in publish order per publisher.
   * A batch whose handler rejects is delivered again later.
   */
  consume(handler: BatchHandler): Promise<void>;
}

export type WriteOutcome =
  | { ok: true }
  | { ok: false; reason: 'stale-epoch'; storedEpoch: number }
  | { ok: false; reason: 'stale-serial'; storedSerial: number }
  /** An event seq at or below the newest stored one, which a lower epoch wrote: seqs are never reused. */
  | { ok: false; reason: 'stale-seq'; storedSeq: number };

/** One decision as the store receives it: the state change and the events it raised, written together. */
export interface Commit {
  /**
   * The decider state's change since the last accepted save (DecisionEngine.takePatch()); its top's eventSeq
   * covers `events`. A partial patch on a store without a stored decider state is refused by throwing
   * MissingDeciderBaseError (the whole commit, nothing written): send a full patch. The store may take the
   * patch over rather than copy it (a failover's patch holds every switched record): hand over one you will
   * not change, as takePatch's fresh copy is.
   */
  decider: DeciderStatePatch;
  /**
   * The overlay change, if any. A delta must start at the stored serial (base), a full overlay must be newer
   * than the stored one; otherwise the whole commit is refused ('stale-serial' with the stored serial) and
   * the decider commits the full overlay next. An update whose serial equals the stored serial is a retry
   * of an accepted commit and is left out. Its epoch must be the commit's.
   */
  zone: OverlayUpdate | null;
  /** Ascending by seq. */
  events: DecisionEvent[];
}

export interface EventQuery {
  /** Only events with seq < before (paging backwards). */
  before?: number;
  limit: number;
}

/**
 * Shared decider state, zone state and the audit timeline.
 * Every write carries the writer's fencing epoch; a write with a lower epoch than the highest the store
 * has seen is refused by the store itself, so a paused old leader cannot overwrite a new one.
 */
export interface StateStore extends Closeable {
  /** The whole decider state: the last full patch with every later patch applied. */
  loadDecider(): Promise<DeciderState | null>;
  /**
   * Applies a patch (O(patch)): a full one replaces the stored state. A partial patch without a stored state
   * throws MissingDeciderBaseError and changes nothing.
   */
  saveDecider(patch: DeciderStatePatch, epoch: number): Promise<WriteOutcome>;

  /** The whole overlay (one entry per failover record); null before the first one was written. */
  readOverlay(): Promise<ZoneOverlay | null>;
  /**
   * The journal from serial `after` on, oldest first, each delta's base the previous one's serial ([] when
   * `after` is the stored serial). Null when the bounded journal no longer reaches back to `after` (or a full
   * overlay was written since): the caller reads the whole overlay instead.
   */
  readDeltas(after: number): Promise<OverlayDelta[] | null>;
  /**
   * Writes an overlay change outside a commit (tools, tests, migrations), fenced by its own epoch: a delta
   * must start at the stored serial, a full overlay must be newer than it ('stale-serial' otherwise).
   */
  writeOverlay(u: OverlayUpdate): Promise<WriteOutcome>;
  /**
   * Called with every overlay update written after subscribing (from any writer), in serial order: a delta
   * whose base is the previous update's serial, or, after a gap (a lost notification), the deltas read back
   * from the journal or the whole overlay. Returns unsubscribe.
   */
  subscribe(listener: (u: OverlayUpdate) => void): () => void;

  /**
   * Appends events. A seq at or below the newest stored one is skipped as a retry when the newest was
   * appended with the same epoch; from a different epoch it refuses the whole append ('stale-seq').
   */
  appendEvents(events: DecisionEvent[], epoch: number): Promise<WriteOutcome>;
  /**
   * Writes decider state, overlay change and events all at once or not at all, fenced like every write and with
   * appendEvents' seq rule: a decision is never stored without its events, nor its events without it.
   */
  commit(c: Commit, epoch: number): Promise<WriteOutcome>;
  /** Newest first. */
  readEvents(query: EventQuery): Promise<DecisionEvent[]>;

  recordPublication(p: Publication): Promise<void>;
  readPublications(): Promise<Publication[]>;

  /** Provider sync status, one per target (the latest replaces the previous). Fenced like every write. */
  saveTargetStatus(status: TargetSyncStatus, epoch: number): Promise<WriteOutcome>;
  readTargetStatuses(): Promise<TargetSyncStatus[]>;
}

export interface LeaseGrant {
  holder: string;
  /** Fencing token: strictly greater on every acquisition. */
  epoch: number;
  expiresAt: number;
}

export interface Lease extends Closeable {
  /** Returns the grant, or null while someone else holds the lease. */
  acquire(): Promise<LeaseGrant | null>;
  /** Extends our grant; null means we lost it and must stop writing. */
  renew(): Promise<LeaseGrant | null>;
  release(): Promise<void>;
}

/**
 * A write the store refused because its fencing epoch was stale. The store records it (a paused old leader
 * cannot record anything once fenced); the leader whose epoch fenced the write raises its event, once.
 */
export interface RefusedWrite {
  /** Unique per refusal (e.g. a stream entry id): pass as `after` to read only newer ones; a retry never raises it twice. */
  id: string;
  /** What was refused: zone state, decider state, events, … */
  what: string;
  /** The writer's epoch and the stored mark that refused it. */
  epoch: number;
  storedEpoch: number;
  /** Store time, epoch ms. */
  at: number;
  serial?: number;
}

/** Where a leader reads the refused writes from. */
export interface RefusedWritesSource {
  /** Recent refusals, any order; entries already seen may be returned again. */
  read(): Promise<RefusedWrite[]>;
}

type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/** The slice of pino that libraries use; apps pass a real pino logger. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

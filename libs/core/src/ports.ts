/**
 * Ports: the narrow interfaces adapters implement. Each has one conformance suite that every
 * implementation (in-process, Redis) must pass.
 */
import type { DecisionEvent } from './events.js';
import type { ResultBatch } from './results.js';
import type { TargetSyncStatus } from './provider-types.js';
import type { DeciderState, Publication, ZoneState } from './state-types.js';

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
  /** The decider state after the change; its eventSeq covers `events`. */
  decider: DeciderState;
  /**
   * The zone state the change produced, if any. One whose serial equals the stored serial is a retry of an
   * accepted commit and is left out; a lower serial refuses the whole commit ('stale-serial').
   */
  zone: ZoneState | null;
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
  loadDecider(): Promise<DeciderState | null>;
  saveDecider(state: DeciderState, epoch: number): Promise<WriteOutcome>;

  readZoneState(): Promise<ZoneState | null>;
  /** Refused when zs.epoch is stale or zs.serial is not greater than the stored serial. */
  writeZoneState(zs: ZoneState): Promise<WriteOutcome>;
  /** Called with every zone state written after subscribing (from any writer). Returns unsubscribe. */
  subscribe(listener: (zs: ZoneState) => void): () => void;

  /**
   * Appends events. A seq at or below the newest stored one is skipped as a retry when the newest was
   * appended with the same epoch; from a different epoch it refuses the whole append ('stale-seq').
   */
  appendEvents(events: DecisionEvent[], epoch: number): Promise<WriteOutcome>;
  /**
   * Writes decider state, zone state and events all at once or not at all, fenced like every write and with
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

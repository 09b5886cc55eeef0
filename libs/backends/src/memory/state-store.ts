/**
 * In-process StateStore for embedded mode, optionally persisted to a JSON file (state-file.ts) plus two
 * sibling append-only files: the events file (events-file.ts) and the state journal (state-journal.ts).
 * A durable write is one fsynced journal entry, events included (issue 11: one fsync per decision); the
 * events file follows eventsFileDelayMs later, and is synced before the journal is compacted.
 *
 * - Fencing: the store keeps and persists the highest epoch it has seen. A write with a lower epoch is refused
 *   and changes nothing; an equal or higher epoch is accepted and a higher one raises the mark.
 * - Overlay serials only increase, across restarts too: a delta must start at the stored serial, a full
 *   overlay must be newer ('stale-serial' otherwise). A delta is applied in place, O(delta); the journal of
 *   the newest `journalLimit` deltas (at most `journalRecords` record entries) is kept in memory only
 *   (after a restart, followers read the overlay).
 * - Durability: commit, writeOverlay, appendEvents and nextEpoch are on disk before they resolve, and change
 *   nothing (rejecting with TransientError) when that write fails. saveDecider, recordPublication and
 *   saveTargetStatus run on every result batch, so their write is debounced by flushDelayMs. close() flushes
 *   everything.
 * - A durable write appends one fsynced journal entry holding what changed since the previous entry: the
 *   decider patch (debounced saveDecider patches merged in), the overlay update, and the debounced parts. So
 *   it costs what it changed, not the state's size, and saveDecider(p) immediately followed by
 *   writeOverlay(z) still makes p durable together with z (the decider relies on this: its saved state and
 *   the overlay on disk always match after a crash). Past journalCompactEntries entries or
 *   journalCompactBytes bytes the whole state file is rewritten atomically and the journal emptied; opening
 *   replays the journal after the state file's mark, ignoring a torn last line.
 * - saveDecider takes a DeciderStatePatch and applies a copy in place (O(patch)); commit takes its patch over
 *   (Commit.decider), uncopied. A partial patch with no stored decider state throws MissingDeciderBaseError.
 *   loadDecider returns a copy the caller owns.
 * - Events (parsed on first read) and the updates subscribers receive are deep-frozen and shared;
 *   readOverlay returns a copy.
 * - Every write runs in one exclusive section: check, persist, commit, notify.
 * - One process owns a file: two stores on the same file would overwrite each other (embedded mode has one).
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
  TargetSyncStatus,
  StateStore,
  WriteOutcome,
  ZoneOverlay,
} from '@understudy/core';
import {
  DEFAULT_JOURNAL_LIMIT,
  MissingDeciderBaseError,
  SerialQueue,
  TransientError,
  cloneData,
  deltasAfter,
  updateEpoch,
  updateSerial,
} from '@understudy/core';
import { applyUpdate, judgeUpdate } from './overlay-apply.js';
import { EventsFile, eventsFileFor, readEventsFile } from './events-file.js';
import { silentLogger } from './silent-logger.js';
import type { Snapshot } from './snapshot.js';
import { applyOwnedPatch, emptySnapshot, fromDocuments, pubKey, replayJournal } from './snapshot.js';
import { StateFileError, ensureDirectory, readStateFile } from './state-file.js';
import { DEFAULT_COMPRESS_ABOVE, JournalFile, journalFileFor, readJournal } from './state-journal.js';
import { StatePersistence, type Change } from './state-persistence.js';

export interface MemoryStateStoreOptions {
  /**
   * JSON file to load from and persist to (events go to eventsFileFor(file) beside it); null or absent keeps
   * everything in memory.
   */
  file?: string | null;
  logger?: Logger;
  /** Events kept; the oldest are dropped beyond it. The events file is compacted above twice this. Default 10 000. */
  maxEvents?: number;
  /** Debounce of the file write after saveDecider/recordPublication. Default 500 ms. */
  flushDelayMs?: number;
  /**
   * New events reach the events file this long (ms) after the write that stored them (the journal holds
   * them meanwhile, and compaction and close() file them first). 0: in the write itself, after its
   * subscribers were notified. Default 250.
   */
  eventsFileDelayMs?: number;
  /** Overlay deltas kept for readDeltas. Default 1 000. */
  journalLimit?: number;
  /**
   * … and record entries across them (a reader behind them reads the whole overlay). Default 50 000: about
   * 45 failovers of 1,100 records, some 7 MB, where 1,000 of them held about 139 MB.
   */
  journalRecords?: number;
  /** The state journal is compacted into the state file past this many entries. Default 1 000. */
  journalCompactEntries?: number;
  /** … or past this many bytes (inflated). Default 64 MiB. */
  journalCompactBytes?: number;
  /** Journal entries longer than this are written deflated (state-journal.ts). Default 64 KiB. */
  journalCompressAbove?: number;
}

const OK: WriteOutcome = Object.freeze({ ok: true });
const DEFAULT_JOURNAL_RECORDS = 50_000;
const MAX_FLUSH_RETRY_MS = 30_000;

function requireCount(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
}

export class MemoryStateStore implements StateStore {
  private s: Snapshot;
  private readonly lock = new SerialQueue();
  private readonly listeners = new Set<{ fn: (u: OverlayUpdate) => void }>();
  private readonly journalLimit: number;
  private readonly journalRecords: number;
  private readonly logger: Logger;
  private readonly flushDelayMs: number;
  private flushTimer: NodeJS.Timeout | null = null;
  private eventsTimer: NodeJS.Timeout | null = null;
  private readonly eventsFileDelayMs: number;
  private flushRetryMs: number;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly file: string | null,
    private readonly persistence: StatePersistence | null,
    initial: Snapshot,
    opts: MemoryStateStoreOptions,
  ) {
    this.s = initial;
    this.logger = opts.logger ?? silentLogger;
    this.flushDelayMs = Math.max(0, opts.flushDelayMs ?? 500);
    this.flushRetryMs = this.flushDelayMs;
    this.eventsFileDelayMs = Math.max(0, opts.eventsFileDelayMs ?? 250);
    this.journalLimit = opts.journalLimit ?? DEFAULT_JOURNAL_LIMIT;
    if (!Number.isSafeInteger(this.journalLimit) || this.journalLimit < 1)
      throw new RangeError(
        `MemoryStateStore: journalLimit must be a positive integer, got ${this.journalLimit}`,
      );
    this.journalRecords = opts.journalRecords ?? DEFAULT_JOURNAL_RECORDS;
    if (!Number.isSafeInteger(this.journalRecords) || this.journalRecords < 1)
      throw new RangeError(
        `MemoryStateStore: journalRecords must be a positive integer, got ${this.journalRecords}`,
      );
  }

  /** Loads `file` when it exists (a corrupt file is a StateFileError, never an empty start). */
  static async open(opts: MemoryStateStoreOptions = {}): Promise<MemoryStateStore> {
    const file = opts.file ?? null;
    const maxEvents = opts.maxEvents ?? 10_000;
    if (!file) return new MemoryStateStore(null, null, emptySnapshot(maxEvents), opts);
    await ensureDirectory(file).catch((err: Error) => {
      throw new StateFileError(file, `cannot create its directory: ${err.message}`, { cause: err });
    });
    const logger = opts.logger ?? silentLogger;
    const eventsPath = eventsFileFor(file);
    const journalPath = journalFileFor(file);
    const [doc, events, journal] = await Promise.all([
      readStateFile(file),
      readEventsFile(eventsPath, logger),
      readJournal(journalPath, logger),
    ]);
    const mark = doc?.journal ?? 0;
    // Events of the journal's entries may be missing from the events file (appended unsynced before a crash).
    const journalEvents = journal.entries.flatMap((e) => e.events ?? []);
    const inFile = new Set(events.events.map((e) => e.seq));
    const incomplete = journalEvents.some((e) => !inFile.has(e.seq));
    const initial = replayJournal(
      fromDocuments(
        doc,
        journalEvents.length ? events.events.concat(journalEvents) : events.events,
        maxEvents,
      ),
      journal.entries,
      mark,
      journalPath,
    );
    const limits = {
      entries: opts.journalCompactEntries ?? 1_000,
      bytes: opts.journalCompactBytes ?? 64 * 1024 * 1024,
    };
    requireCount('journalCompactEntries', limits.entries);
    requireCount('journalCompactBytes', limits.bytes);
    const compressAbove = opts.journalCompressAbove ?? DEFAULT_COMPRESS_ABOVE;
    requireCount('journalCompressAbove', compressAbove);
    const eventsFile = new EventsFile(eventsPath, events, 2 * maxEvents);
    if (incomplete) eventsFile.markIncomplete();
    const persistence = new StatePersistence(
      file,
      eventsFile,
      new JournalFile(journalPath, journal, mark, limits, journal.clean, compressAbove),
      logger,
    );
    return new MemoryStateStore(file, persistence, initial, opts);
  }

  /** The fencing mark: the highest epoch seen or handed out. */
  get highestEpoch(): number {
    return this.s.epoch;
  }

  /** A fencing epoch above every one seen so far, persisted before it is returned (for MemoryLease). */
  nextEpoch(): Promise<number> {
    return this.write(async () => {
      const epoch = this.s.epoch + 1;
      await this.persistAndApply({ ...this.s, epoch }, { journal: true });
      return epoch;
    });
  }

  loadDecider(): Promise<DeciderState | null> {
    return this.read(() => (this.s.decider ? structuredClone(this.s.decider) : null));
  }

  saveDecider(patch: DeciderStatePatch, epoch: number): Promise<WriteOutcome> {
    return this.write(() => {
      const stale = this.fence(epoch);
      if (stale) return stale;
      const own = this.ownPatch(patch);
      const decider = applyOwnedPatch(this.s.decider, own);
      this.s = { ...this.s, epoch: Math.max(this.s.epoch, epoch), decider };
      this.persistence?.noteDecider(own);
      this.scheduleFlush();
      return OK;
    });
  }

  readOverlay(): Promise<ZoneOverlay | null> {
    return this.read(() => (this.s.overlay ? structuredClone(this.s.overlay) : null));
  }

  readDeltas(after: number): Promise<OverlayDelta[] | null> {
    return this.read(() => {
      if (this.s.overlay === null) return null;
      return deltasAfter(this.s.journal, after, this.s.serial);
    });
  }

  writeOverlay(u: OverlayUpdate): Promise<WriteOutcome> {
    return this.write(async () => {
      const epoch = updateEpoch(u);
      const stale = this.fence(epoch);
      if (stale) return stale;
      const verdict = judgeUpdate(this.s.overlay, this.s.serial, u, false);
      if (verdict !== 'apply') return verdict === 'skip' ? OK : verdict;
      const candidate = { ...this.s, epoch: Math.max(this.s.epoch, epoch) };
      await this.persistAndApply(candidate, { journal: true, update: u });
      return OK;
    });
  }

  subscribe(listener: (u: OverlayUpdate) => void): () => void {
    const entry = { fn: listener };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  appendEvents(events: DecisionEvent[], epoch: number): Promise<WriteOutcome> {
    return this.write(async () => {
      const refused = this.fence(epoch) ?? this.reused(events, epoch);
      if (refused) return refused;
      const batch = this.s.events.prepare(events, epoch);
      if (batch.events.length === 0 && epoch <= this.s.epoch) return OK;
      const candidate = { ...this.s, epoch: Math.max(this.s.epoch, epoch) };
      await this.persistAndApply(candidate, { journal: epoch > this.s.epoch, events: batch });
      return OK;
    });
  }

  /** Decider patch, overlay change and events in one durable write (both files before anything is current). */
  commit(c: Commit, epoch: number): Promise<WriteOutcome> {
    return this.write(async () => {
      const refused = this.fence(epoch);
      if (refused) return refused;
      let verdict: 'apply' | 'skip' | WriteOutcome = 'skip';
      if (c.zone) {
        if (updateEpoch(c.zone) !== epoch)
          throw new RangeError(
            `commit: overlay epoch ${updateEpoch(c.zone)} is not the commit epoch ${epoch}`,
          );
        verdict = judgeUpdate(this.s.overlay, this.s.serial, c.zone, true);
        if (verdict !== 'apply' && verdict !== 'skip') return verdict;
      }
      const reused = this.reused(c.events, epoch);
      if (reused) return reused;
      // Taken over, not copied (Commit.decider): the decider hands over takePatch's fresh copy, and a second
      // copy of 1,100 records' state was ~8 ms of every failover's decide stage (issue 11).
      const decider = this.checkedPatch(c.decider);
      const events = this.s.events.prepare(c.events, epoch);
      const candidate: Snapshot = { ...this.s, epoch: Math.max(this.s.epoch, epoch) };
      const change: Change = { journal: true, events, decider };
      if (c.zone && verdict === 'apply') change.update = c.zone;
      await this.persistAndApply(candidate, change);
      return OK;
    });
  }

  /** A copy of the caller's patch for the store to own (O(patch)); refused without a state to patch. */
  private ownPatch(p: DeciderStatePatch): DeciderStatePatch {
    return cloneData(this.checkedPatch(p));
  }

  /** `p`, refused when it is partial and there is no state to patch. */
  private checkedPatch(p: DeciderStatePatch): DeciderStatePatch {
    if (!p.full && !this.s.decider) throw new MissingDeciderBaseError('memory state store');
    return p;
  }

  readEvents(query: EventQuery): Promise<DecisionEvent[]> {
    return this.read(() => {
      requireCount('readEvents limit', query.limit);
      if (query.before !== undefined && Number.isNaN(query.before))
        throw new RangeError('readEvents before is NaN');
      return this.s.events.newestFirst(query.before, query.limit);
    });
  }

  recordPublication(p: Publication): Promise<void> {
    return this.write(() => {
      requireCount('publication serial', p.serial);
      const publications = new Map(this.s.publications).set(pubKey(p), { ...p });
      this.s = { ...this.s, publications };
      this.persistence?.notePublications();
      this.scheduleFlush();
    });
  }

  readPublications(): Promise<Publication[]> {
    return this.read(() => [...this.s.publications.values()].map((p) => ({ ...p })));
  }

  saveTargetStatus(status: TargetSyncStatus, epoch: number): Promise<WriteOutcome> {
    return this.write(() => {
      const stale = this.fence(epoch);
      if (stale) return stale;
      const targets = new Map(this.s.targets).set(status.target, structuredClone(status));
      this.s = { ...this.s, epoch: Math.max(this.s.epoch, epoch), targets };
      this.persistence?.noteTargets();
      this.scheduleFlush();
      return OK;
    });
  }

  readTargetStatuses(): Promise<TargetSyncStatus[]> {
    return this.read(() => [...this.s.targets.values()].map((t) => structuredClone(t)));
  }

  /**
   * Flushes pending writes, then refuses further calls. Idempotent: later calls return the first call's
   * promise. No timer is left behind, even when the final flush fails (the rejection reports it).
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    // The debounce timer is unref()ed, but a store that is closed should not have one pending at all.
    this.clearFlushTimer();
    if (this.eventsTimer) clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    this.closing = this.lock
      .push(() => this.finalWrite())
      .finally(() => {
        this.clearFlushTimer();
        this.listeners.clear();
      });
    return this.closing;
  }

  private fence(epoch: number): WriteOutcome | null {
    requireCount('epoch', epoch);
    return epoch < this.s.epoch ? { ok: false, reason: 'stale-epoch', storedEpoch: this.s.epoch } : null;
  }

  private reused(events: readonly DecisionEvent[], epoch: number): WriteOutcome | null {
    const storedSeq = this.s.events.reusedBy(events, epoch);
    return storedSeq === null ? null : { ok: false, reason: 'stale-seq', storedSeq };
  }

  private read<T>(get: () => T): Promise<T> {
    try {
      if (this.closing) throw new Error('MemoryStateStore is closed');
      return Promise.resolve(get());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private write<T>(section: () => Promise<T> | T): Promise<T> {
    if (this.closing) return Promise.reject(new Error('MemoryStateStore is closed'));
    return this.lock.push(section);
  }

  /**
   * Persists the change first (one journal entry, events included) and only then makes it current: the
   * events, overlay update and decider patch applied in place, subscribers notified. Then, off the
   * decision's path, the events file takes the new events and the journal is compacted when due.
   */
  private async persistAndApply(candidate: Snapshot, change: Change): Promise<void> {
    if (this.persistence) {
      try {
        await this.persistence.write(this.s, candidate, change);
      } catch (err) {
        throw this.writeFailed(err);
      }
      if (change.journal) this.clearFlushTimer();
    }
    let next = candidate;
    let notice: OverlayUpdate | null = null;
    if (change.update) {
      const applied = applyUpdate(
        this.s.overlay,
        this.s.journal,
        change.update,
        this.journalLimit,
        this.journalRecords,
      );
      next = {
        ...next,
        overlay: applied.overlay,
        serial: updateSerial(change.update),
        journal: applied.journal,
      };
      notice = applied.notice;
    }
    if (change.decider) next = { ...next, decider: applyOwnedPatch(this.s.decider, change.decider) };
    if (change.events) next.events.apply(change.events);
    this.s = next;
    if (notice) this.notify(notice);
    if (this.persistence && change.events) {
      this.persistence.noteEvents(change.events);
      if (this.eventsFileDelayMs === 0) await this.persistence.fileEvents(this.s.events);
      else this.scheduleEventsFile();
    }
    await this.persistence?.compactIfDue(this.s);
  }

  private notify(u: OverlayUpdate): void {
    const serial = updateSerial(u);
    for (const { fn } of [...this.listeners]) {
      try {
        const result: unknown = fn(u);
        if (result instanceof Promise) {
          result.catch((err: unknown) => this.logger.error({ err, serial }, 'overlay listener failed'));
        }
      } catch (err) {
        this.logger.error({ err, serial }, 'overlay listener failed');
      }
    }
  }

  private scheduleFlush(): void {
    if (!this.file || this.flushTimer || this.closing) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.lock
        .push(() => this.flushDirty())
        .then(
          () => {
            this.flushRetryMs = this.flushDelayMs;
          },
          (err: unknown) => {
            this.logger.error(
              { err, file: this.file, retryInMs: this.flushRetryMs },
              'state file write failed',
            );
            if (this.closing) return;
            this.flushRetryMs = Math.min(MAX_FLUSH_RETRY_MS, Math.max(100, this.flushRetryMs * 2));
            this.scheduleFlush();
          },
        );
    }, this.flushRetryMs);
    // A pending flush alone should not keep the process alive; close() is the flush that must happen.
    this.flushTimer.unref();
  }

  /**
   * The events file takes new events eventsFileDelayMs after a write, in the store's turn: not on the
   * decision's path, nor while the DNS workers apply it and their acknowledgements come back (serialising
   * a failover's 1,100 events is ~10 ms of the main thread). Not debounced: a steady stream of decisions
   * still files its events every eventsFileDelayMs.
   */
  private scheduleEventsFile(): void {
    if (this.eventsTimer || this.closing || !this.persistence?.hasUnfiled) return;
    this.eventsTimer = setTimeout(() => {
      this.eventsTimer = null;
      if (this.closing) return;
      this.lock
        .push(() => this.persistence?.fileEvents(this.s.events))
        .catch((err: unknown) => this.logger.error({ err, file: this.file }, 'events file write failed'));
    }, this.eventsFileDelayMs);
    this.eventsTimer.unref();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private async flushDirty(): Promise<void> {
    if (!this.persistence?.dirty) return;
    try {
      await this.persistence.write(this.s, this.s, { journal: true });
    } catch (err) {
      throw this.writeFailed(err);
    }
    await this.persistence.compactIfDue(this.s);
  }

  /** On close: the journal and pending writes compacted into the state file. */
  private async finalWrite(): Promise<void> {
    try {
      await this.persistence?.close(this.s);
    } catch (err) {
      throw this.writeFailed(err);
    }
  }

  private writeFailed(err: unknown): TransientError {
    const message = `state file ${this.file}: write failed: ${(err as Error).message}`;
    return new TransientError(message, undefined, { cause: err });
  }
}

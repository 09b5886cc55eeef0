/**
 * How the memory store makes its writes durable: one journal entry (state-journal.ts) with what changed since
 * the previous entry (the decider patch, the overlay update, the debounced parts still pending) and the new
 * events, appended and fsynced once. The events file gets the events later (noteEvents, then fileEvents
 * when the store's timer runs: serialised and appended unsynced, off the decision's path and after the DNS
 * workers had the time to apply and acknowledge it), and it is synced before compaction drops the journal. The
 * whole state file is written only when the journal is compacted, so a decision's cost follows its change,
 * not the state's size.
 */
import { mergeDeciderPatch, type DeciderStatePatch, type Logger, type OverlayUpdate } from '@understudy/core';
import { jsonOf, type EventBatch, type EventEntry, type EventLog } from './event-log.js';
import type { EventsFile } from './events-file.js';
import { serialize, type Snapshot } from './snapshot.js';
import { writeFileAtomic } from './state-file.js';
import type { JournalEntry, JournalFile } from './state-journal.js';

/** One write's change. */
export interface Change {
  /** Write a journal entry even with nothing else in it (false: only when there are events). */
  journal: boolean;
  /** The events to add (EventLog.prepare's batch). */
  events?: EventBatch;
  decider?: DeciderStatePatch;
  update?: OverlayUpdate;
}

export class StatePersistence {
  /** Changes already current in memory but in no journal entry yet (debounced writes). */
  private pending: { decider: DeciderStatePatch | null; publications: boolean; targets: boolean } = {
    decider: null,
    publications: false,
    targets: false,
  };
  /** This store appended to the journal: only then does close() compact (a reader never writes). */
  private wrote = false;
  /** Events current and in the journal but not yet in the events file (fileEvents), in order. */
  private unfiled: EventEntry[] = [];

  constructor(
    readonly file: string,
    private readonly eventsFile: EventsFile,
    private readonly journal: JournalFile,
    private readonly logger: Logger,
  ) {}

  get dirty(): boolean {
    return this.pending.decider !== null || this.pending.publications || this.pending.targets;
  }

  noteDecider(p: DeciderStatePatch): void {
    this.pending.decider = this.pending.decider ? mergeDeciderPatch(this.pending.decider, p) : p;
  }

  notePublications(): void {
    this.pending.publications = true;
  }

  noteTargets(): void {
    this.pending.targets = true;
  }

  /**
   * Persists `change` on top of `current` (`candidate` is the state after it, for its epoch and lists).
   * Throws when a file write fails; then nothing pending is forgotten.
   */
  async write(current: Snapshot, candidate: Snapshot, change: Change): Promise<void> {
    const events = change.events?.events ?? [];
    if (!change.journal && events.length === 0) return;
    // Never append after a torn fragment: the whole current state first (throwing when it cannot).
    if (!this.journal.clean) await this.rewrite(current);
    const { decider, publications, targets } = this.pending;
    const merged =
      decider && change.decider ? mergeDeciderPatch(decider, change.decider) : (change.decider ?? decider);
    const entry: Omit<JournalEntry, 'n'> = { epoch: candidate.epoch };
    if (merged) entry.decider = merged;
    if (change.update) entry.update = change.update;
    if (publications) entry.publications = [...candidate.publications.values()];
    if (targets) entry.targets = [...candidate.targets.values()];
    await this.journal.append(entry, events);
    this.wrote = true;
    this.clearPending();
  }

  /** After a write became current: its new events are for the events file (fileEvents). */
  noteEvents(batch: EventBatch | undefined): void {
    if (batch?.entries.length) for (const e of batch.entries) this.unfiled.push(e);
  }

  /** Events wait for fileEvents. */
  get hasUnfiled(): boolean {
    return this.unfiled.length > 0;
  }

  /**
   * The events file takes the events noted since the last call (serialised now). Never fails: the journal
   * holds them, and a failure leaves the file to be rewritten.
   */
  async fileEvents(log: EventLog): Promise<void> {
    if (!this.unfiled.length) return;
    const entries = this.unfiled;
    this.unfiled = [];
    try {
      await this.eventsFile.append(log, entries.map(jsonOf));
    } catch (err) {
      this.logger.error(
        { err, file: this.eventsFile.path },
        'events file append failed; the journal keeps them',
      );
    }
  }

  /** After a write became current: compacts when the journal outgrew its limits (a failure waits for the next). */
  async compactIfDue(s: Snapshot): Promise<void> {
    if (this.journal.needsCompaction) await this.compact(s);
  }

  /** The whole state file (with everything pending), then an empty journal; a failure waits for the next write. */
  private async compact(s: Snapshot): Promise<void> {
    try {
      await this.rewrite(s);
    } catch (err) {
      // Every entry is still in the journal (or skipped on replay by the state file's mark): nothing is lost.
      this.logger.error({ err, file: this.file }, 'state file compaction failed; the journal keeps growing');
    }
  }

  private async rewrite(s: Snapshot): Promise<void> {
    // The journal is the only durable copy of recent events until the events file has them and is synced.
    await this.fileEvents(s.events);
    await this.eventsFile.sync(s.events);
    await writeFileAtomic(this.file, serialize(s, this.journal.lastN));
    this.clearPending();
    await this.journal.remove();
  }

  /**
   * Closing: everything into the state file, so it stands alone. When that fails, the journal still holds
   * every durable write: only pending (debounced) changes that reach neither file make this throw. A store
   * that wrote nothing (understudy status reading the file of a running instance) leaves both files alone.
   */
  async close(s: Snapshot): Promise<void> {
    if (!this.dirty && (!this.wrote || this.journal.empty)) return;
    try {
      await this.rewrite(s);
    } catch (err) {
      this.logger.warn({ err, file: this.file }, 'state file compaction on close failed; the journal stays');
      if (this.dirty) await this.write(s, s, { journal: true });
    }
  }

  private clearPending(): void {
    this.pending = { decider: null, publications: false, targets: false };
  }
}

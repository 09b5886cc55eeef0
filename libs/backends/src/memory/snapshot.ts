/**
 * The store's state as one immutable value, and its file form. Writes build a candidate Snapshot, persist it,
 * then swap it in, so a failed write leaves the current one untouched.
 */
import {
  applyDeciderPatch,
  overlayUpdateProblem,
  updateSerial,
  type DeciderState,
  type DeciderStatePatch,
  type DecisionEvent,
  type OverlayDelta,
  type Publication,
  type TargetSyncStatus,
  type ZoneOverlay,
} from '@understudy/core';
import { EventLog } from './event-log.js';
import { applyUpdate, judgeUpdate } from './overlay-apply.js';
import type { StateDocument } from './state-file.js';
import { STATE_FILE_FORMAT, STATE_FILE_VERSION, StateFileError } from './state-file.js';
import type { JournalEntry } from './state-journal.js';

export interface Snapshot {
  epoch: number;
  /**
   * Owned by the store: a patch is applied in place (O(patch)) once it is durable. Patches never change the
   * check and record objects they brought, only replace them, so entries may be shared with journal entries.
   */
  decider: DeciderState | null;
  /**
   * The stored overlay. Owned by the store and changed in place by a delta (O(delta)); readers get copies.
   * Null before the first one, and after loading a file of the previous format (a whole zone state).
   */
  overlay: ZoneOverlay | null;
  /** The stored serial: the overlay's, or a previous-format zone state's (the decider writes a full overlay). */
  serial: number;
  /** The newest deltas, oldest first, bounded; in memory only (after a restart readers read the overlay). */
  journal: readonly OverlayDelta[];
  events: EventLog;
  publications: ReadonlyMap<string, Publication>;
  targets: ReadonlyMap<string, TargetSyncStatus>;
}

export function pubKey(p: Publication): string {
  return `${p.target}\u0000${p.instance}`;
}

export function emptySnapshot(maxEvents: number): Snapshot {
  return {
    epoch: 0,
    decider: null,
    overlay: null,
    serial: 0,
    journal: [],
    events: EventLog.empty(maxEvents),
    publications: new Map(),
    targets: new Map(),
  };
}

export function fromDocuments(
  doc: StateDocument | null,
  events: readonly DecisionEvent[],
  maxEvents: number,
): Snapshot {
  const log = EventLog.load(maxEvents, events);
  if (!doc) return { ...emptySnapshot(maxEvents), events: log };
  const overlay = doc.overlay ?? null;
  // A file of the previous format holds a whole zone state: its serial still fences, its content is rebuilt.
  const serial = Math.max(overlay?.serial ?? 0, doc.serial ?? 0, doc.zone?.serial ?? 0);
  return {
    epoch: Math.max(doc.epoch, overlay?.epoch ?? 0, doc.zone?.epoch ?? 0),
    decider: doc.decider,
    overlay,
    serial,
    journal: [],
    events: log,
    publications: new Map(doc.publications.map((p) => [pubKey(p), p])),
    targets: new Map((doc.targets ?? []).map((t) => [t.target, t])),
  };
}

/** The whole state file; `journal` is the last journal entry it includes. */
export function serialize(s: Snapshot, journal: number): string {
  const pubs = JSON.stringify([...s.publications.values()]);
  const targets = JSON.stringify([...s.targets.values()]);
  return (
    `{"format":"${STATE_FILE_FORMAT}","version":${STATE_FILE_VERSION},"epoch":${s.epoch},` +
    `"decider":${JSON.stringify(s.decider)},"zone":null,"serial":${s.serial},"overlay":${JSON.stringify(s.overlay)},` +
    `"publications":${pubs},"targets":${targets},"journal":${journal}}`
  );
}

/**
 * Takes over a patch (one the store owns) into `base` in place. A full one gets fresh maps, so later partial
 * patches applied in place never reach into the patch itself (a pending journal entry may still hold it).
 */
export function applyOwnedPatch(base: DeciderState | null, p: DeciderStatePatch): DeciderState {
  if (p.full) return { ...p.top, checks: { ...p.checks }, records: { ...p.records } };
  return applyDeciderPatch(base, p);
}

/** The state file's snapshot with the journal's entries after its mark applied, in order (opening a store). */
export function replayJournal(
  s: Snapshot,
  entries: readonly JournalEntry[],
  mark: number,
  file: string,
): Snapshot {
  let next = s;
  for (const e of entries) {
    if (e.n <= mark) continue;
    next = { ...next, epoch: Math.max(next.epoch, e.epoch) };
    if (e.decider) next.decider = applyOwnedPatch(next.decider, e.decider);
    if (e.update) {
      const problem = overlayUpdateProblem(e.update);
      if (problem) throw new StateFileError(file, `journal entry ${e.n}: ${problem}`);
      if (judgeUpdate(next.overlay, next.serial, e.update, true) === 'apply') {
        const applied = applyUpdate(next.overlay, [], e.update, 1);
        next = { ...next, overlay: applied.overlay, serial: updateSerial(e.update) };
      }
    }
    if (e.publications) next.publications = new Map(e.publications.map((p) => [pubKey(p), p]));
    if (e.targets) next.targets = new Map(e.targets.map((t) => [t.target, t]));
  }
  return next;
}

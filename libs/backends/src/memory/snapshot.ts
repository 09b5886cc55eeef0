/**
 * The store's state as one immutable value, and its file form. Writes build a candidate Snapshot, persist it,
 * then swap it in, so a failed write leaves the current one untouched.
 */
import type {
  DecisionEvent,
  OverlayDelta,
  Publication,
  TargetSyncStatus,
  ZoneOverlay,
} from '@understudy/core';
import { EventLog } from './event-log.js';
import type { StateDocument } from './state-file.js';
import { STATE_FILE_FORMAT, STATE_FILE_VERSION } from './state-file.js';

export interface Snapshot {
  epoch: number;
  deciderJson: string | null;
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
    deciderJson: null,
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
    deciderJson: doc.decider ? JSON.stringify(doc.decider) : null,
    overlay,
    serial,
    journal: [],
    events: log,
    publications: new Map(doc.publications.map((p) => [pubKey(p), p])),
    targets: new Map((doc.targets ?? []).map((t) => [t.target, t])),
  };
}

export function serialize(s: Snapshot): string {
  const pubs = JSON.stringify([...s.publications.values()]);
  const targets = JSON.stringify([...s.targets.values()]);
  return (
    `{"format":"${STATE_FILE_FORMAT}","version":${STATE_FILE_VERSION},"epoch":${s.epoch},` +
    `"decider":${s.deciderJson ?? 'null'},"zone":null,"serial":${s.serial},"overlay":${JSON.stringify(s.overlay)},` +
    `"publications":${pubs},"targets":${targets}}`
  );
}

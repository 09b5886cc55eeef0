/**
 * The store's state as one immutable value, and its file form. Writes build a candidate Snapshot, persist it,
 * then swap it in, so a failed write leaves the current one untouched.
 */
import type { DecisionEvent, Publication, TargetSyncStatus, ZoneState } from '@understudy/core';
import { deepFreeze } from '@understudy/core';
import { EventLog } from './event-log.js';
import type { StateDocument } from './state-file.js';
import { STATE_FILE_FORMAT, STATE_FILE_VERSION } from './state-file.js';

export interface Snapshot {
  epoch: number;
  deciderJson: string | null;
  zone: ZoneState | null;
  zoneJson: string;
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
    zone: null,
    zoneJson: 'null',
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
  const zone = doc.zone ? deepFreeze(doc.zone) : null;
  return {
    epoch: Math.max(doc.epoch, zone?.epoch ?? 0),
    deciderJson: doc.decider ? JSON.stringify(doc.decider) : null,
    zone,
    zoneJson: JSON.stringify(zone),
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
    `"decider":${s.deciderJson ?? 'null'},"zone":${s.zoneJson},"publications":${pubs},"targets":${targets}}`
  );
}

/**
 * A plan → ChangeResourceRecordSets batches. Each planned change and its marker change form one group
 * that never straddles two batches, so a record is never left without its marker (or the reverse).
 * Limits per batch: 1,000 ResourceRecord elements and 32,000 value characters, UPSERT counted twice.
 */
import type { Change } from '@aws-sdk/client-route-53';
import type { Plan, PlanChange, ProviderRecord } from '@understudy/core';
import { batchChanges, changeRecord, planChanges, recordKey } from '@understudy/core';
import { MARKER_TTL, markerName, markerValue } from './marker.js';
import type { WireRecord } from './records.js';
import { toWire } from './records.js';

export const MAX_BATCH_ELEMENTS = 1000;
export const MAX_BATCH_CHARS = 32_000;

/** What the last read saw in the zone, so DELETEs repeat the exact values Route 53 holds. */
export interface ZoneSnapshot {
  /** Records by `name/type`, as listed. */
  records: Map<string, WireRecord>;
  /** Marker RRsets by the managed record's `name/type`, with the owner each names. */
  markers: Map<string, { wire: WireRecord; owner: string }>;
  /** Routing-policy and alias sets by `name/type`, each exactly as listed (a name/type can hold many). */
  special: Map<string, WireRecord[]>;
}

export interface ChangeGroup {
  change: PlanChange;
  changes: Change[];
}

const weight = (changes: Change[], unit: (c: Change) => number): number =>
  changes.reduce((n, c) => n + (c.Action === 'UPSERT' ? 2 : 1) * unit(c), 0);
const elements = (c: Change): number => c.ResourceRecordSet?.ResourceRecords?.length ?? 0;
const chars = (c: Change): number =>
  (c.ResourceRecordSet?.ResourceRecords ?? []).reduce((n, r) => n + (r.Value?.length ?? 0), 0);

export function groupWeight(g: ChangeGroup): { elements: number; chars: number } {
  return { elements: weight(g.changes, elements), chars: weight(g.changes, chars) };
}

function wireOf(r: ProviderRecord): WireRecord {
  return { name: r.name, type: r.type, ttl: r.ttl, values: r.values };
}

function ourMarker(r: ProviderRecord, ownerId: string): WireRecord {
  return {
    name: markerName(r.name, r.type),
    type: 'TXT',
    ttl: MARKER_TTL,
    values: [markerValue(ownerId, r.type)],
  };
}

/** The marker change that makes `r` ours: none when we already own it, UPSERT over another owner's. */
function claim(r: ProviderRecord, ownerId: string, snap: ZoneSnapshot): Change[] {
  const existing = snap.markers.get(recordKey(r));
  if (existing?.owner === ownerId) return [];
  return [{ Action: existing ? 'UPSERT' : 'CREATE', ResourceRecordSet: toWire(ourMarker(r, ownerId)) }];
}

/** The marker RRsets a plan's creates and updates would write (none for records we already own). */
export function markerClaims(
  plan: Plan,
  ownerId: string,
  snap: ZoneSnapshot,
): { record: ProviderRecord; marker: WireRecord }[] {
  return [...plan.creates, ...plan.updates.map((u) => u.after)].flatMap((r) =>
    claim(r, ownerId, snap).length ? [{ record: r, marker: ourMarker(r, ownerId) }] : [],
  );
}

export function groupsFor(plan: Plan, ownerId: string, snap: ZoneSnapshot): ChangeGroup[] {
  return planChanges(plan).map((change): ChangeGroup => {
    const r = changeRecord(change);
    const key = recordKey(r);
    if (change.kind === 'delete') {
      const marker = snap.markers.get(key)?.wire ?? ourMarker(r, ownerId);
      const held = snap.records.get(key) ?? wireOf(r);
      return {
        change,
        changes: [
          { Action: 'DELETE', ResourceRecordSet: toWire(held) },
          { Action: 'DELETE', ResourceRecordSet: toWire(marker) },
        ],
      };
    }
    const sets = snap.special.get(key) ?? [];
    if (sets.length > 0) {
      // A plain record cannot share its name and type with routing-policy or alias sets: a takeover
      // deletes each of them exactly, in the same (atomic) batch as the record that replaces them.
      return {
        change,
        changes: [
          ...sets.map((w): Change => ({ Action: 'DELETE', ResourceRecordSet: toWire(w) })),
          { Action: 'CREATE', ResourceRecordSet: toWire(wireOf(r)) },
          ...claim(r, ownerId, snap),
        ],
      };
    }
    const action = change.kind === 'create' ? 'CREATE' : 'UPSERT';
    return {
      change,
      changes: [{ Action: action, ResourceRecordSet: toWire(wireOf(r)) }, ...claim(r, ownerId, snap)],
    };
  });
}

export function batchGroups(groups: readonly ChangeGroup[]): ChangeGroup[][] {
  return batchChanges(groups, [
    { max: MAX_BATCH_ELEMENTS, weight: (g) => groupWeight(g).elements },
    { max: MAX_BATCH_CHARS, weight: (g) => groupWeight(g).chars },
  ]);
}

/** Keeps the snapshot true after a batch was accepted, for the next apply without a fresh read. */
export function recordApplied(snap: ZoneSnapshot, batch: readonly ChangeGroup[], ownerId: string): void {
  for (const g of batch) {
    const r = changeRecord(g.change);
    const key = recordKey(r);
    snap.special.delete(key);
    if (g.change.kind === 'delete') {
      snap.records.delete(key);
      snap.markers.delete(key);
    } else {
      snap.records.set(key, wireOf(r));
      snap.markers.set(key, { wire: ourMarker(r, ownerId), owner: ownerId });
    }
  }
}

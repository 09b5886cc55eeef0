/** Issue 14: a change of a tier's served addresses, and the adaptive TTL of a degraded record. */
import type { FailoverRecordConfig } from './config-types.js';
import type { Evidence } from './events.js';
import type { Operation } from './operation.js';
import { activeLabel, type AnswerHealth, type Selection } from './selection.js';
import type { DeciderState, RecordState } from './state-types.js';

// --- issue 14: health per address and adaptive TTL (i14addr) ---
/**
 * The active tier serves another subset of its addresses: a change of values (published like a switch)
 * but not a flip, so it neither feeds flap damping nor pages as a failover. One event per change.
 */
export function applyAddressChange(
  rec: FailoverRecordConfig,
  rs: RecordState,
  sel: Selection,
  evidence: Evidence,
  op: Operation,
): void {
  const before = rs.values;
  const after = sel.next.values;
  const removed = before.filter((v) => !after.includes(v));
  const added = after.filter((v) => !before.includes(v));
  captureDrain(rs);
  rs.values = [...after];
  rs.switchedAt = op.now;
  rs.switchedSerial = null;
  rs.publishedAt = {};
  rs.effectiveBy = {};
  op.switched.add(rec.id);
  const parts = [
    removed.length ? `dropped ${removed.join(', ')}` : '',
    added.length ? `added ${added.join(', ')}` : '',
  ].filter(Boolean);
  op.emit({
    type: 'addresses-changed',
    severity: removed.length ? 'warning' : 'info',
    record: rec.id,
    from: activeLabel(rs.active),
    to: activeLabel(rs.active),
    message: `Record ${rec.id}: ${activeLabel(rs.active)} ${parts.join(', ') || 'reordered'}; serving ${rs.values.join(', ') || 'no data'}`,
    evidence: {
      ...evidence,
      kind: 'addresses',
      timing: { ttl: rs.ttl ?? rec.ttl, switchedAt: op.now, expectedEffectiveBy: op.now + rec.ttl * 1000 },
    },
  });
}

/** Remembers, at a change of values, the shorter TTL the old answer was served with (for effectiveBy). */
export function captureDrain(rs: RecordState): void {
  const ttl = rs.ttl ?? null;
  if (ttl !== null || rs.drainFrom) rs.drainFrom = ttl === null ? null : { ttl, since: rs.ttlSince ?? 0 };
}

/**
 * When every cache has the new answer, published at `at`: after the TTL the old answer was served with.
 * Caches that fetched it before the degraded TTL started hold it up to the configured TTL from then.
 */
export function drainedBy(rec: FailoverRecordConfig, rs: RecordState, at: number): number {
  const full = at + rec.ttl * 1000;
  const d = rs.drainFrom;
  if (!d) return full;
  return Math.min(full, Math.max(at + d.ttl * 1000, d.since + rec.ttl * 1000));
}

/** Degraded: the active tier is up but some of its addresses, or some regions of its checks, fail. */
function isDegraded(
  st: DeciderState,
  rec: FailoverRecordConfig,
  rs: RecordState,
  health: AnswerHealth[],
): boolean {
  if (rs.allDown || rs.active.kind !== 'answer') return false;
  const i = rec.answers.findIndex((a) => a.name === activeLabel(rs.active));
  const a = rec.answers[i];
  if (!a || health[i]?.degraded) return Boolean(a);
  const ids =
    a.check !== null ? [a.check] : (a.addresses ?? []).flatMap((ad) => (ad.check ? [ad.check] : []));
  return ids.some((id) => Object.values(st.checks[id]?.regions ?? {}).some((r) => r.state === 'down'));
}

/** A TTL change is published like a change of values (the delta carries the record and its TTL). */
export function updateTtl(
  st: DeciderState,
  rec: FailoverRecordConfig,
  rs: RecordState,
  health: AnswerHealth[],
  op: Operation,
): void {
  const degraded = isDegraded(st, rec, rs, health);
  if (degraded !== (rs.degraded ?? false)) {
    rs.degraded = degraded;
    op.touch();
  }
  const ttl = degraded && (rec.degradedTtl ?? null) !== null ? rec.degradedTtl : null;
  if (ttl === (rs.ttl ?? null)) return;
  rs.ttl = ttl;
  rs.ttlSince = ttl === null ? null : op.now;
  op.switched.add(rec.id);
  op.touch();
}
// --- end issue 14 ---

/** Fresh decider state, and reconciliation of persisted state with the current config. */
import { capValues } from './address-health.js';
import type { FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import type { CheckState, DeciderState, RecordState } from './state-types.js';

export function newRecordState(rec: FailoverRecordConfig): RecordState {
  const primary = rec.answers[0]!;
  return {
    active: { kind: 'answer', name: primary.name },
    allDown: false,
    values: capValues(rec, primary, primary.values),
    switchedAt: null,
    switchedSerial: null,
    publishedAt: {},
    effectiveBy: {},
    flips: [],
    damped: false,
    healthySince: Object.fromEntries(rec.answers.map((a) => [a.name, null])),
    pendingFailback: null,
    failbackApproved: false,
  };
}

export function newCheckState(): CheckState {
  return { regions: {}, verdict: 'unknown', verdictChangedAt: null, insufficient: false };
}

export function emptyState(): DeciderState {
  return {
    version: 1,
    serial: 0,
    eventSeq: 0,
    checks: {},
    records: {},
    overrides: {},
    guard: { holding: false, since: null, released: false },
    regions: {},
  };
}

export function allFailoverRecords(config: UnderstudyConfig): FailoverRecordConfig[] {
  return config.zones.flatMap((z) => z.failover);
}

/** The values an active answer serves under this config, or null when it no longer exists. */
function valuesFor(rec: FailoverRecordConfig, st: RecordState): string[] | null {
  const a = st.active;
  if (a.kind === 'none') return rec.whenAllDown.mode === 'none' ? [] : null;
  if (a.kind === 'fallback') {
    return rec.whenAllDown.mode === 'fallback' && rec.whenAllDown.name === a.name
      ? rec.whenAllDown.values
      : null;
  }
  const answer = rec.answers.find((x) => x.name === a.name);
  if (!answer) return null;
  // Issue 14: a tier serving a subset of its addresses keeps that subset across a restart (no flap).
  const kept = answer.addresses ? st.values.filter((v) => answer.values.includes(v)) : [];
  return kept.length > 0 ? kept : capValues(rec, answer, answer.values);
}

/**
 * Keeps what still fits the config (so a restart neither forgets nor flaps) and drops the rest.
 * Served values follow the config's current values for the active answer.
 */
export function reconcileState(config: UnderstudyConfig, persisted: DeciderState | null): DeciderState {
  const base = persisted ? structuredClone(persisted) : emptyState();
  const next = emptyState();
  next.serial = base.serial;
  next.eventSeq = base.eventSeq;
  next.guard = base.guard;

  for (const check of config.checks) {
    const prev = base.checks[check.id];
    const cs = prev ?? newCheckState();
    // A composite has no regions of its own (issue 14): it keeps only its verdict.
    const regions = check.type === 'composite' ? [] : check.regions;
    cs.regions = Object.fromEntries(Object.entries(cs.regions).filter(([r]) => regions.includes(r)));
    next.checks[check.id] = cs;
  }
  for (const rec of allFailoverRecords(config)) {
    const ov = base.overrides[rec.id];
    if (ov) {
      const kept = Object.entries(ov).filter(([name]) => rec.answers.some((a) => a.name === name));
      if (kept.length) next.overrides[rec.id] = Object.fromEntries(kept);
    }
    const prev = base.records[rec.id];
    const values = prev ? valuesFor(rec, prev) : null;
    if (!prev || values === null) {
      next.records[rec.id] = newRecordState(rec);
      continue;
    }
    prev.values = [...values];
    prev.healthySince = Object.fromEntries(
      rec.answers.map((a) => [a.name, prev.healthySince[a.name] ?? null]),
    );
    reconcileSteered(rec, prev);
    next.records[rec.id] = prev;
  }
  for (const region of config.regions) {
    next.regions[region] = base.regions[region] ?? { lastSeenAt: null, stale: false };
  }
  next.probes = Object.fromEntries(
    Object.entries(base.probes ?? {}).filter(([, p]) => config.regions.includes(p.region)),
  );
  return next;
}

// --- issue 14 part 3: steering by client location ---
/**
 * A rule's kept values stand until the first evaluation re-judges them (every record is evaluated at the
 * first operation), while the rules still line up with the stored ones; otherwise they are dropped and
 * judged anew (steering.ts: a first judgment raises no event). A record no longer steered drops them.
 */
function reconcileSteered(rec: FailoverRecordConfig, rs: RecordState): void {
  const rules = rec.steering?.rules ?? [];
  if (
    rs.steered &&
    (rs.steered.length !== rules.length ||
      rs.steered.some((r, i) => r.answer !== null && !rules[i]!.order.includes(r.answer)))
  )
    delete rs.steered;
}
// --- end issue 14 part 3 ---

/**
 * Reload (issue 13): the decider state carried over from one config to the next, as a diff.
 *
 * What is kept and what resets (documented in docs/production.md, "What a reload keeps"):
 * - A check whose definition is unchanged keeps everything: per-region hysteresis, verdict, last results.
 * - A check where only how results are judged changed (fall, rise, quorum, regions) keeps its verdict and
 *   counters: the facts behind them are still about the same origin, and the new thresholds apply from the
 *   next result on. Regions that left the check lose their votes.
 * - A check where what is probed changed (type, target, path, expectations, timeout, interval, ...) restarts
 *   at unknown: the old verdict is about something that is no longer probed.
 * - New checks start unknown; removed checks lose their state.
 * - Records keep their state (active answer, failback hold, damping history) while their active answer
 *   still exists; served values follow the config. A new record starts as at boot; a removed one goes.
 */
import type { CheckConfig, FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import { allFailoverRecords, newCheckState, reconcileState } from './state-init.js';
import type { DeciderState } from './state-types.js';

/** What a reload did to the checks and records, by id (for the log, the event and the tests). */
export interface ReconfigureReport {
  checks: { added: string[]; removed: string[]; reset: string[]; rejudged: string[]; kept: string[] };
  records: { added: string[]; removed: string[]; changed: string[]; kept: string[] };
}

/** The fields of a check that say how its results are judged, not what is probed. */
const JUDGING_FIELDS = new Set(['fall', 'rise', 'quorum', 'regions']);

/** Deep equality of plain JSON values (configs are plain data: no dates, maps or cycles). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson((a as Record<string, unknown>)[k], rb[k]));
}

/**
 * Did what is probed change? Every field but the judging ones counts, so a check kind added later (issue 14)
 * is covered without being listed here.
 */
export function probingChanged(before: CheckConfig, after: CheckConfig): boolean {
  const probed = (c: CheckConfig) =>
    Object.fromEntries(Object.entries(c).filter(([k]) => !JUDGING_FIELDS.has(k)));
  return !sameJson(probed(before), probed(after));
}

function byId<T extends { id: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((x) => [x.id, x]));
}

/**
 * The state `state` (kept under `before`) becomes under `after`, and what changed. Pure; O(state), which a
 * reload may cost (it is rare and rebuilds the engine anyway). `state` is not modified.
 */
export function reconfigureState(
  before: UnderstudyConfig,
  after: UnderstudyConfig,
  state: DeciderState,
): { state: DeciderState; report: ReconfigureReport } {
  const next = structuredClone(state);
  const report: ReconfigureReport = {
    checks: { added: [], removed: [], reset: [], rejudged: [], kept: [] },
    records: { added: [], removed: [], changed: [], kept: [] },
  };
  const oldChecks = byId(before.checks);
  const newChecks = byId(after.checks);
  for (const check of after.checks) {
    const prev = oldChecks.get(check.id);
    if (!prev) {
      report.checks.added.push(check.id);
      next.checks[check.id] = newCheckState();
    } else if (probingChanged(prev, check)) {
      report.checks.reset.push(check.id);
      next.checks[check.id] = newCheckState();
    } else if (!sameJson(prev, check)) report.checks.rejudged.push(check.id);
    else report.checks.kept.push(check.id);
  }
  for (const id of oldChecks.keys()) if (!newChecks.has(id)) report.checks.removed.push(id);

  const oldRecords = byId(allFailoverRecords(before));
  const newRecords = byId(allFailoverRecords(after));
  for (const rec of newRecords.values()) {
    const prev = oldRecords.get(rec.id);
    if (!prev) {
      report.records.added.push(rec.id);
      // A record id that was in the state but not the old config (a stale leftover) must not be resumed.
      delete next.records[rec.id];
      delete next.overrides[rec.id];
      continue;
    }
    if (sameJson(prev, rec)) report.records.kept.push(rec.id);
    else {
      report.records.changed.push(rec.id);
      dropVanishedAnswers(rec, next);
    }
  }
  for (const id of oldRecords.keys()) if (!newRecords.has(id)) report.records.removed.push(id);
  return { state: reconcileState(after, next), report };
}

/** A pending failback to an answer the record no longer has is dropped (the next pass plans anew). */
function dropVanishedAnswers(rec: FailoverRecordConfig, st: DeciderState): void {
  const rs = st.records[rec.id];
  if (!rs) return;
  const names = new Set(rec.answers.map((a) => a.name));
  if (rs.pendingFailback && !names.has(rs.pendingFailback.to)) {
    rs.pendingFailback = null;
    rs.failbackApproved = false;
  }
}

/** Re-evaluates one failover record: eligibility, damping, failback hold, switch, and the events for each. */
import type { CheckConfig, FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import { addressHealth, tierHealth } from './address-health.js';
import { compositeEvidence } from './composite.js';
import type { CheckEvidence, Evidence } from './events.js';
import { deepFreeze } from './freeze.js';
import { countsAsFlip, dampingResumesAt } from './flap-damping.js';
import { applyAddressChange, captureDrain, updateTtl } from './record-eval-addresses.js';
import type { Operation } from './operation.js';
import {
  activeLabel,
  selectAnswer,
  type AnswerHealth,
  type Selection,
  type SwitchKind,
} from './selection.js';
import type { DeciderState, RecordState } from './state-types.js';
import { checkEvidence, computeVerdict, type VerdictContext } from './verdict.js';

export interface RecordEvalDeps {
  config: UnderstudyConfig;
  st: DeciderState;
  checksById: ReadonlyMap<string, CheckConfig>;
  verdictContext(now: number): VerdictContext;
}

/** Every check a record's answers use: the tier checks and the per-address ones (issue 14). */
export function recordCheckIds(rec: FailoverRecordConfig): string[] {
  const ids = new Set<string>();
  for (const a of rec.answers) {
    if (a.check !== null) ids.add(a.check);
    for (const ad of a.addresses ?? []) if (ad.check !== null) ids.add(ad.check);
  }
  return [...ids];
}

export function answerHealth(st: DeciderState, rec: FailoverRecordConfig): AnswerHealth[] {
  const overrides = st.overrides[rec.id];
  return rec.answers.map((a): AnswerHealth => {
    const ov = overrides?.[a.name];
    if (ov === 'up') return { name: a.name, eligible: true, confirmed: true, reason: 'override-up' };
    if (ov === 'down') return { name: a.name, eligible: false, confirmed: false, reason: 'override-down' };
    if (a.addresses) {
      // Issue 14: the tier is as healthy as minHealthy of its addresses; it serves the eligible ones.
      const t = tierHealth(
        rec,
        a,
        a.addresses.map((ad) =>
          addressHealth(ad.value, ad.check, ad.check ? st.checks[ad.check] : undefined),
        ),
      );
      const reason = !t.eligible ? 'check-down' : t.confirmed ? 'check-up' : 'check-unknown';
      return { name: a.name, reason, ...t };
    }
    if (a.check === null) return { name: a.name, eligible: true, confirmed: true, reason: 'no-check' };
    const cs = st.checks[a.check];
    const verdict = cs?.verdict ?? 'unknown';
    if (verdict === 'down') return { name: a.name, eligible: false, confirmed: false, reason: 'check-down' };
    if (verdict === 'unknown')
      return { name: a.name, eligible: true, confirmed: false, reason: 'check-unknown' };
    // An up verdict held only because too few regions are fresh is not evidence enough to move traffic to.
    return { name: a.name, eligible: true, confirmed: !cs!.insufficient, reason: 'check-up' };
  });
}

function recordEvidence(
  deps: RecordEvalDeps,
  rec: FailoverRecordConfig,
  op: Operation,
  health: AnswerHealth[],
): Evidence {
  const checks: CheckEvidence[] = [];
  for (const id of recordCheckIds(rec)) {
    let evidence = op.checkEvidence.get(id);
    if (!evidence) {
      evidence = deepFreeze(checkEvidenceNow(deps, id, op.now));
      op.checkEvidence.set(id, evidence);
    }
    checks.push(evidence);
  }
  return { checks, answers: health };
}

function checkEvidenceNow(deps: RecordEvalDeps, id: string, now: number): CheckEvidence {
  const check = deps.checksById.get(id)!;
  const cs = deps.st.checks[id]!;
  if (check.type === 'composite')
    return compositeEvidence(check, cs.verdict, (c) => deps.st.checks[c]?.verdict ?? 'unknown');
  const ctx = deps.verdictContext(now);
  return checkEvidence(check, cs, computeVerdict(check, cs, ctx), ctx);
}

function detectBudget(
  deps: RecordEvalDeps,
  rec: FailoverRecordConfig,
  answerName: string,
): number | undefined {
  const answer = rec.answers.find((a) => a.name === answerName);
  const checkId = answer?.check ?? answer?.addresses?.find((ad) => ad.check !== null)?.check;
  return checkId ? checkBudget(deps.checksById, checkId, new Set()) : undefined;
}

/** A composite moves as soon as its slowest child can: the largest budget among its children. */
function checkBudget(
  byId: ReadonlyMap<string, CheckConfig>,
  id: string,
  seen: Set<string>,
): number | undefined {
  const check = byId.get(id);
  if (!check || seen.has(id)) return undefined;
  if (check.type !== 'composite') return check.interval * check.fall + check.timeout;
  seen.add(id);
  const budgets = check.children.map((c) => checkBudget(byId, c, seen) ?? 0);
  return budgets.length ? Math.max(...budgets) : undefined;
}

const SEVERITY: Record<SwitchKind, 'critical' | 'warning' | 'info'> = {
  failover: 'critical',
  'all-down': 'critical',
  failback: 'info',
  recovered: 'warning',
  addresses: 'warning',
};

/** healthySince follows confirmed health, so failbackAfter only counts time backed by fresh evidence. */
function updateHealthySince(rs: RecordState, health: AnswerHealth[], op: Operation): void {
  for (const h of health) {
    const since = rs.healthySince[h.name] ?? null;
    if (h.confirmed && since === null) rs.healthySince[h.name] = op.now;
    else if (!h.confirmed && since !== null) rs.healthySince[h.name] = null;
    else continue;
    op.touch();
  }
}

function pruneFlips(rs: RecordState, rec: FailoverRecordConfig, op: Operation): void {
  if (!rec.flapDamping) return;
  const cutoff = op.now - rec.flapDamping.window;
  const kept = rs.flips.filter((t) => t > cutoff);
  if (kept.length !== rs.flips.length) {
    rs.flips = kept;
    op.touch();
  }
}

function updateDamping(rs: RecordState, rec: FailoverRecordConfig, sel: Selection, op: Operation): void {
  const d = rec.flapDamping;
  const flips = { count: rs.flips.length, window: d?.window ?? 0, maxFlips: d?.maxFlips ?? 0 };
  if (sel.dampingBlocked && !rs.damped) {
    rs.damped = true;
    const resumesAt = dampingResumesAt(rs.flips, d);
    const resumes = resumesAt === null ? '' : `; failback resumes at ${new Date(resumesAt).toISOString()}`;
    op.emit({
      type: 'flap-damped',
      severity: 'warning',
      record: rec.id,
      message: `Record ${rec.id} switched ${flips.count} times within ${flips.window / 1000}s: holding ${activeLabel(rs.active)}, failback suspended${resumes}`,
      evidence: { flips, ...(resumesAt === null ? {} : { resumesAt }) },
    });
  } else if (rs.damped && (!d || rs.flips.length + 1 < d.maxFlips)) {
    rs.damped = false;
    op.emit({
      type: 'flap-released',
      severity: 'info',
      record: rec.id,
      message: `Record ${rec.id}: flap damping released`,
      evidence: { flips },
    });
  }
}

function updatePending(rs: RecordState, rec: FailoverRecordConfig, sel: Selection, op: Operation): void {
  const a = rs.pendingFailback;
  const b = sel.pendingFailback;
  if (a?.to === b?.to && a?.dueAt === b?.dueAt) return;
  rs.pendingFailback = b;
  op.touch();
  if (!b) {
    if (rs.failbackApproved && !sel.consumedApproval) rs.failbackApproved = false;
    return;
  }
  if (sel.dampingBlocked) return; // the flap-damped event says why
  const when = b.dueAt === null ? 'awaiting operator approval' : `due at ${new Date(b.dueAt).toISOString()}`;
  op.emit({
    type: 'failback-pending',
    severity: 'info',
    record: rec.id,
    from: activeLabel(rs.active),
    to: b.to,
    message: `Record ${rec.id}: ${b.to} is healthy again; failback ${when}`,
    evidence: { timing: { ttl: rec.ttl, failbackAfter: rec.failbackAfter } },
  });
}

function applySwitch(
  deps: RecordEvalDeps,
  rec: FailoverRecordConfig,
  rs: RecordState,
  sel: Selection,
  health: AnswerHealth[],
  op: Operation,
): void {
  const change = sel.change!;
  if (change.kind === 'addresses')
    return applyAddressChange(rec, rs, sel, recordEvidence(deps, rec, op, health), op);
  captureDrain(rs);
  rs.active = sel.next.active;
  rs.values = [...sel.next.values];
  rs.switchedAt = op.now;
  rs.switchedSerial = null;
  rs.publishedAt = {};
  rs.effectiveBy = {};
  if (rec.flapDamping && countsAsFlip(sel, health)) rs.flips.push(op.now);
  if (sel.consumedApproval) rs.failbackApproved = false;
  op.switched.add(rec.id);
  const budget = detectBudget(deps, rec, change.kind === 'failback' ? change.to : change.from);
  op.emit({
    type: 'answer-switched',
    severity: SEVERITY[change.kind],
    record: rec.id,
    from: change.from,
    to: change.to,
    message: `Record ${rec.id}: ${change.kind} from ${change.from} to ${change.to} (${rs.values.join(', ') || 'no data'})`,
    evidence: {
      ...recordEvidence(deps, rec, op, health),
      kind: change.kind,
      timing: {
        ttl: rec.ttl,
        failbackAfter: rec.failbackAfter,
        switchedAt: op.now,
        expectedEffectiveBy: op.now + rec.ttl * 1000,
        ...(budget === undefined ? {} : { detectBudget: budget }),
      },
    },
  });
}

export function evaluateRecord(deps: RecordEvalDeps, rec: FailoverRecordConfig, op: Operation): void {
  const rs = deps.st.records[rec.id]!;
  const health = answerHealth(deps.st, rec);
  updateHealthySince(rs, health, op);
  pruneFlips(rs, rec, op);
  const sel = selectAnswer({ cfg: rec, st: rs, health, recentFlips: rs.flips.length, now: op.now });
  updateDamping(rs, rec, sel, op);
  updatePending(rs, rec, sel, op);
  const wasAllDown = rs.allDown;
  if (sel.change) applySwitch(deps, rec, rs, sel, health, op);
  if (wasAllDown !== sel.next.allDown) {
    rs.allDown = sel.next.allDown;
    op.emit({
      type: sel.next.allDown ? 'all-down' : 'all-down-cleared',
      severity: sel.next.allDown ? 'critical' : 'info',
      record: rec.id,
      to: activeLabel(rs.active),
      message: sel.next.allDown
        ? `Record ${rec.id}: every answer is down; serving ${activeLabel(rs.active)} (whenAllDown: ${rec.whenAllDown.mode})`
        : `Record ${rec.id}: an answer is healthy again; serving ${activeLabel(rs.active)}`,
      evidence: recordEvidence(deps, rec, op, health),
    });
  }
  updateTtl(deps.st, rec, rs, health, op);
}

/** Verdict evaluation for a set of checks, with the mass-failure guard in between "what votes say" and "apply". */
import type { CheckConfig, UnderstudyConfig } from './config-types.js';
import type { Operation } from './operation.js';
import type { DeciderState } from './state-types.js';
import { checkEvidence, computeVerdict, type VerdictContext, type VerdictResult } from './verdict.js';

export interface CheckEvalDeps {
  config: UnderstudyConfig;
  st: DeciderState;
  checksById: ReadonlyMap<string, CheckConfig>;
  /** Checks whose votes say down now (applied or held), with since when; the guard counts from it. */
  downSince: Map<string, number>;
  verdictContext(now: number): VerdictContext;
  /** Called for every check whose verdict changed, so its records get re-evaluated. */
  onVerdictChanged(checkId: string): void;
}

/**
 * The checks that count towards the guard: those it holds (votes say down, verdict not applied yet), and
 * those that went down within the window. Checks down for longer are old news, not a mass failure.
 */
function guardCount(deps: CheckEvalDeps, now: number): string[] {
  const window = deps.config.decider.massFailureGuard.window;
  const counted: string[] = [];
  for (const [id, since] of deps.downSince) {
    if (deps.st.checks[id]!.verdict !== 'down' || now - since <= window) counted.push(id);
  }
  return counted;
}

/** Updates the guard from the current candidates; returns whether it holds now. */
function updateGuard(deps: CheckEvalDeps, op: Operation): boolean {
  const g = deps.config.decider.massFailureGuard;
  const guard = deps.st.guard;
  const total = deps.config.checks.length;
  const armed = g.enabled && total >= g.minChecks;
  const counted = armed ? guardCount(deps, op.now) : [];
  const share = total ? counted.length / total : 0;
  const evidence = {
    guard: {
      share,
      threshold: g.share,
      window: g.window,
      counted: counted.length,
      total,
      checks: counted.slice(0, 50),
    },
  };
  if (!(armed && share > g.share)) {
    guard.released = false;
    if (guard.holding) {
      guard.holding = false;
      guard.since = null;
      op.emit({
        type: 'guard-release',
        severity: 'info',
        message: 'Mass-failure guard released: the share of checks going down fell back under the threshold',
        evidence,
      });
    }
    return false;
  }
  if (guard.released) return false;
  if (!guard.holding) {
    guard.holding = true;
    guard.since = op.now;
    op.emit({
      type: 'guard-hold',
      severity: 'critical',
      message: `Mass-failure guard holding: ${counted.length} of ${total} checks went down within ${g.window / 1000}s (more than ${Math.round(g.share * 100)}%); answers are frozen until it clears or an operator releases it`,
      evidence,
    });
  }
  return true;
}

function applyVerdict(
  deps: CheckEvalDeps,
  op: Operation,
  id: string,
  r: VerdictResult,
  holding: boolean,
  ctx: VerdictContext,
): void {
  const check = deps.checksById.get(id)!;
  const cs = deps.st.checks[id]!;
  if (r.insufficient !== cs.insufficient) {
    cs.insufficient = r.insufficient;
    op.touch();
    // Before any verdict exists there is nothing to hold, so the start-up wait is not an event.
    if (r.insufficient && cs.verdict !== 'unknown') {
      op.emit({
        type: 'quorum-insufficient',
        severity: 'warning',
        check: id,
        message: `Check ${id}: only ${r.voters} fresh voting region(s), fewer than ${r.minVoters}; verdict held at ${cs.verdict}`,
        evidence: { checks: [checkEvidence(check, cs, r, ctx)] },
      });
    }
  }
  if (r.candidate === cs.verdict) return;
  if (r.candidate === 'down' && holding) return;
  const from = cs.verdict;
  cs.verdict = r.candidate;
  cs.verdictChangedAt = op.now;
  op.emit({
    type: 'verdict-changed',
    severity: r.candidate === 'down' ? 'warning' : 'info',
    check: id,
    from,
    to: r.candidate,
    message: `Check ${id} is ${r.candidate}: ${r.downVotes} of ${r.voters} fresh regions see it down, ${r.required} needed (${checkEvidence(check, cs, r, ctx).rule})`,
    evidence: { checks: [checkEvidence(check, cs, r, ctx)] },
  });
  deps.onVerdictChanged(id);
}

/** Two passes: first every candidate (so the guard sees a burst whole), then apply. */
export function evaluateChecks(deps: CheckEvalDeps, op: Operation, ids: Iterable<string>): void {
  const ctx = deps.verdictContext(op.now);
  const results = new Map<string, VerdictResult>();
  for (const id of ids) {
    const r = computeVerdict(deps.checksById.get(id)!, deps.st.checks[id]!, ctx);
    results.set(id, r);
    if (r.candidate !== 'down') deps.downSince.delete(id);
    else if (!deps.downSince.has(id)) deps.downSince.set(id, op.now);
  }
  const wasHolding = deps.st.guard.holding;
  const holding = updateGuard(deps, op);
  if (wasHolding && !holding) {
    // Held verdicts must now be applied: look at every check, not just this batch's.
    for (const check of deps.config.checks) {
      if (!results.has(check.id))
        results.set(check.id, computeVerdict(check, deps.st.checks[check.id]!, ctx));
    }
  }
  for (const [id, r] of results) applyVerdict(deps, op, id, r, holding, ctx);
}

/** Operator release: stays released until the condition clears on its own. */
export function releaseGuard(deps: CheckEvalDeps): boolean {
  if (!deps.st.guard.holding) return false;
  deps.st.guard.holding = false;
  deps.st.guard.since = null;
  deps.st.guard.released = true;
  return true;
}

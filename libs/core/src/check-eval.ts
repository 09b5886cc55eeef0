/** Verdict evaluation for a set of checks, with the mass-failure guard in between "what votes say" and "apply". */
import { isProbed } from './check-kinds.js';
import { compositeEvidence, compositeVerdict, describeComposite, type CompositeGraph } from './composite.js';
import type {
  CheckConfig,
  CompositeCheckConfig,
  ProbedCheckConfig,
  UnderstudyConfig,
} from './config-types.js';
import type { Operation } from './operation.js';
import { resetVotes } from './hysteresis.js';
import type { DeciderState } from './state-types.js';
import { checkEvidence, computeVerdict, type VerdictContext, type VerdictResult } from './verdict.js';

export interface CheckEvalDeps {
  config: UnderstudyConfig;
  st: DeciderState;
  checksById: ReadonlyMap<string, CheckConfig>;
  /** Composite checks: evaluated after the probed checks they depend on, never counted by the guard. */
  composites: CompositeGraph;
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

/** The checks the guard holds now: their votes say down, their verdict was never moved to down. */
function heldChecks(deps: CheckEvalDeps): string[] {
  const held: string[] = [];
  for (const id of deps.downSince.keys()) if (deps.st.checks[id]!.verdict !== 'down') held.push(id);
  return held;
}

/** Updates the guard from the current candidates; returns whether it holds now. `held`: what it held so far. */
function updateGuard(deps: CheckEvalDeps, op: Operation, held: readonly string[]): boolean {
  const g = deps.config.decider.massFailureGuard;
  const guard = deps.st.guard;
  // Composites follow their children; counting them too would count one failure twice.
  const total = deps.config.checks.length - deps.composites.size;
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
        message:
          'Mass-failure guard released: the share of checks going down fell back under the threshold' +
          (held.length
            ? `; ${held.length} held check(s) start over and go down only on ${held.length === 1 ? 'its' : 'their'} own fresh failures`
            : ''),
        evidence: { guard: { ...evidence.guard, rejudged: held.slice(0, 50) } },
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

/**
 * The guard released on its own. A check it held still shows the down votes it collected during the mass
 * failure, which is the evidence the guard distrusted; the probes' next results may well say its origin is
 * back (the first checks to recover are what released the guard). So its down votes are dropped and each
 * such region earns its vote again from fresh results, as a region back from staleness does: `fall`
 * failures to go down, `rise` successes to count as up. Until then the verdict stays where the guard held it.
 */
function rejudgeHeld(
  deps: CheckEvalDeps,
  held: readonly string[],
  ctx: VerdictContext,
  results: Map<string, VerdictResult>,
): void {
  for (const id of held) {
    const check = probed(deps, id);
    const cs = deps.st.checks[id]!;
    for (const region of check.regions) {
      const h = cs.regions[region];
      if (h?.state === 'down') resetVotes(h, ctx.now);
    }
    const r = computeVerdict(check, cs, ctx);
    // Too few voters here is the reset just made, explained by the guard-release event, not a quorum problem.
    // Its votes were just reset: re-saved and its records re-evaluated.
    deps.onVerdictChanged(id);
    cs.insufficient = r.insufficient;
    results.set(id, r);
    if (r.candidate !== 'down') deps.downSince.delete(id);
  }
}

function applyVerdict(
  deps: CheckEvalDeps,
  op: Operation,
  id: string,
  r: VerdictResult,
  holding: boolean,
  ctx: VerdictContext,
): boolean {
  const check = probed(deps, id);
  const cs = deps.st.checks[id]!;
  // Whether composites above this check must look again: its verdict or its confirmation changed.
  let changed = false;
  if (r.insufficient !== cs.insufficient) {
    changed = true;
    cs.insufficient = r.insufficient;
    op.touch();
    // An up verdict held on too few voters is not confirmed health: the records' failback timing changes.
    deps.onVerdictChanged(id);
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
  if (r.candidate === cs.verdict) return changed;
  if (r.candidate === 'down' && holding) return changed;
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
  return true;
}

function probed(deps: CheckEvalDeps, id: string): ProbedCheckConfig {
  const check = deps.checksById.get(id)!;
  if (!isProbed(check)) throw new Error(`check ${id} is a composite: it has no votes`);
  return check;
}

/**
 * Re-evaluates the composites that depend on `ids` (children first, so a composite of composites sees its
 * children's new verdicts). Composites follow applied verdicts, so the guard holds them through their
 * children. Cost: the composites affected, not all of them.
 */
function evaluateComposites(deps: CheckEvalDeps, op: Operation, ids: readonly string[]): void {
  if (deps.composites.size === 0) return;
  const verdictOf = (id: string) => deps.st.checks[id]?.verdict ?? 'unknown';
  // A child's up held on too few voters is not confirmed: as a composite's own held verdict would not be.
  const confirmedOf = (id: string) => {
    const cs = deps.st.checks[id];
    return cs && !cs.insufficient ? cs.verdict : 'unknown';
  };
  for (const id of deps.composites.affected(ids)) {
    const check = deps.checksById.get(id) as CompositeCheckConfig;
    const cs = deps.st.checks[id]!;
    const t = compositeVerdict(check, verdictOf);
    // Unconfirmed when the verdict would not stand on confirmed children alone.
    const insufficient =
      t.candidate !== 'unknown' && compositeVerdict(check, confirmedOf).candidate !== t.candidate;
    if (insufficient !== cs.insufficient) {
      cs.insufficient = insufficient;
      op.touch();
      deps.onVerdictChanged(id);
    }
    if (t.candidate === cs.verdict) continue;
    const from = cs.verdict;
    cs.verdict = t.candidate;
    cs.verdictChangedAt = op.now;
    op.touch();
    op.emit({
      type: 'verdict-changed',
      severity: t.candidate === 'down' ? 'warning' : 'info',
      check: id,
      from,
      to: t.candidate,
      message: `Check ${id} is ${t.candidate}: ${t.up} of ${check.children.length} children up, ${t.unknown} unknown (${describeComposite(check)})`,
      evidence: { checks: [compositeEvidence(check, cs.verdict, verdictOf)] },
    });
    deps.onVerdictChanged(id);
  }
}

/**
 * Two passes: first every candidate (so the guard sees a burst whole), then apply. When the guard releases
 * on its own, the checks it held are judged again on fresh results (rejudgeHeld), never on the down votes
 * it held them with. An operator release (releaseGuard) is the other way out: it applies what the votes say.
 */
export function evaluateChecks(deps: CheckEvalDeps, op: Operation, ids: Iterable<string>): void {
  const ctx = deps.verdictContext(op.now);
  const results = new Map<string, VerdictResult>();
  // Composites asked for by name (a tick, a release) are re-evaluated with those whose children changed.
  const changed: string[] = [];
  for (const id of ids) {
    const check = deps.checksById.get(id)!;
    if (!isProbed(check)) {
      changed.push(id);
      continue;
    }
    const r = computeVerdict(check, deps.st.checks[id]!, ctx);
    results.set(id, r);
    if (r.candidate !== 'down') deps.downSince.delete(id);
    else if (!deps.downSince.has(id)) deps.downSince.set(id, op.now);
  }
  const wasHolding = deps.st.guard.holding;
  const held = wasHolding ? heldChecks(deps) : [];
  const holding = updateGuard(deps, op, held);
  if (wasHolding && !holding) {
    rejudgeHeld(deps, held, ctx, results);
    // Checks outside this batch may have changed while the guard held: look at every check.
    for (const check of deps.config.checks) {
      if (isProbed(check) && !results.has(check.id))
        results.set(check.id, computeVerdict(check, deps.st.checks[check.id]!, ctx));
    }
  }
  for (const [id, r] of results) if (applyVerdict(deps, op, id, r, holding, ctx)) changed.push(id);
  evaluateComposites(deps, op, changed);
}

/** Operator release: stays released until the condition clears on its own. */
export function releaseGuard(deps: CheckEvalDeps): boolean {
  if (!deps.st.guard.holding) return false;
  deps.st.guard.holding = false;
  deps.st.guard.since = null;
  deps.st.guard.released = true;
  return true;
}

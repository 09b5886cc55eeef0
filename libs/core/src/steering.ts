/**
 * Issue 14 part 3: what each steering rule of a failover record serves. A rule serves the first answer of
 * its `order` that is eligible; with `healthFrom`, eligibility is judged only on the votes of those regions
 * (the probes nearest the rule's clients), with the check's own quorum rule applied to that subset.
 *
 * Choices (also in docs/config-reference.md, "steering"):
 * - A regional view with too few fresh voters (all of its regions stale, silent or not voting; fewer than
 *   min(minVoters, regions in the subset)) falls back to the check's global verdict, never to "down".
 * - No eligible answer in the order: the rule serves the record's own values (what unmatched clients get,
 *   whenAllDown included).
 * - A rule has no failback hold and no flap damping of its own: it follows its view at every evaluation.
 *   Its inputs are damped already by per-region hysteresis (fall/rise); the record's own decision, which
 *   every other client and every provider gets, keeps failbackAfter and damping.
 * - While the mass-failure guard holds, rule values are frozen like the record's answers (a regional view
 *   reads raw votes, which is exactly what the guard distrusts). They are judged again when it releases.
 */
import { tierHealth, capValues } from './address-health.js';
import { compositeVerdict } from './composite.js';
import type { AnswerConfig, CheckConfig, FailoverRecordConfig, SteeringRule } from './config-types.js';
import type { Operation } from './operation.js';
import { requiredDownVotes } from './quorum.js';
import type { DeciderState, Health, RecordState, SteeredRuleState } from './state-types.js';
import { isStale, notVoting, type VerdictContext } from './verdict.js';

export interface SteeringDeps {
  st: DeciderState;
  checksById: ReadonlyMap<string, CheckConfig>;
  verdictContext(now: number): VerdictContext;
}

/** Composites nest, but never this deep (cycles are refused by the config). */
const MAX_DEPTH = 32;

/**
 * A check's verdict judged on the votes of `regions` only; the global verdict when that subset has too few
 * fresh voters or the check does not run there.
 */
export function regionalVerdict(
  deps: SteeringDeps,
  id: string,
  regions: readonly string[],
  ctx: VerdictContext,
  depth = 0,
): Health {
  const check = deps.checksById.get(id);
  const cs = deps.st.checks[id];
  const global = cs?.verdict ?? 'unknown';
  if (!check || !cs || depth > MAX_DEPTH) return global;
  if (check.type === 'composite')
    return compositeVerdict(check, (child) => regionalVerdict(deps, child, regions, ctx, depth + 1))
      .candidate;
  const subset = check.regions.filter((r) => regions.includes(r));
  let voters = 0;
  let down = 0;
  for (const region of subset) {
    const h = cs.regions[region];
    if (!h || h.state === 'unknown' || isStale(h, check, ctx) || notVoting(region, h, ctx) !== null) continue;
    voters++;
    if (h.state === 'down') down++;
  }
  const minVoters = Math.max(1, Math.min(ctx.minVoters, subset.length));
  if (subset.length === 0 || voters < minVoters) return global;
  return down >= requiredDownVotes(check.quorum, voters) ? 'down' : 'up';
}

/** One answer in a rule's view: eligible or not, and the values it would serve. */
function answerInView(
  rec: FailoverRecordConfig,
  a: AnswerConfig,
  st: DeciderState,
  verdictOf: (id: string) => Health,
): { eligible: boolean; values: string[] } {
  const ov = st.overrides[rec.id]?.[a.name];
  const all = () => capValues(rec, a, a.values);
  if (ov === 'up') return { eligible: true, values: all() };
  if (ov === 'down') return { eligible: false, values: [] };
  if (a.addresses) {
    const t = tierHealth(
      rec,
      a,
      a.addresses.map((ad) => {
        const ok = ad.check === null || verdictOf(ad.check) !== 'down';
        return { value: ad.value, eligible: ok, confirmed: ok };
      }),
    );
    return { eligible: t.eligible, values: t.values };
  }
  return { eligible: a.check === null || verdictOf(a.check) !== 'down', values: all() };
}

/** What one rule serves now. */
export function ruleServed(
  deps: SteeringDeps,
  rec: FailoverRecordConfig,
  rule: SteeringRule,
  rs: RecordState,
  ctx: VerdictContext,
): SteeredRuleState {
  const from = rule.healthFrom;
  const verdictOf = (id: string): Health =>
    from === null ? (deps.st.checks[id]?.verdict ?? 'unknown') : regionalVerdict(deps, id, from, ctx);
  for (const name of rule.order) {
    const a = rec.answers.find((x) => x.name === name);
    if (!a) continue;
    const view = answerInView(rec, a, deps.st, verdictOf);
    if (view.eligible) return { answer: name, values: view.values };
  }
  return { answer: null, values: [...rs.values] };
}

/** What a steered record's rules serve before their first judgment: the record's values. */
export function initialSteered(rec: FailoverRecordConfig, values: string[]): string[][] {
  return (rec.steering?.rules ?? []).map(() => values);
}

const sameValues = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function ruleLabel(rule: SteeringRule, i: number): string {
  const where = [...rule.match.countries, ...rule.match.continents].join(', ');
  return `rule ${i + 1} (${where})`;
}

/**
 * Re-judges every rule of `rec` after its own decision; a change of any rule's values marks the record in
 * `op.steered` (its delta carries the whole per-rule list) and raises one `steering-changed` event per rule
 * whose answer changed, or whose answer serves another subset of its addresses.
 */
export function evaluateSteering(
  deps: SteeringDeps,
  rec: FailoverRecordConfig,
  rs: RecordState,
  op: Operation,
): void {
  const rules = rec.steering?.rules;
  if (!rules?.length) return;
  // Never judged yet (a new record or rules, see reconcileState): the first judgment raises no event.
  const prev = rs.steered?.length === rules.length ? rs.steered : null;
  if (deps.st.guard.holding && prev) return;
  const ctx = deps.verdictContext(op.now);
  const next = rules.map((rule) => ruleServed(deps, rec, rule, rs, ctx));
  let changed = prev === null;
  next.forEach((n, i) => {
    const p = prev?.[i];
    if (!p || (p.answer === n.answer && sameValues(p.values, n.values))) return;
    changed = true;
    // Following the record's own values is the record's change, reported by its own event.
    if (p.answer === null && n.answer === null) return;
    const rule = rules[i]!;
    const pos = (name: string | null) => (name === null ? Infinity : rule.order.indexOf(name));
    const kind =
      pos(n.answer) > pos(p.answer) ? 'failover' : pos(n.answer) < pos(p.answer) ? 'failback' : 'addresses';
    const label = (name: string | null) => name ?? 'default';
    op.emit({
      type: 'steering-changed',
      severity: kind === 'failover' ? 'warning' : 'info',
      record: rec.id,
      from: label(p.answer),
      to: label(n.answer),
      message: `Record ${rec.id} ${ruleLabel(rule, i)}: ${kind} from ${label(p.answer)} to ${label(n.answer)} (${n.values.join(', ') || 'no data'})${rule.healthFrom ? `, health from ${rule.healthFrom.join(', ')}` : ''}`,
      evidence: {
        kind,
        rule: i,
        match: rule.match,
        healthFrom: rule.healthFrom,
        values: n.values,
      },
    });
  });
  if (!changed) return;
  rs.steered = next;
  op.steered.add(rec.id);
  op.touch();
}

/**
 * When a steered record's regional views could change with no new result: the first moment a vote they
 * count goes stale (a view then falls back to fewer voters, or to the global verdict). Null when none.
 */
export function steeringDue(
  deps: SteeringDeps,
  rec: FailoverRecordConfig,
  ctx: VerdictContext,
): number | null {
  let at = Infinity;
  for (const rule of rec.steering?.rules ?? []) {
    if (rule.healthFrom === null) continue;
    for (const id of probedIdsOf(deps, rec)) {
      const check = deps.checksById.get(id);
      if (!check || check.type === 'composite') continue;
      const limit = ctx.staleAfterIntervals * check.interval;
      for (const region of rule.healthFrom) {
        const h = deps.st.checks[id]?.regions[region];
        if (!h || h.lastReceivedAt === 0 || isStale(h, check, ctx)) continue;
        at = Math.min(at, h.lastReceivedAt + limit + 1);
      }
    }
  }
  return at === Infinity ? null : at;
}

/** The probed checks under a record's answers (composites unfolded): whose regional votes steer it. */
export function probedIdsOf(deps: Pick<SteeringDeps, 'checksById'>, rec: FailoverRecordConfig): string[] {
  const out = new Set<string>();
  const visit = (id: string, depth: number): void => {
    const check = deps.checksById.get(id);
    if (!check || depth > MAX_DEPTH) return;
    if (check.type !== 'composite') out.add(id);
    else for (const child of check.children) visit(child, depth + 1);
  };
  for (const a of rec.answers) {
    if (a.check !== null) visit(a.check, 0);
    for (const ad of a.addresses ?? []) if (ad.check !== null) visit(ad.check, 0);
  }
  return [...out];
}

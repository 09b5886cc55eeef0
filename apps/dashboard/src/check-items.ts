/** Check items and the region matrix, prepared from config + decider state once per view. */
import { checkTarget, describeComposite, describeQuorum, isStale } from '@understudy/core';
import type {
  CheckConfig,
  DeciderState,
  ProbedCheckConfig,
  UnderstudyConfig,
  VerdictContext,
} from '@understudy/core';
import type { CheckItem, MatrixBody, RegionCell } from './types.js';

function cell(
  region: string,
  check: ProbedCheckConfig,
  cs: DeciderState['checks'][string] | undefined,
  ctx: VerdictContext,
): RegionCell {
  const h = cs?.regions[region];
  let last: RegionCell['last'] = null;
  if (h?.last) {
    const { observedAt: _observedAt, ...rest } = h.last;
    last = rest;
  }
  return {
    region,
    state: h?.state ?? 'unknown',
    stale: isStale(h, check, ctx),
    consecutiveOk: h?.consecutiveOk ?? 0,
    consecutiveFail: h?.consecutiveFail ?? 0,
    lastObservedAt: h?.last?.observedAt ?? null,
    changedAt: h?.changedAt ?? null,
    last,
  };
}

export function checkItem(
  config: UnderstudyConfig,
  check: CheckConfig,
  st: DeciderState | null,
  now: number,
): CheckItem {
  const ctx: VerdictContext = {
    now,
    staleAfterIntervals: config.decider.staleAfterIntervals,
    minVoters: config.decider.minVoters,
  };
  const cs = st?.checks[check.id];
  const state = {
    verdict: cs?.verdict ?? 'unknown',
    verdictChangedAt: cs?.verdictChangedAt ?? null,
    insufficient: cs?.insufficient ?? false,
  } as const;
  // A composite is never probed: no schedule, no region cells; its rule stands where the quorum would.
  if (check.type === 'composite') {
    const common = {
      id: check.id,
      type: check.type,
      target: checkTarget(check),
      interval: 0,
      fall: 0,
      rise: 0,
    };
    return { ...common, quorum: describeComposite(check), ...state, regions: [] };
  }
  return {
    id: check.id,
    type: check.type,
    target: checkTarget(check),
    interval: check.interval,
    fall: check.fall,
    rise: check.rise,
    quorum: describeQuorum(check.quorum),
    ...state,
    regions: check.regions.map((region) => cell(region, check, cs, ctx)),
  };
}

/** A stale cell counts as stale only, so the four totals of a region add up to its cells. */
export function matrixOf(regions: readonly string[], checks: readonly CheckItem[]): MatrixBody {
  const totals: MatrixBody['totals'] = {};
  for (const r of regions) totals[r] = { up: 0, down: 0, unknown: 0, stale: 0 };
  for (const c of checks) {
    for (const cell of c.regions) {
      const t = (totals[cell.region] ??= { up: 0, down: 0, unknown: 0, stale: 0 });
      if (cell.stale) t.stale++;
      else t[cell.state]++;
    }
  }
  return { regions: [...regions], totals, checks: checks.length };
}

/** Case-insensitive substring match over id and target, and the state filter of GET /checks. */
export function checkMatches(item: CheckItem, state: string | undefined, q: string | undefined): boolean {
  if (q && !item.id.toLowerCase().includes(q) && !item.target.toLowerCase().includes(q)) return false;
  if (state === undefined) return true;
  if (state === 'stale') return item.regions.some((r) => r.stale);
  return item.verdict === state;
}

/** Check items and the region matrix, prepared from config + decider state once per view. */
import { checkStatus, describeComposite, describeQuorum, verdictContextOf } from '@understudy/core';
import type { CheckConfig, CheckRegionStatus, DeciderState, UnderstudyConfig } from '@understudy/core';
import type { CheckItem, MatrixBody, RegionCell } from './types.js';

/** core's region row, as the dashboard's cell: when the last result was observed, beside it. */
function cell(row: CheckRegionStatus): RegionCell {
  const { last, ...rest } = row;
  if (!last) return { ...rest, lastObservedAt: null, last: null };
  const { observedAt, ...result } = last;
  return { ...rest, lastObservedAt: observedAt, last: result };
}

/** core's check status (the read model), with the schedule and rule the dashboard shows beside it. */
export function checkItem(
  config: UnderstudyConfig,
  check: CheckConfig,
  st: DeciderState | null,
  now: number,
): CheckItem {
  const { regions, ...status } = checkStatus(check, st, verdictContextOf(config, now));
  // A composite is never probed: no schedule, no region cells; its rule stands where the quorum would.
  if (check.type === 'composite')
    return { ...status, interval: 0, fall: 0, rise: 0, quorum: describeComposite(check), regions: [] };
  return {
    ...status,
    interval: check.interval,
    fall: check.fall,
    rise: check.rise,
    quorum: describeQuorum(check.quorum),
    regions: regions.map(cell),
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

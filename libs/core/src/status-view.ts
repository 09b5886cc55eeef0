/**
 * The read model of the decider state: `understudy status`, /status, and the dashboard, which decorates
 * these items (recordStatus, checkStatus) rather than rebuilding them.
 */
import { checkTarget, isProbed } from './check-kinds.js';
import type { CheckConfig, FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import { dampingResumesAt } from './flap-damping.js';
import { secondaryStatuses, type SecondaryStatus } from './secondaries.js';
import { activeLabel } from './selection.js';
import type {
  DeciderState,
  Health,
  LastResult,
  OverrideMode,
  Publication,
  RecordState,
} from './state-types.js';
import { isStale, type VerdictContext } from './verdict.js';

export interface RecordStatus {
  id: string;
  ttl: number;
  active: string;
  values: string[];
  allDown: boolean;
  tier: number | null;
  switchedAt: number | null;
  publishedAt: Record<string, number>;
  effectiveBy: Record<string, number>;
  pendingFailback: { to: string; dueAt: number | null } | null;
  damped: boolean;
  /** While damped: when failback resumes if no further flip happens (epoch ms); else null. */
  resumesAt: number | null;
  overrides: Record<string, OverrideMode>;
  // --- issue 14: health per address (i14addr) ---
  /** The TTL served now: `ttl`, or the record's degradedTtl while degraded. */
  ttlNow: number;
  /** The active tier is up but some of its addresses, or some regions of its checks, fail. */
  degraded: boolean;
  // --- end issue 14 ---
  /**
   * Issue 14 part 3, steered records only: per steering rule (config order), where its clients are and what
   * they are served (answer null: none of its order is eligible, the record's own values).
   */
  steered?: SteeredRuleStatus[];
}

export interface SteeredRuleStatus {
  match: string[];
  answer: string | null;
  values: string[];
}

export interface CheckStatus {
  id: string;
  type: CheckConfig['type'];
  /** What it looks at (checkTarget): a URL, host:port, DNS query, or a composite's rule. */
  target: string;
  verdict: Health;
  verdictChangedAt: number | null;
  insufficient: boolean;
  regions: CheckRegionStatus[];
}

/** One (check, region): its hysteresis state and the last result it saw. */
export interface CheckRegionStatus {
  region: string;
  state: Health;
  stale: boolean;
  last: LastResult | null;
  changedAt: number | null;
  consecutiveOk: number;
  consecutiveFail: number;
}

export interface StatusView {
  serial: number;
  records: RecordStatus[];
  checks: CheckStatus[];
  regions: { region: string; lastSeenAt: number | null; stale: boolean }[];
  guard: DeciderState['guard'];
  /** Configured zone-transfer secondaries and the serial each was last seen serving (issue 15). */
  secondaries: SecondaryStatus[];
}

/** Publications older than this do not count (an instance re-reports every 10 s while it is alive). */
export const PUBLICATION_MAX_AGE = 60_000;

/** What staleness and voter counts are judged by at `now`. */
export function verdictContextOf(config: UnderstudyConfig, now: number): VerdictContext {
  return {
    now,
    staleAfterIntervals: config.decider.staleAfterIntervals,
    minVoters: config.decider.minVoters,
  };
}

/** One failover record as it stands (its first answer before the decider has judged it). */
export function recordStatus(rec: FailoverRecordConfig, st: DeciderState | null): RecordStatus {
  const rs = st?.records[rec.id];
  const active = rs ? activeLabel(rs.active) : rec.answers[0]!.name;
  const tier = rec.answers.findIndex((a) => a.name === active);
  return {
    id: rec.id,
    ttl: rec.ttl,
    active,
    values: rs?.values ?? rec.answers[0]!.values,
    allDown: rs?.allDown ?? false,
    tier: tier < 0 ? null : tier,
    switchedAt: rs?.switchedAt ?? null,
    publishedAt: rs?.publishedAt ?? {},
    effectiveBy: rs?.effectiveBy ?? {},
    pendingFailback: rs?.pendingFailback ?? null,
    damped: rs?.damped ?? false,
    resumesAt: rs?.damped ? dampingResumesAt(rs.flips, rec.flapDamping) : null,
    overrides: st?.overrides[rec.id] ?? {},
    ttlNow: rs?.ttl ?? rec.ttl,
    degraded: rs?.degraded ?? false,
    ...steeredStatus(rec, rs),
  };
}

function steeredStatus(
  rec: FailoverRecordConfig,
  rs: RecordState | undefined,
): Pick<RecordStatus, 'steered'> {
  const rules = rec.steering?.rules;
  if (!rules?.length) return {};
  const values = rs?.values ?? rec.answers[0]!.values;
  const steered = rules.map((rule, i): SteeredRuleStatus => {
    const st = rs?.steered?.[i];
    return {
      match: [...rule.match.countries, ...rule.match.continents],
      answer: st?.answer ?? null,
      values: st?.values ?? values,
    };
  });
  return { steered };
}

/** One check: its cross-region verdict and a row per region (none for a composite). */
export function checkStatus(check: CheckConfig, st: DeciderState | null, ctx: VerdictContext): CheckStatus {
  const cs = st?.checks[check.id];
  return {
    id: check.id,
    type: check.type,
    target: checkTarget(check),
    verdict: cs?.verdict ?? 'unknown',
    verdictChangedAt: cs?.verdictChangedAt ?? null,
    insufficient: cs?.insufficient ?? false,
    // A composite has no region cells: its children's rows carry the votes.
    regions: (isProbed(check) ? check.regions : []).map((region): CheckRegionStatus => {
      const h = cs?.regions[region];
      return {
        region,
        state: h?.state ?? 'unknown',
        stale: isProbed(check) && isStale(h, check, ctx),
        last: h?.last ?? null,
        changedAt: h?.changedAt ?? null,
        consecutiveOk: h?.consecutiveOk ?? 0,
        consecutiveFail: h?.consecutiveFail ?? 0,
      };
    }),
  };
}

/**
 * What GET /status?record=ID asks for: one failover record instead of all of them (at 110,000 records the
 * whole view is megabytes of JSON; a script following one record should not pay for every record).
 */
export interface StatusFilter {
  record?: string;
}

/** `publications`: what the targets reported (the store's), for the secondaries' serials. */
export function statusView(
  config: UnderstudyConfig,
  st: DeciderState,
  now: number,
  publications: readonly Publication[] = [],
  filter: StatusFilter = {},
): StatusView {
  const ctx = verdictContextOf(config, now);
  const wanted = filter.record;
  const records = config.zones.flatMap((z) =>
    (wanted === undefined ? z.failover : z.failover.filter((rec) => rec.id === wanted)).map((rec) =>
      recordStatus(rec, st),
    ),
  );
  const checks = config.checks.map((check) => checkStatus(check, st, ctx));
  const regions = config.regions.map((region) => ({
    region,
    lastSeenAt: st.regions[region]?.lastSeenAt ?? null,
    stale: st.regions[region]?.stale ?? false,
  }));
  const secondaries = secondaryStatuses(config, publications, now, PUBLICATION_MAX_AGE);
  return { serial: st.serial, records, checks, regions, guard: st.guard, secondaries };
}

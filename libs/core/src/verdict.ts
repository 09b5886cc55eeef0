/** Cross-region quorum: fold the fresh regions' votes for one check into a verdict. */
import type { ProbedCheckConfig } from './config-types.js';
import type { CheckEvidence, RegionVote } from './events.js';
import { describeQuorum, requiredDownVotes } from './quorum.js';
import type { CheckState, Health, RegionHealth } from './state-types.js';

export interface VerdictContext {
  now: number;
  staleAfterIntervals: number;
  minVoters: number;
  /** Regions whose probe reported itself unhealthy, with why: they do not vote (issue #10). */
  unhealthy?: ReadonlyMap<string, string>;
}

/**
 * Why a region's vote on a check is not counted apart from staleness, or null: its probe is unhealthy,
 * or its latest result for the check was the probe's own failure.
 */
export function notVoting(region: string, h: RegionHealth | undefined, ctx: VerdictContext): string | null {
  const unhealthy = ctx.unhealthy?.get(region);
  if (unhealthy !== undefined) return `probe unhealthy: ${unhealthy}`;
  if (h?.last?.reason === 'probe-error') return `probe-error: ${h.last.message ?? 'the probe failed'}`;
  return null;
}

export function isStale(
  h: RegionHealth | undefined,
  check: Pick<ProbedCheckConfig, 'interval'>,
  ctx: VerdictContext,
): boolean {
  if (!h || h.lastReceivedAt === 0) return false; // never reported: not voting, but not stale either
  return ctx.now - h.lastReceivedAt > ctx.staleAfterIntervals * check.interval;
}

export interface VerdictResult {
  /** What the votes say now, before guard or hold rules. */
  candidate: Health;
  insufficient: boolean;
  voters: number;
  downVotes: number;
  required: number;
  minVoters: number;
}

/** Cheap: no allocation beyond the result, because it runs for every check on every tick. */
export function computeVerdict(check: ProbedCheckConfig, cs: CheckState, ctx: VerdictContext): VerdictResult {
  let voters = 0;
  let downVotes = 0;
  for (const region of check.regions) {
    const h = cs.regions[region];
    if (!h || h.state === 'unknown' || isStale(h, check, ctx) || notVoting(region, h, ctx) !== null) continue;
    voters++;
    if (h.state === 'down') downVotes++;
  }
  const minVoters = Math.max(1, Math.min(ctx.minVoters, check.regions.length));
  const required = requiredDownVotes(check.quorum, voters);
  if (voters < minVoters) {
    return { candidate: cs.verdict, insufficient: true, voters, downVotes, required, minVoters };
  }
  const candidate: Health = downVotes >= required ? 'down' : 'up';
  return { candidate, insufficient: false, voters, downVotes, required, minVoters };
}

export function regionVotes(check: ProbedCheckConfig, cs: CheckState, ctx: VerdictContext): RegionVote[] {
  return check.regions.map((region) => {
    const h = cs.regions[region];
    const vote: RegionVote = {
      region,
      state: h?.state ?? 'unknown',
      stale: isStale(h, check, ctx),
      consecutiveOk: h?.consecutiveOk ?? 0,
      consecutiveFail: h?.consecutiveFail ?? 0,
      lastObservedAt: h?.last?.observedAt ?? null,
    };
    if (h?.last?.reason !== undefined) vote.reason = h.last.reason;
    if (h?.last?.message !== undefined) vote.message = h.last.message;
    const excluded = notVoting(region, h, ctx);
    if (excluded !== null) vote.notVoting = excluded;
    return vote;
  });
}

export function checkEvidence(
  check: ProbedCheckConfig,
  cs: CheckState,
  result: VerdictResult,
  ctx: VerdictContext,
): CheckEvidence {
  return {
    check: check.id,
    verdict: cs.verdict,
    votes: regionVotes(check, cs, ctx),
    rule: describeQuorum(check.quorum),
    required: result.required,
    voters: result.voters,
    downVotes: result.downVotes,
    minVoters: result.minVoters,
    fall: check.fall,
    rise: check.rise,
    interval: check.interval,
    timeout: check.timeout,
  };
}

/** The audit timeline: every decision carries the evidence behind it. */
import type { FailureReason } from './results.js';
import type { Health } from './state-types.js';

export type EventType =
  | 'verdict-changed'
  | 'answer-switched'
  /** Issue 14: the active tier serves another subset of its addresses. */
  | 'addresses-changed'
  /** Issue 14 part 3: a steering rule of a record serves another answer (evidence: kind, rule index). */
  | 'steering-changed'
  | 'all-down'
  | 'all-down-cleared'
  | 'failback-pending'
  | 'flap-damped'
  | 'flap-released'
  | 'guard-hold'
  | 'guard-release'
  | 'override-set'
  | 'failback-approved'
  | 'quorum-insufficient'
  | 'region-stale'
  | 'region-fresh'
  | 'published'
  | 'probe-config-mismatch'
  | 'probe-unhealthy'
  | 'probe-healthy'
  | 'leader-acquired'
  | 'leader-lost'
  | 'write-refused'
  | 'sync-applied'
  | 'sync-failed'
  | 'sync-drift'
  | 'sync-conflict'
  | 'plan-refused'
  | 'plan-forced'
  | 'drill-started'
  | 'drill-finished'
  // Reload (issue 13): a process re-read its config file; evidence names the hashes, or every problem.
  | 'config-reloaded'
  | 'config-reload-failed';

export type Severity = 'info' | 'warning' | 'critical';

export interface RegionVote {
  region: string;
  state: Health;
  stale: boolean;
  consecutiveOk: number;
  consecutiveFail: number;
  lastObservedAt: number | null;
  reason?: FailureReason;
  message?: string;
  /** Set when this region's vote is not counted (besides staleness): its probe failed or is unhealthy. */
  notVoting?: string;
}

export interface CheckEvidence {
  check: string;
  verdict: Health;
  votes: RegionVote[];
  rule: string;
  /** Down votes needed with the current number of fresh voters. */
  required: number;
  voters: number;
  downVotes: number;
  minVoters: number;
  fall: number;
  rise: number;
  interval: number;
  timeout: number;
  /** Composite checks (issue 14): the children's verdicts the rule was applied to; votes is then empty. */
  children?: { check: string; verdict: Health }[];
}

export interface TimingEvidence {
  ttl: number;
  /** interval × fall + timeout of the check that drove the change, ms. */
  detectBudget?: number;
  failbackAfter?: number | 'manual';
  switchedAt?: number;
  /** switchedAt + TTL: when caches will have drained, assuming an immediate publish. */
  expectedEffectiveBy?: number;
}

export interface Evidence {
  checks?: CheckEvidence[];
  timing?: TimingEvidence;
  guard?: {
    share: number;
    threshold: number;
    window: number;
    counted: number;
    total: number;
    checks: string[];
    /** On an automatic release: the held checks whose down votes were dropped, to be judged on fresh results. */
    rejudged?: string[];
  };
  flips?: { count: number; window: number; maxFlips: number };
  /** flap-damped: when failback resumes if no further flip happens (epoch ms). */
  resumesAt?: number;
  [key: string]: unknown;
}

export interface Actor {
  name: string;
  reason: string;
}

export interface DecisionEvent {
  /** Monotonic across restarts and leader changes (persisted in DeciderState.eventSeq). */
  seq: number;
  at: number;
  type: EventType;
  severity: Severity;
  record?: string;
  check?: string;
  /** Provider target (sync events) or probe id (probe events). */
  target?: string;
  probe?: string;
  region?: string;
  from?: string;
  to?: string;
  serial?: number;
  message: string;
  evidence: Evidence;
  actor?: Actor;
}

/** Response shapes of the dashboard API (/api/v1), as the UI reads them. */
import type {
  DecisionEvent,
  FailureReason,
  Health,
  OverrideMode,
  PhaseTimings,
  TargetSyncStatus,
} from '@understudy/core';

export type { DecisionEvent, Health, OverrideMode, TargetSyncStatus };

export interface StatusView {
  version: string;
  configHash: string;
  now: number;
  serial: number;
  epoch: number;
  zoneGeneratedAt: number | null;
  leader: { holder: string; epoch: number } | null;
  counts: {
    checks: number;
    up: number;
    down: number;
    unknown: number;
    records: number;
    regions: number;
    staleRegions: number;
    probes: number;
    mismatchedProbes: number;
  };
  guard: { holding: boolean; since: number | null; released: boolean };
  eventSeq: number;
}

export interface MatrixView {
  regions: string[];
  totals: Record<string, { up: number; down: number; unknown: number; stale: number }>;
  checks: number;
}

export interface CellView {
  region: string;
  state: Health;
  stale: boolean;
  consecutiveOk: number;
  consecutiveFail: number;
  lastObservedAt: number | null;
  changedAt: number | null;
  last: {
    ok: boolean;
    reason?: FailureReason;
    message?: string;
    status?: number;
    timings: PhaseTimings;
    certExpiresAt?: number;
  } | null;
}

export interface CheckView {
  id: string;
  type: string;
  target: string;
  interval: number;
  fall: number;
  rise: number;
  quorum: string;
  verdict: Health;
  verdictChangedAt: number | null;
  insufficient: boolean;
  regions: CellView[];
}

export interface CheckPage {
  total: number;
  offset: number;
  limit: number;
  items: CheckView[];
}

export interface AnswerView {
  name: string;
  values: string[];
  check: string | null;
  health: Health;
  override: OverrideMode;
}

export interface RecordView {
  id: string;
  zone: string;
  name: string;
  type: string;
  ttl: number;
  active: { kind: 'answer' | 'fallback' | 'none'; name: string | null };
  allDown: boolean;
  values: string[];
  switchedAt: number | null;
  switchedSerial: number | null;
  publishedAt: Record<string, number>;
  effectiveBy: Record<string, number>;
  pendingFailback: { to: string; dueAt: number | null } | null;
  damped: boolean;
  answers: AnswerView[];
  targets: { target: string; type: string; inSync: boolean; appliedSerial: number | null }[];
}

export interface RegionView {
  region: string;
  stale: boolean;
  lastSeenAt: number | null;
  probes: {
    probeId: string;
    lastSeenAt: number;
    configHash: string | null;
    mismatch: boolean;
    lagMs: number | null;
  }[];
}

export interface TargetView {
  target: string;
  type: 'builtin' | 'route53' | 'cloudflare';
  instances?: { instance: string; serial: number; at: number }[];
  status: TargetSyncStatus | null;
}

export interface Items<T> {
  items: T[];
}

export interface EventPage {
  items: DecisionEvent[];
  nextBefore: number | null;
}

/** Decider state: what the engine remembers, persisted by a StateStore. Plain JSON. */
import type { FailureReason, PhaseTimings } from './results.js';
import type { RRset } from './config-types.js';

export type Health = 'up' | 'down' | 'unknown';

/** The last result seen from one region for one check, as kept for evidence. */
export interface LastResult {
  ok: boolean;
  reason?: FailureReason;
  message?: string;
  status?: number;
  timings: PhaseTimings;
  certExpiresAt?: number;
  observedAt: number;
}

/** Hysteresis for one (check, region). */
export interface RegionHealth {
  state: Health;
  consecutiveOk: number;
  consecutiveFail: number;
  /** Idempotence: a result at or before (lastObservedAt, lastSeq) is ignored. */
  lastObservedAt: number;
  lastSeq: number;
  lastProbeId: string;
  /** Decider clock; staleness is judged on it so probe clock skew cannot fake freshness. */
  lastReceivedAt: number;
  changedAt: number | null;
  last: LastResult | null;
}

export interface CheckState {
  regions: Record<string, RegionHealth>;
  verdict: Health;
  verdictChangedAt: number | null;
  /** Fewer fresh voters than minVoters: the verdict is held where it was. */
  insufficient: boolean;
}

export type ActiveAnswer =
  { kind: 'answer'; name: string } | { kind: 'fallback'; name: string } | { kind: 'none' };

export type OverrideMode = 'up' | 'down' | 'obey';

export interface RecordState {
  active: ActiveAnswer;
  /** True while every answer is down and whenAllDown chose what we serve. */
  allDown: boolean;
  /** Values served now (canonical). */
  values: string[];
  /** Decider clock time of the last change of values, and the serial that carried it. */
  switchedAt: number | null;
  switchedSerial: number | null;
  /** Per target: when the target confirmed it serves `switchedSerial` or later. */
  publishedAt: Record<string, number>;
  /** Per target: publishedAt + TTL of the previous answer: every cache has the new answer by then. */
  effectiveBy: Record<string, number>;
  /** Times of recent switches, for flap damping. */
  flips: number[];
  damped: boolean;
  /** Per answer name: since when it has been continuously eligible (null = not eligible now). */
  healthySince: Record<string, number | null>;
  /** A failback that is waiting for its hold timer or for approval. */
  pendingFailback: { to: string; dueAt: number | null } | null;
  /** Operator approval of a manual failback (consumed when used). */
  failbackApproved: boolean;
  // --- issue 14: adaptive TTL (i14addr) ---
  /** The TTL served while degraded (the record's degradedTtl); absent or null = its configured TTL. */
  ttl?: number | null;
  /** Some addresses of the active tier, or some regions of its checks, are failing; the tier is up. */
  degraded?: boolean;
  /** Since when the degraded TTL has been served (null: not served now). */
  ttlSince?: number | null;
  /** At the last change: the degraded TTL caches then held and since when, for effectiveBy. */
  drainFrom?: { ttl: number; since: number } | null;
  // --- end issue 14 ---
  // --- issue 14 part 3: steering by client location ---
  /** Steered records: per steering rule (config order), what its clients are served. Absent = not steered. */
  steered?: SteeredRuleState[];
  // --- end issue 14 part 3 ---
}

// --- issue 14 part 3: steering by client location ---
export interface SteeredRuleState {
  /** The answer of the rule's order it serves, or null: none eligible, it serves the record's own values. */
  answer: string | null;
  values: string[];
}
// --- end issue 14 part 3 ---

export interface GuardState {
  holding: boolean;
  since: number | null;
  /** Operator released the hold; it stays released until the condition clears. */
  released: boolean;
}

export interface DeciderState {
  version: 1;
  serial: number;
  eventSeq: number;
  checks: Record<string, CheckState>;
  records: Record<string, RecordState>;
  /** record id → answer name → mode (absent means obey). */
  overrides: Record<string, Record<string, OverrideMode>>;
  guard: GuardState;
  /** region → last batch received (decider clock) and whether it is stale. */
  regions: Record<string, { lastSeenAt: number | null; stale: boolean }>;
  /** probe id → its last batch (decider clock) and config hash. Absent in states saved before probes were tracked. */
  probes?: Record<string, ProbeInfo>;
}

export interface ProbeInfo {
  region: string;
  lastSeenAt: number;
  configHash: string | null;
  /** The probe's config hash differs from the decider's. */
  mismatch: boolean;
}

export interface ZoneData {
  apex: string;
  /** All RRsets of the zone, SOA and apex NS included. */
  rrsets: RRset[];
}

/** The full set of answers, applied by every consumer as a whole or not at all. */
export interface ZoneState {
  serial: number;
  epoch: number;
  generatedAt: number;
  zones: ZoneData[];
}

/** A target (DNS server, provider) telling the decider which serial it serves. */
export interface Publication {
  target: string;
  instance: string;
  serial: number;
  /** When the instance last said so (epoch ms): how the decider tells a live instance from a gone one. */
  at: number;
  /**
   * When it started serving `serial`, if it re-reports (a DNS server's heartbeat): what publishedAt means.
   * Absent: `at`. Without it a heartbeat landing before the decider's next read moved publishedAt by up to
   * a tick (issue 11: decision → served read 533 and 822 ms for changes served in about 100 ms).
   */
  since?: number;
}

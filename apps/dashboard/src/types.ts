/**
 * The dashboard's public types: the JSON items of /api/v1 (see /work/briefs/api-contract.md), the source it
 * reads from and the actions it calls.
 */
import type { DrillReport } from '@understudy/drill';
import type {
  Actor,
  ApplyReport,
  DecisionEvent,
  EventType,
  Health,
  LastResult,
  OverrideMode,
  ProviderType,
  SteeredRuleStatus,
  TargetSyncStatus,
  UnderstudyConfig,
} from '@understudy/core';

export interface RegionCell {
  region: string;
  state: Health;
  stale: boolean;
  consecutiveOk: number;
  consecutiveFail: number;
  lastObservedAt: number | null;
  changedAt: number | null;
  last: Omit<LastResult, 'observedAt'> | null;
}

export interface CheckItem {
  id: string;
  type: 'http' | 'https' | 'tcp' | 'dns' | 'composite';
  /**
   * What is probed, e.g. "https://app.example.test:443/healthz" or "tcp://db.example.test:5432"; for a
   * composite its rule ("1 of [a, b]"), and then interval, fall and rise are 0 and regions is empty.
   */
  target: string;
  interval: number;
  fall: number;
  rise: number;
  /** Human form of the quorum rule, e.g. "2/3 of voting regions". */
  quorum: string;
  verdict: Health;
  verdictChangedAt: number | null;
  insufficient: boolean;
  regions: RegionCell[];
}

export interface AnswerItem {
  name: string;
  values: string[];
  check: string | null;
  /** The answer's check verdict ('up' for an answer without a check). */
  health: Health;
  override: OverrideMode;
  /** Issue 14: a tier checked per address; its health is up while minHealthy addresses are not down. */
  addresses?: { value: string; check: string | null; health: Health }[];
  minHealthy?: number;
}

/** A provider, the built-in server, or a zone-transfer secondary (issue 15: `secondary:<host>:<port>`). */
export type TargetKind = ProviderType | 'secondary';

export interface RecordTargetItem {
  target: string;
  type: TargetKind;
  /** The target serves the serial that carried this record's last switch. */
  inSync: boolean;
  appliedSerial: number | null;
}

export interface RecordItem {
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
  /** While damped: when failback resumes if no further flip happens (epoch ms); else null. */
  resumesAt: number | null;
  answers: AnswerItem[];
  targets: RecordTargetItem[];
  /** Issue 14: the TTL served now (degradedTtl while degraded) and whether the record is degraded. */
  ttlNow: number;
  degraded: boolean;
  /** Issue 14 part 3, steered records only: per steering rule, its clients' locations and what they get. */
  steered?: SteeredRuleStatus[];
}

export interface ProbeItem {
  probeId: string;
  lastSeenAt: number;
  configHash: string | null;
  mismatch: boolean;
  /** now − lastSeenAt when the view was built. */
  lagMs: number;
}

export interface RegionItem {
  region: string;
  stale: boolean;
  lastSeenAt: number | null;
  probes: ProbeItem[];
}

export interface TargetItem {
  target: string;
  type: TargetKind;
  instances?: { instance: string; serial: number; at: number }[];
  status: TargetSyncStatus | null;
}

export interface MatrixBody {
  regions: string[];
  totals: Record<string, { up: number; down: number; unknown: number; stale: number }>;
  checks: number;
}

export interface StatusBody {
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

export interface EventPage {
  items: DecisionEvent[];
  /** Pass as `before` for the next (older) page; null when the log is exhausted. */
  nextBefore: number | null;
}

export interface EventFilter {
  before?: number;
  limit: number;
  type?: EventType;
  record?: string;
}

/** Something changed in the store: clients refetch what they show. */
export interface SourceChange {
  serial: number;
  eventSeq: number;
  at: number;
  /** New timeline events since the last change, oldest first. */
  events: DecisionEvent[];
  /** The prepared view changed (clients refetch); false when only events are new so far. */
  viewChanged: boolean;
}

/**
 * What the server reads. StoreSource implements it over the StateStore port (embedded and Redis alike); the
 * view it hands out is prepared once per change, so requests only slice and send.
 */
export interface DashboardSource {
  /** The current view (resolves once the first one is built). */
  view(): Promise<DashboardViewData>;
  /** Rebuild now (after an action), so the next view() shows its effect. */
  refresh(): Promise<void>;
  events(filter: EventFilter): Promise<EventPage>;
  subscribe(listener: (change: SourceChange) => void): () => void;
  /** Reload (issue 13): later views are built from this config; resolves once the view is. */
  applyConfig?(loaded: { config: UnderstudyConfig; hash: string }): Promise<void>;
  close(): Promise<void>;
}

/** One prepared view: plain data plus ready-made JSON for the large responses. */
export interface DashboardViewData {
  builtAt: number;
  serial: number;
  epoch: number;
  eventSeq: number;
  zoneGeneratedAt: number | null;
  leader: { holder: string; epoch: number } | null;
  counts: StatusBody['counts'];
  guard: StatusBody['guard'];
  regions: RegionItem[];
  matrix: MatrixBody;
  checks: CheckItem[];
  /** JSON text of each check item, index-aligned with `checks`. */
  checkJson: string[];
  checkIndex: Map<string, number>;
  records: RecordItem[];
  /** The whole GET /records body, as JSON bytes. */
  recordsJson: Buffer;
  recordIndex: Map<string, number>;
  targets: TargetItem[];
}

/** Drill reports are libs/drill's (GET /api/v1/drills/{id} sends them as they are). */
export type { DrillReport, DrillStatus, DrillTargetResult as DrillTargetReport } from '@understudy/drill';

/**
 * What the server asks of the decider. Each method may throw core NotFoundError (404), StateConflictError
 * (409) or ConfigError (400); anything else is a 500.
 */
export interface DashboardActions {
  setOverride(recordId: string, answer: string, mode: OverrideMode, actor: Actor): Promise<unknown>;
  approveFailback(recordId: string, actor: Actor): Promise<unknown>;
  releaseGuard(actor: Actor): Promise<unknown>;
  /** Apply the current plan to one provider target once, even when it is unsafe. */
  forcePlan(target: string, actor: Actor): Promise<ApplyReport[]>;
  startDrill(req: { recordId: string; target?: string; actor: Actor }): Promise<{ id: string }>;
  drill(id: string): Promise<DrillReport | null>;
  drills(): Promise<DrillReport[]>;
  /**
   * Re-reads and validates the config file of the process serving this dashboard and applies it (issue 13).
   * Absent where the process cannot reload (the route then answers 503).
   */
  reload?(actor: Actor): Promise<ReloadOutcome>;
}

/** What a reload did: the config hashes, the roles that applied it or need a restart, or every problem. */
export interface ReloadOutcome {
  ok: boolean;
  /** Hash of the config running before (and still running after a refused reload). */
  from: string;
  /** Hash of the file read; null when it could not be read or parsed. */
  to: string | null;
  applied: string[];
  restartNeeded: string[];
  problems: string[];
}

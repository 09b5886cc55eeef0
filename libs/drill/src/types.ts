/**
 * The drill report and what a drill needs from its host. DrillReport is the one definition: the dashboard API
 * (GET /api/v1/drills/{id}) and the CLI use this type.
 */
import type {
  ActiveAnswer,
  Actor,
  Clock,
  FailoverRecordType,
  ListenAddress,
  OverrideMode,
  UnderstudyConfig,
} from '@understudy/core';

export type DrillStatus = 'running' | 'done' | 'failed';

export interface DrillTargetResult {
  /** "dns" for the built-in server, else the provider target's name. */
  target: string;
  /** For "dns": the server address queried ("127.0.0.1:53"). */
  instance?: string;
  /** Epoch ms when this target was first seen serving the drill's answer; null if it never was. */
  servedNewAt: number | null;
  /** Epoch ms when it was seen serving the original answer again; null if not (yet). */
  restoredAt: number | null;
  error?: string;
}

export interface DrillReport {
  id: string;
  /** Record id, e.g. "app.example.test./A". */
  record: string;
  /** The target the drill was limited to, or null for all. */
  target: string | null;
  actor: Actor;
  startedAt: number;
  /** Values served before the drill, and during it (sorted, canonical). */
  from: string[];
  to: string[];
  status: DrillStatus;
  targets: DrillTargetResult[];
  finishedAt: number | null;
  error?: string;
  /** Answer names: the one forced down, and the one served instead. */
  fromAnswer?: string;
  toAnswer?: string;
  /** When the down override was applied, and when the restore began (epoch ms). */
  overrideAt?: number;
  restoreAt?: number;
}

/** What the decider says a record serves now. */
export interface RecordView {
  values: string[];
  active: ActiveAnswer;
  publishedAt: Record<string, number>;
  effectiveBy: Record<string, number>;
  pendingFailback?: { to: string } | null;
}

export interface DrillDeps {
  config: UnderstudyConfig;
  /** An audited engine override through the decider (the same path as POST …/overrides). */
  setOverride(recordId: string, answer: string, mode: OverrideMode, actor: Actor): Promise<unknown>;
  /** Approve the failback the restore leaves pending, so the restore does not wait for failbackAfter. */
  approveFailback?(recordId: string, actor: Actor): Promise<unknown>;
  /** The values a DNS server answers with for (name, type); queryUdp from @understudy/dns-server fits. */
  queryDns(server: ListenAddress, name: string, type: FailoverRecordType): Promise<string[]>;
  readRecord(recordId: string): RecordView | Promise<RecordView>;
  /** The values a provider target holds for the record; without it, the decider's publishedAt is used. */
  providerValues?(target: string, recordId: string): Promise<string[]>;
  /** The DNS servers to time; default config.listen.dns (pass the bound addresses when ports are 0). */
  dnsServers?: ListenAddress[];
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** How long each phase (switch, restore) may take per target before the drill fails. */
  timeoutMs: number;
  /** Default 100 ms. */
  pollIntervalMs?: number;
}

export interface DrillRequest {
  recordId: string;
  target?: string | null;
  actor: Actor;
}

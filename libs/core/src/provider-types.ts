/**
 * Provider sync: plans and the DnsProvider port. A plan is plain JSON data; providers only execute plans.
 */
import type { RecordType } from './config-types.js';
import type { Closeable } from './ports.js';

/** One RRset as a provider holds it. Names are absolute, lower-case, end with a dot; values canonical. */
export interface ProviderRecord {
  name: string;
  type: RecordType;
  /** Seconds. */
  ttl: number;
  /** Canonical presentation-format values (see rdata.ts), sorted. */
  values: string[];
}

export interface PlanUpdate {
  before: ProviderRecord;
  after: ProviderRecord;
}

export interface Plan {
  target: string;
  /** Zone apex, absolute. */
  zone: string;
  creates: ProviderRecord[];
  updates: PlanUpdate[];
  deletes: ProviderRecord[];
  /** Desired records that exist at the provider without our ownership marker and were left alone. */
  conflicts: ProviderRecord[];
}

/** What a provider holds in one zone, split by ownership. */
export interface ZoneRead {
  zone: string;
  /** Records carrying our ownership marker (the marker records themselves are not listed). */
  owned: ProviderRecord[];
  /** Records without our marker. Never changed unless the target is configured with takeover. */
  foreign: ProviderRecord[];
}

export type ChangeKind = 'create' | 'update' | 'delete';

export interface ChangeResult {
  kind: ChangeKind;
  name: string;
  type: RecordType;
  ok: boolean;
  error?: string;
}

export interface ApplyReport {
  target: string;
  zone: string;
  changes: ChangeResult[];
  /** The provider confirmed the change is live (Route 53: INSYNC; Cloudflare: the API accepted it). */
  propagated: boolean;
  /** Epoch ms at which the provider confirmed propagation; null when not (yet) confirmed. */
  publishedAt: number | null;
  apiCalls: number;
  batches: number;
  retries: number;
}

export interface NormalizeResult {
  records: ProviderRecord[];
  /** Things the provider cannot honour exactly, e.g. a TTL raised to the provider minimum. */
  warnings: string[];
}

export type ProviderType = 'builtin' | 'route53' | 'cloudflare';

/** The publication target name of the built-in DNS server (a provider target may not take it). */
export const BUILTIN_TARGET = 'dns';
/** An ownership marker a plan will write, for the operator to see before applying (issue 13). */
export interface OwnershipMarker {
  /** The managed record it marks, `name/type`. */
  record: string;
  /** Route 53: a TXT record of its own; Cloudflare: the record's comment. */
  kind: 'record' | 'comment';
  /** As it will be written, e.g. `_understudy-a.app.example.com. TXT 300 "understudy:owner=x;type=A"`. */
  text: string;
}

export interface DnsProvider extends Closeable {
  /** Target name from config. */
  readonly name: string;
  readonly type: ProviderType;
  read(zone: string): Promise<ZoneRead>;
  normalize(desired: ProviderRecord[]): NormalizeResult;
  apply(plan: Plan): Promise<ApplyReport>;
  /** The ownership markers apply(plan) would write, judged against the last read of the plan's zone. */
  ownershipMarkers?(plan: Plan): OwnershipMarker[];
}

/** Per-target sync status, persisted by the StateStore so it survives a decider restart or failover. */
export interface TargetSyncStatus {
  target: string;
  type: ProviderType;
  /** The zone-state serial the target last fully applied (null before the first success). */
  appliedSerial: number | null;
  lastPlan: Plan[] | null;
  lastAppliedAt: number | null;
  lastError: { message: string; at: number; kind: string } | null;
  nextRetryAt: number | null;
  /** Consecutive failures. */
  attempts: number;
  /** The last reconcile found nothing to change. */
  inSync: boolean;
  lastReconcileAt: number | null;
}

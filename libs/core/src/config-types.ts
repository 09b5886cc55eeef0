/**
 * The validated, defaults-filled configuration. libs/config produces it from YAML; everything else consumes it.
 * All durations are milliseconds. All DNS names are absolute, lower-case and end with a dot.
 */
import type { CheckConfig, QuorumRule } from './config-checks.js';
import type { DnsServerConfig } from './config-dns.js';
import type { ZoneConfig } from './config-records.js';

export type * from './config-checks.js';
export type * from './config-records.js';
export type * from './config-dns.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface MassFailureGuardConfig {
  enabled: boolean;
  /** Hold when more than this share (0..1) of all checks went down by quorum within `window`. */
  share: number;
  /** What "at once" means: downs older than this no longer count (held checks always do). */
  window: number;
  /** The guard only arms when at least this many checks are configured. */
  minChecks: number;
}

export interface DeciderConfig {
  /** A (check, region) with no result for this many check intervals is stale and stops voting. */
  staleAfterIntervals: number;
  /** Fewer fresh voting regions than this and a check's verdict holds where it is. */
  minVoters: number;
  massFailureGuard: MassFailureGuardConfig;
  /** How often timers (failback, staleness, damping release) are evaluated. */
  tickInterval: number;
  /** Leader lease TTL in distributed mode: a standby takes over within this long of the leader dying. */
  leaseTtl: number;
}

export interface AdminToken {
  /** Who acts: written to the audit timeline with every change made with this token. */
  name: string;
  token: string;
}

interface TargetBase {
  /** Unique target name, used in plans, events, metrics and publishedAt. "dns" is the built-in server. */
  name: string;
  /** Zones to sync: apex (absolute) plus the provider's zone id when configured (else found by name). */
  zones: { apex: string; id: string | null }[];
  /** Change records that exist without our ownership marker (default false: never touch them). */
  takeover: boolean;
}

export interface Route53TargetConfig extends TargetBase {
  type: 'route53';
  /** Override of the API endpoint (an emulator); null = AWS. */
  endpoint: string | null;
  region: string;
  /** Static credentials; null = the standard AWS chain (env, shared profile, …). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  profile: string | null;
  /** Client-side limit for the whole account. Route 53 allows 5 requests/s. */
  requestsPerSecond: number;
  /** How often GetChange is polled until INSYNC. */
  pollInterval: number;
  /** Issue 17: targets naming the same AWS account share one rate budget; null = per access key/profile. */
  account: string | null;
}

export interface CloudflareTargetConfig extends TargetBase {
  type: 'cloudflare';
  apiToken: string;
  /** Override of the API base URL (an emulator); null = https://api.cloudflare.com/client/v4. */
  endpoint: string | null;
  /** Changes per /dns_records/batch call: 200 on Free, up to 3,500 on paid plans. */
  batchSize: number;
  /** Provider minimum TTL in seconds: 60, or 30 on Enterprise. */
  minTtl: number;
  /** Publish records proxied (orange cloud). Proxied records have a fixed 300 s TTL. */
  proxied: boolean;
  /** Client-side limit: `requests` per `window` ms (Cloudflare: 1,200 per 5 minutes). */
  rateLimit: { requests: number; window: number };
  /** Issue 17: targets naming the same Cloudflare user share one rate budget; null = per token. */
  user: string | null;
}

export type TargetConfig = Route53TargetConfig | CloudflareTargetConfig;

export interface SyncConfig {
  /** Periodic reconcile of every target, to catch drift. */
  reconcileInterval: number;
  /** A plan changing more than this share (0..1) of owned records is refused unless forced. */
  maxChangeShare: number;
  /** Apply unsafe plans without --force (not recommended). */
  allowUnsafe: boolean;
  /** Written into ownership markers; distinguishes installations sharing one zone. */
  ownerId: string;
}

export type WebhookEventKind =
  'failover' | 'failback' | 'all-down' | 'guard-hold' | 'region-stale' | 'sync-failed' | 'cert-expiring';

export interface WebhookConfig {
  name: string;
  url: string;
  format: 'json' | 'slack';
  /** HMAC-SHA256 key for the X-Understudy-Signature header; null = unsigned. */
  secret: string | null;
  events: WebhookEventKind[];
  timeout: number;
  /** Deliveries are retried with exponential backoff up to this many attempts. */
  maxAttempts: number;
}

export interface DashboardConfig {
  /** Require a token (admin.tokens) for reads too, not only for changes. */
  readAuth: boolean;
}

// --- HTTP servers' limits and guards (issue #10) ---
/**
 * Limits and guards of both HTTP servers: the dashboard/API (listen.dashboard) and the ops endpoint
 * (listen.http). They keep load on HTTP from starving the probes and the decider of descriptors.
 */
export interface HttpServersConfig {
  /**
   * Host names (besides loopback names, IP literals and the listen address) a request may name in its
   * Host header; "*.example.com" matches subdomains, "*" turns the check off. Guards against DNS rebinding.
   */
  allowedHosts: string[];
  /** Reverse proxies (IP addresses) whose X-Forwarded-For names the client; empty = trust none. */
  trustedProxies: string[];
  /** Open connections per server; more are closed at once. */
  maxConnections: number;
  /** Open connections per client address per server (a trusted proxy counts against maxConnections only). */
  maxConnectionsPerClient: number;
  /** Live event streams (/api/v1/stream) in all. */
  maxStreams: number;
  /** Live event streams per client. */
  maxStreamsPerClient: number;
  /** ms to receive a request's headers. */
  headersTimeout: number;
  /** ms to receive a whole request. */
  requestTimeout: number;
  /** ms an idle keep-alive connection is kept. */
  keepAliveTimeout: number;
}

/** Sized so both servers together hold well under half of a 1,024-descriptor limit. */
export const DEFAULT_HTTP_SERVERS: Readonly<HttpServersConfig> = Object.freeze({
  allowedHosts: [],
  trustedProxies: [],
  maxConnections: 200,
  maxConnectionsPerClient: 32,
  maxStreams: 50,
  maxStreamsPerClient: 8,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
});
// --- end HTTP servers ---

export interface UnderstudyConfig {
  regions: string[];
  /** Default quorum; each check may override it. */
  quorum: QuorumRule;
  zones: ZoneConfig[];
  checks: CheckConfig[];
  decider: DeciderConfig;
  listen: {
    dns: ListenAddress[];
    /** Health, readiness and metrics endpoint. */
    http: ListenAddress | null;
    /** Dashboard and HTTP API (/api/v1). null = not served. */
    dashboard: ListenAddress | null;
  };
  dashboard: DashboardConfig;
  /** Limits and guards of the dashboard and the ops endpoint (issue #10). */
  httpServers: HttpServersConfig;
  /** Providers the decision is synced to, besides the built-in DNS server. */
  targets: TargetConfig[];
  sync: SyncConfig;
  webhooks: WebhookConfig[];
  dns: DnsServerConfig;
  /** Bearer tokens for operator actions (overrides, failback approval, guard release). Empty = disabled. */
  admin: { tokens: AdminToken[] };
  state: {
    /** Embedded mode persists state here (verdicts, record states, serial). null = memory only. */
    file: string | null;
  };
  probe: {
    /** Results are published in one batch per region per flush interval. */
    flushInterval: number;
    /** Random share of the interval added to each check's schedule (0..1). */
    jitter: number;
    // --- probe self-health (issue #10) ---
    /** When a probe counts as unhealthy: its region then stops voting, as if it were stale. */
    health: ProbeHealthConfig;
  };
  logging: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  };
  // --- metrics cardinality (issue 11) ---
  metrics: MetricsConfig;
}

// --- metrics cardinality (issue 11) ---
export interface MetricsConfig {
  /**
   * Series labelled per failover record on /metrics (current answer, all answers down, switches). Resolved
   * from `auto` at load: on up to PER_RECORD_METRICS_AUTO_LIMIT failover records, else off (the aggregate
   * series stay).
   */
  perRecord: boolean;
}

/** `metrics.perRecord: auto` keeps per-record series up to this many failover records. */
export const PER_RECORD_METRICS_AUTO_LIMIT = 1_000;
// --- end metrics cardinality ---

// --- probe self-health (issue #10) ---
export interface ProbeHealthConfig {
  /**
   * Event-loop delay (ms) above which a probe is unhealthy. A check deadline that fires later than
   * min(this, max(100 ms, timeout / 2)) past due was missed because the loop stalled: a probe-error.
   */
  maxEventLoopDelay: number;
  /** Share (0..1] of the descriptor limit in use above which a probe is unhealthy. */
  maxFdShare: number;
}

export const DEFAULT_PROBE_HEALTH: ProbeHealthConfig = { maxEventLoopDelay: 1_000, maxFdShare: 0.9 };

/**
 * The validated, defaults-filled configuration. libs/config produces it from YAML; everything else consumes it.
 * All durations are milliseconds. All DNS names are absolute, lower-case and end with a dot.
 */
import type { DnsRcodeName } from './dns-codes.js';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'MX' | 'NS' | 'SRV' | 'CAA' | 'SOA';
export type FailoverRecordType = 'A' | 'AAAA' | 'CNAME';

export type QuorumRule =
  | { kind: 'majority' }
  | { kind: 'all' }
  | { kind: 'any' }
  /** "N/M": at least N/M of the voting regions must see the check down. */
  | { kind: 'fraction'; numerator: number; denominator: number }
  /** "60%": at least this share of the voting regions must see the check down. */
  | { kind: 'percent'; percent: number };

export interface StatusRange {
  from: number;
  to: number;
}

interface CheckBase {
  id: string;
  timeout: number;
  interval: number;
  /** Consecutive failures, in one region, that turn that region's vote to down. */
  fall: number;
  /** Consecutive successes, in one region, that turn that region's vote to up. */
  rise: number;
  /** Regions that run this check (never empty once validated). */
  regions: string[];
  quorum: QuorumRule;
}

export interface HttpCheckConfig extends CheckBase {
  type: 'http' | 'https';
  /** Host to connect to: a name (resolved at every run) or an IP literal. */
  host: string;
  port: number;
  /** Path plus query string, starting with "/". */
  path: string;
  method: string;
  headers: Record<string, string>;
  /** Host header to send; defaults to host[:port]. */
  hostHeader: string | null;
  /** TLS server name to send (SNI); defaults to hostHeader's name, then host (never an IP literal). */
  sni: string | null;
  expectStatus: StatusRange[];
  body: { contains: string } | { regex: string } | null;
  tls: {
    verify: boolean;
    caFile: string | null;
    /** The check fails with reason `cert-expiring` when the leaf certificate expires within this many days. */
    minCertDays: number | null;
  };
  /** Upper bound on body bytes read for matching. */
  maxBodyBytes: number;
}

export interface TcpCheckConfig extends CheckBase {
  type: 'tcp';
  host: string;
  port: number;
}

// ---- issue 14 (i14-checks): DNS and composite checks ----

/** Queries a DNS server for (name, type); healthy when the rcode (and optionally the answer values) match. */
export interface DnsCheckConfig extends CheckBase {
  type: 'dns';
  /** Server to query: a name (resolved at every run) or an IP literal. */
  host: string;
  port: number;
  /** Absolute query name, lower-case, with the trailing dot. */
  name: string;
  /** Query type mnemonic, upper case (A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT, CAA). */
  recordType: string;
  /** udp: UDP, retried over TCP when the reply is truncated (TC); tcp: TCP only. */
  transport: 'udp' | 'tcp';
  expectRcode: DnsRcodeName;
  /**
   * Answer values (canonical presentation form, of the answer records of recordType): `exact` the set must
   * be equal, `contains` every listed value must be present. null: any answer (or none) will do.
   */
  expectAnswers: { exact: string[] } | { contains: string[] } | null;
}

/**
 * A calculated check (Route 53 "calculated"): no probing, its verdict follows its children's cross-region
 * verdicts in the decider. up when at least `atLeast` children are up; with `invert`, up and down swap.
 */
export interface CompositeCheckConfig {
  id: string;
  type: 'composite';
  /** Ids of other checks (probed or composite; no cycles). */
  children: string[];
  /** 1..children.length. */
  atLeast: number;
  invert: boolean;
}

/** The checks the probes run. */
export type ProbedCheckConfig = HttpCheckConfig | TcpCheckConfig | DnsCheckConfig;

export type CheckConfig = ProbedCheckConfig | CompositeCheckConfig;

// ---- end issue 14 (i14-checks) ----

export interface AnswerConfig {
  /** Unique within the record; tier order is array order (first is PRIMARY). */
  name: string;
  /** Canonical presentation-format values (see rdata.ts). */
  values: string[];
  /** Check id; an answer without a check is always healthy. */
  check: string | null;
  // --- issue 14: health per address (i14addr) ---
  /**
   * Addresses checked each on its own (from `checkTemplate` or a check per address); `values` then lists
   * them all in config order and `check` is null. Absent (hand-built configs) or null: one check per tier.
   */
  addresses?: AddressConfig[] | null;
  /** With addresses: the tier is up while at least this many are eligible (resolved from a count or a share). */
  minHealthy?: number;
  // --- end issue 14 ---
}

// --- issue 14: health per address (i14addr) ---
export interface AddressConfig {
  /** Canonical presentation-format value. */
  value: string;
  /** When maxAnswers caps the healthy set, the heaviest addresses are served (ties: config order). */
  weight: number;
  /** Check id (a concrete check, or a template's expansion such as `web@192.0.2.1`); null = always healthy. */
  check: string | null;
}
// --- end issue 14 ---

export type WhenAllDown =
  | { mode: 'primary' }
  | { mode: 'last' }
  | { mode: 'none' }
  | { mode: 'fallback'; name: string; values: string[] };

export interface FlapDampingConfig {
  /** Damping starts when the record has switched this many times within `window`. */
  maxFlips: number;
  window: number;
}

export interface FailoverRecordConfig {
  /** `${name}/${type}`, e.g. "app.example.test./A". */
  id: string;
  zone: string;
  name: string;
  type: FailoverRecordType;
  ttl: number;
  answers: AnswerConfig[];
  whenAllDown: WhenAllDown;
  /** How long a better tier must stay healthy before we move back to it, or 'manual' (operator approval). */
  failbackAfter: number | 'manual';
  flapDamping: FlapDampingConfig | null;
  // --- issue 14: health per address (i14addr) ---
  /** At most this many values are served (Route 53 multivalue: 8); absent or null = no cap. */
  maxAnswers?: number | null;
  /** Seconds served while the record is degraded (some addresses or regions failing); absent/null = off. */
  degradedTtl?: number | null;
  // --- end issue 14 ---
  // --- issue 14 part 3: steering by client location (contract) ---
  /** Location rules; absent or null = every client gets the same answer. */
  steering?: SteeringConfig | null;
  // --- end issue 14 part 3 ---
}

// --- issue 14 part 3: steering by client location (contract) ---
/** Continent codes as the IP-location databases use them. */
export type ContinentCode = 'AF' | 'AN' | 'AS' | 'EU' | 'NA' | 'OC' | 'SA';

export interface SteeringMatch {
  /** ISO 3166-1 alpha-2, upper case. */
  countries: string[];
  continents: ContinentCode[];
}

export interface SteeringRule {
  /** A client matches the first rule (config order) that lists its country, or else its continent. */
  match: SteeringMatch;
  /** Answer names of the record, most preferred first: the first eligible one is served. */
  order: string[];
  /**
   * Regions whose probes decide health for this rule (the regions nearest these clients); null = the
   * record's normal cross-region verdict.
   */
  healthFrom: string[] | null;
}

export interface SteeringConfig {
  rules: SteeringRule[];
}
// --- end issue 14 part 3 ---

export interface RRset {
  name: string;
  type: RecordType;
  ttl: number;
  /** Canonical presentation-format values. An empty list marks a name that exists with no data (NODATA). */
  values: string[];
}

export interface SoaConfig {
  mname: string;
  rname: string;
  refresh: number;
  retry: number;
  expire: number;
  /** Negative-caching TTL (RFC 2308). Seconds. */
  minimum: number;
  ttl: number;
}

export interface ZoneConfig {
  apex: string;
  /** Seconds. */
  defaultTtl: number;
  soa: SoaConfig;
  ns: string[];
  /** Static records, canonical. */
  records: RRset[];
  failover: FailoverRecordConfig[];
}

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

export interface DnsServerConfig {
  /** Processes answering DNS: 'auto' = one per core, at most 2; 1 = in the main process. */
  workers: number | 'auto';
  /** EDNS(0) UDP payload size we advertise and answer up to (RFC 6891). */
  udpPayloadSize: number;
  /** A TCP connection with no query for this long is closed (RFC 7766). */
  tcpIdleTimeout: number;
  /** Hostile-traffic limits (issue #10 §2). */
  limits: DnsLimitsConfig;
  /**
   * Absolute path of the zone-state disk cache a DNS server serves when it starts without Redis; null = off.
   * loadConfig always sets it; hand-built configs (tests) may leave it out, which means off.
   */
  cacheFile?: string | null;
  // --- issue 15: server identity (i15-conf) ---
  /** NSID and CHAOS TXT answers that tell which server answered; absent = all off. */
  identity?: DnsIdentityConfig;
  // --- zone transfer (issue 15) ---
  /** AXFR/IXFR to standard secondaries and NOTIFY to them; absent in hand-built configs = refused. */
  transfer?: DnsTransferConfig;
  // --- end zone transfer ---
  // --- issue 11: batched UDP I/O (i11-io) ---
  /**
   * How UDP is read and written: 'batched' = the recvmmsg/sendmmsg addon, 'dgram' = node:dgram, 'auto' =
   * batched where the addon loads (Linux). Always falls back to dgram. Absent (hand-built configs) = auto.
   */
  udpIo?: DnsUdpIo;
  // --- issue 14 part 3: client location (contract) ---
  /** How a client's location is found for steered records; absent (hand-built configs) = defaults. */
  geo?: DnsGeoConfig;
  // --- end issue 14 part 3 ---
}

// --- issue 14 part 3: client location (contract) ---
export interface DnsGeoConfig {
  /** Use EDNS Client Subnet (RFC 7871) when a query carries it; otherwise the resolver's address. */
  ecs: boolean;
  /** 'bundled' = the CC0 country database shipped as an npm package; a path = an MMDB file; null = none. */
  database: string | null;
  /** Operator networks checked before the database (private ranges, corrections): CIDR → country. */
  networks: Array<{ prefix: string; country: string }>;
}
// --- end issue 14 part 3 ---

export type DnsUdpIo = 'auto' | 'dgram' | 'batched';
// --- end issue 11: batched UDP I/O ---

// --- issue 15: server identity (i15-conf) ---
export interface DnsIdentityConfig {
  /** TXT answered to CH id.server and hostname.bind; null = REFUSED. */
  id: string | null;
  /** NSID (RFC 5001) sent, as its UTF-8 octets, to queries that ask for it; null = none. */
  nsid: string | null;
  /** TXT answered to CH version.bind and version.server; null (the default) = REFUSED. */
  version: string | null;
}
// --- end issue 15 ---

// --- zone transfer (issue 15) ---
export interface DnsTransferConfig {
  /** Who may transfer: a network and, optionally, the TSIG key that must sign. Empty = nobody (the default). */
  allow: { network: string; key: string | null }[];
  /** TSIG keys (HMAC-SHA256); name lower case with the trailing dot, secret base64 (from the environment). */
  keys: { name: string; secret: string }[];
  /** Secondaries told of every new serial (RFC 1996), signed with `key` when set. */
  notify: { host: string; port: number; key: string | null }[];
  /** Overlay changes each DNS process keeps for IXFR; an older secondary gets AXFR. */
  journalSize: number;
  /** First NOTIFY retry after this long (ms), doubling up to notifyRetryMax, until acknowledged. */
  notifyRetry: number;
  notifyRetryMax: number;
  /** At most one NOTIFY per secondary per this long (ms); serials in between are coalesced. */
  notifyMinInterval: number;
}
// --- end zone transfer ---

// ---- DNS hostile-traffic limits (issue #10 §2) ----

export interface DnsLimitsConfig {
  /** A TCP query frame whose first octet arrived must be complete within this long (ms). */
  tcpFrameTimeout: number;
  /** TCP connections per DNS process and listener; past it the least recently active is closed. */
  tcpMaxConnections: number;
  /** TCP connections from one address (IPv6: one /64). */
  tcpMaxConnectionsPerClient: number;
  rateLimit: DnsRateLimitConfig;
}

/** UDP response-rate limiting per client network, as in NSD/Knot/BIND. */
export interface DnsRateLimitConfig {
  /** Replies per second per network; 0 = off. */
  responsesPerSecond: number;
  /** Every slip-th limited reply goes out truncated (TC=1) instead of dropped; 0 = never. */
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
}

// ---- end of DNS hostile-traffic limits ----

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

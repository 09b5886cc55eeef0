/**
 * The validated, defaults-filled configuration. libs/config produces it from YAML; everything else consumes it.
 * All durations are milliseconds. All DNS names are absolute, lower-case and end with a dot.
 */

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

export type CheckConfig = HttpCheckConfig | TcpCheckConfig;

export interface AnswerConfig {
  /** Unique within the record; tier order is array order (first is PRIMARY). */
  name: string;
  /** Canonical presentation-format values (see rdata.ts). */
  values: string[];
  /** Check id; an answer without a check is always healthy. */
  check: string | null;
}

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
}

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
}

export interface DnsServerConfig {
  /** Processes answering DNS: 'auto' = one per core, at most 2; 1 = in the main process. */
  workers: number | 'auto';
  /** EDNS(0) UDP payload size we advertise and answer up to (RFC 6891). */
  udpPayloadSize: number;
  /** A TCP connection with no query for this long is closed (RFC 7766). */
  tcpIdleTimeout: number;
}

export interface AdminToken {
  /** Who acts: written to the audit timeline with every change made with this token. */
  name: string;
  token: string;
}

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
  };
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
  };
  logging: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  };
}

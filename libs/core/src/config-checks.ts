/** Config types of the checks the probes run and of composite checks (part of config-types.ts). */
import type { DnsRcodeName } from './dns-codes.js';

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

/** What every probed check has: the schedule and the cross-region rule. */
export interface CheckBase {
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

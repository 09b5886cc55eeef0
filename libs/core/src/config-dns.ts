/** Config types of the built-in DNS server: limits, identity, transfer, UDP I/O, client location (part of config-types.ts). */

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

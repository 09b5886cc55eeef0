/** Config types of zones, static records, failover records, their answers and steering (part of config-types.ts). */

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'MX' | 'NS' | 'SRV' | 'CAA' | 'SOA';
export type FailoverRecordType = 'A' | 'AAAA' | 'CNAME';

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

/** Shapes of the Cloudflare v4 DNS API as the emulator stores and serves them. */

export interface CfRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  /** Fully qualified, lower-case, no trailing dot (as Cloudflare returns it). */
  name: string;
  type: string;
  content: string;
  /** 1 means automatic (300 s); proxied records always report 1. */
  ttl: number;
  proxied: boolean;
  proxiable: boolean;
  comment: string | null;
  tags: string[];
  priority?: number;
  data?: Record<string, unknown>;
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

export interface EmulatorZoneOptions {
  /** Apex, with or without the trailing dot. */
  name: string;
  /** 32 hex digits; derived from the name when omitted. */
  id?: string;
  /** Enterprise zones accept TTLs down to 30 s instead of 60 s. */
  enterprise?: boolean;
}

export interface EmulatorZone {
  id: string;
  /** No trailing dot. */
  name: string;
  enterprise: boolean;
}

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export interface Faults {
  /** Per-token request limit (fixed window, like Cloudflare's); null = unlimited. */
  rateLimit: RateLimit | null;
  /** The next N API requests are answered 429 with this Retry-After (seconds). */
  fail429Next: number;
  retryAfterSeconds: number;
  /** The next N API requests are answered 503. */
  fail5xxNext: number;
  /** Share (0..1) of API requests answered 500, drawn from the emulator's seeded random. */
  error5xxRate: number;
  /** Added before every API response. */
  latencyMs: number;
  /** Limit fail429Next/fail5xxNext/error5xxRate to these operations (e.g. ["records.batch"]); null = all. */
  faultOps: string[] | null;
}

export interface EmulatorStats {
  requests: number;
  /** API calls per operation, e.g. "records.list", "records.batch", "zones.list". */
  calls: Record<string, number>;
  batchCalls: number;
  /** Record changes applied (each delete, patch, put and post counts one). */
  changes: number;
  rateLimited: number;
  serverErrors: number;
  /** Requests refused with 4xx for a reason other than the rate limit (auth, validation, not found). */
  rejected: number;
}

export interface CloudflareEmulatorOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Accepted bearer tokens; every token sees every zone. Default ["test-token"]. */
  tokens?: string[];
  /**
   * The user each token belongs to (token → user). Cloudflare's rate limit counts per user, all tokens
   * together; a token not listed is a user of its own.
   */
  users?: Record<string, string>;
  zones?: EmulatorZoneOptions[];
  /** Most changes one /batch call may carry: 200 (Free) by default, up to 3,500. */
  batchLimit?: number;
  /** Largest per_page accepted on list calls (Cloudflare: 5,000 for records, 50 for zones). */
  maxPerPage?: number;
  faults?: Partial<Faults>;
  /** Seed for the 5xx-rate draw, so a run is reproducible. */
  seed?: number;
  /** Epoch ms for created_on/modified_on and the rate-limit window; default Date.now. */
  now?: () => number;
}

/** A refusal in Cloudflare's error shape: HTTP status plus the first error's code and message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** `more`: further entries of the `errors` array; `chain`: the first error's error_chain. */
    readonly detail: {
      more?: { code: number; message: string }[];
      chain?: { code: number; message: string }[];
    } = {},
  ) {
    super(message);
  }
}

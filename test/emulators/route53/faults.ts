/** Fault injection and counters of the Route 53 emulator. Every fault is off by default. */

export interface Route53Faults {
  /** Per account (see the `accounts` option): requests per second before Throttling (Route 53's published limit is 5). null = off. */
  requestsPerSecond: number | null;
  /** The next N API requests get Throttling, whatever the rate. */
  throttleNext: number;
  /** Share (0..1) of API requests answered with Throttling at random. */
  throttleRate: number;
  /** The next N API requests get a 500 InternalFailure (before any state changes). */
  failNext: number;
  /** Share (0..1) of API requests answered with a 500 at random. */
  serverErrorRate: number;
  /** Added before every API response, in ms. */
  latencyMs: number;
  /** A change stays PENDING this long before GetChange reports INSYNC, in ms. */
  insyncDelayMs: number;
  /** Refuse ChangeResourceRecordSets with PriorRequestNotComplete while a change to the zone is PENDING. */
  priorRequestWhilePending: boolean;
}

export const DEFAULT_FAULTS: Route53Faults = {
  requestsPerSecond: null,
  throttleNext: 0,
  throttleRate: 0,
  failNext: 0,
  serverErrorRate: 0,
  latencyMs: 0,
  insyncDelayMs: 0,
  priorRequestWhilePending: false,
};

const NUMERIC: (keyof Route53Faults)[] = [
  'throttleNext',
  'throttleRate',
  'failNext',
  'serverErrorRate',
  'latencyMs',
  'insyncDelayMs',
];

/** Checks a partial fault update from the admin API; returns a problem or the update. */
export function parseFaults(
  input: unknown,
): { ok: true; faults: Partial<Route53Faults> } | { ok: false; error: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, error: 'expected a JSON object' };
  const out: Partial<Route53Faults> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === 'requestsPerSecond') {
      if (v !== null && !(typeof v === 'number' && v > 0))
        return { ok: false, error: `${k}: a positive number or null` };
      out.requestsPerSecond = v as number | null;
    } else if (k === 'priorRequestWhilePending') {
      if (typeof v !== 'boolean') return { ok: false, error: `${k}: a boolean` };
      out.priorRequestWhilePending = v;
    } else if ((NUMERIC as string[]).includes(k)) {
      const rate = k.endsWith('Rate');
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (rate && v > 1)) {
        return { ok: false, error: `${k}: a number ${rate ? 'from 0 to 1' : '≥ 0'}` };
      }
      (out as Record<string, number>)[k] = v;
    } else {
      return { ok: false, error: `unknown fault "${k}"` };
    }
  }
  return { ok: true, faults: out };
}

export interface Route53Stats {
  /** API calls per operation name, including refused ones. */
  calls: Record<string, number>;
  /** Accepted ChangeResourceRecordSets batches, and the Change elements in them. */
  changeBatches: number;
  changes: number;
  throttled: number;
  serverErrors: number;
  priorRequestNotComplete: number;
  authFailures: number;
  /** Arrival time (epoch ms), operation and access key of the latest API requests (bounded). */
  requests: { at: number; op: string; accessKeyId: string | null }[];
}

export const emptyStats = (): Route53Stats => ({
  calls: {},
  changeBatches: 0,
  changes: 0,
  throttled: 0,
  serverErrors: 0,
  priorRequestNotComplete: 0,
  authFailures: 0,
  requests: [],
});

export const MAX_REQUEST_LOG = 20_000;

/** Route 53 style account limit: a bucket per account with a one-second burst. */
export class AccountRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  admit(account: string, perSecond: number, now: number): boolean {
    const b = this.buckets.get(account) ?? { tokens: perSecond, at: now };
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(account, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

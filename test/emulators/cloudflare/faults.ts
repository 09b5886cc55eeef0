/**
 * Fault injection and Cloudflare's rate limit, counted per user (every token of the user together, see
 * https://developers.cloudflare.com/fundamentals/api/reference/limits/). The limit is a fixed window per user:
 * once exceeded, every call is refused with 429 for a full window from then (Cloudflare: "all API calls for
 * the next five minutes will be blocked").
 */
import { ApiFailure, type Faults, type RateLimit } from './types.js';

export const REAL_RATE_LIMIT: RateLimit = { requests: 1200, windowMs: 300_000 };

export const NO_FAULTS: Faults = {
  rateLimit: null,
  fail429Next: 0,
  retryAfterSeconds: 1,
  fail5xxNext: 0,
  error5xxRate: 0,
  latencyMs: 0,
  faultOps: null,
};

interface Window {
  start: number;
  count: number;
  /** Set when the user went over: every call is refused until then (a full window from that call). */
  blockedUntil?: number;
}

/** Mulberry32: a small seeded PRNG so a 5xx rate gives the same sequence on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaults(input: Partial<Faults>): Partial<Faults> {
  const count = (v: unknown, what: string): void => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))
      throw new ApiFailure(400, 1004, `${what} must be a non-negative integer`);
  };
  count(input.fail429Next, 'fail429Next');
  count(input.fail5xxNext, 'fail5xxNext');
  count(input.latencyMs, 'latencyMs');
  count(input.retryAfterSeconds, 'retryAfterSeconds');
  const rate = input.error5xxRate;
  if (rate !== undefined && (typeof rate !== 'number' || rate < 0 || rate > 1))
    throw new ApiFailure(400, 1004, 'error5xxRate must be between 0 and 1');
  const ops = input.faultOps;
  if (ops !== undefined && ops !== null && (!Array.isArray(ops) || ops.some((o) => typeof o !== 'string')))
    throw new ApiFailure(400, 1004, 'faultOps must be an array of operation names or null');
  const rl = input.rateLimit;
  if (rl !== undefined && rl !== null) {
    count(rl.requests, 'rateLimit.requests');
    count(rl.windowMs, 'rateLimit.windowMs');
    if (rl.requests < 1 || rl.windowMs < 1)
      throw new ApiFailure(400, 1004, 'rateLimit needs requests and windowMs ≥ 1');
  }
  return input;
}

export class FaultGate {
  private faults: Faults;
  private readonly windows = new Map<string, Window>();
  private readonly random: () => number;

  constructor(
    initial: Partial<Faults>,
    seed: number,
    private readonly now: () => number,
  ) {
    this.faults = { ...NO_FAULTS, ...validateFaults(initial) };
    this.random = seeded(seed);
  }

  set(partial: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...validateFaults(partial) };
    if (partial.rateLimit !== undefined) this.windows.clear();
    return this.current();
  }

  current(): Faults {
    return structuredClone(this.faults);
  }

  get latencyMs(): number {
    return this.faults.latencyMs;
  }

  /**
   * Decides the fate of one authenticated API request: throws ApiFailure (429 or 5xx) or returns the
   * rate-limit headers to send with the normal answer.
   */
  admit(tokenKey: string, op: string): Record<string, string> {
    const headers = this.countRequest(tokenKey);
    const f = this.faults;
    if (f.faultOps !== null && !f.faultOps.includes(op)) return headers;
    if (f.fail429Next > 0) {
      f.fail429Next--;
      throw this.tooMany(f.retryAfterSeconds, headers);
    }
    if (f.fail5xxNext > 0) {
      f.fail5xxNext--;
      throw new ApiFailure(503, 10000, 'Service temporarily unavailable (injected)');
    }
    if (f.error5xxRate > 0 && this.random() < f.error5xxRate)
      throw new ApiFailure(500, 10000, 'Internal server error (injected)');
    return headers;
  }

  private countRequest(tokenKey: string): Record<string, string> {
    const rl = this.faults.rateLimit;
    if (!rl) return {};
    const t = this.now();
    let w = this.windows.get(tokenKey);
    const blocked = w?.blockedUntil !== undefined && t < w.blockedUntil;
    if (!w || (!blocked && t - w.start >= rl.windowMs)) {
      w = { start: t, count: 0 };
      this.windows.set(tokenKey, w);
    }
    w.count++;
    const end = w.blockedUntil !== undefined && blocked ? w.blockedUntil : w.start + rl.windowMs;
    const resetS = Math.max(1, Math.ceil((end - t) / 1000));
    const remaining = Math.max(0, rl.requests - w.count);
    const headers = {
      ratelimit: `"default";r=${remaining};t=${resetS}`,
      'ratelimit-policy': `"default";q=${rl.requests};w=${Math.round(rl.windowMs / 1000)}`,
    };
    if (blocked) throw this.tooMany(resetS, headers);
    if (w.count > rl.requests) {
      // Going over blocks every call of the user for the next full window (Cloudflare: 5 minutes).
      w.blockedUntil = t + rl.windowMs;
      throw this.tooMany(Math.max(1, Math.ceil(rl.windowMs / 1000)), headers);
    }
    return headers;
  }

  private tooMany(retryAfterSeconds: number, headers: Record<string, string>): ApiFailure {
    return new ApiFailure(429, 971, 'Please wait and consider throttling your request speed', {
      ...headers,
      'retry-after': String(retryAfterSeconds),
    });
  }
}

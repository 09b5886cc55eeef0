/** Rate-limit arithmetic for provider clients: a token bucket and full-jitter backoff. No timers, no clock. */

export interface TokenBucketOptions {
  /** Largest burst. */
  capacity: number;
  /** Tokens added per millisecond. */
  refillPerMs: number;
}

/**
 * A token bucket that hands out reservations: `take(now)` always takes a token and says how long the
 * caller must wait before using it. The balance may go negative, so concurrent callers line up in call
 * order instead of racing for the next token.
 */
export class TokenBucket {
  private tokens: number;
  private at: number | null = null;

  constructor(readonly opts: TokenBucketOptions) {
    if (!(opts.capacity >= 1) || !(opts.refillPerMs > 0)) {
      throw new RangeError('TokenBucket needs capacity >= 1 and refillPerMs > 0');
    }
    this.tokens = opts.capacity;
  }

  /** `requests` per `windowMs`, with a burst of at most `burst` (default: one window's worth). */
  static perWindow(requests: number, windowMs: number, burst = requests): TokenBucket {
    return new TokenBucket({ capacity: burst, refillPerMs: requests / windowMs });
  }

  /** Reserve `n` tokens at `now` (epoch ms); returns the wait in ms before they may be used (0 = now). */
  take(now: number, n = 1): number {
    this.refill(now);
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.opts.refillPerMs);
  }

  /** Tokens available at `now` without reserving (negative while reservations are outstanding). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Empty the bucket until `until` (a server said to slow down: Retry-After, 429, Throttling). */
  drainUntil(now: number, until: number): void {
    this.refill(now);
    const owed = Math.max(0, until - now) * this.opts.refillPerMs;
    this.tokens = Math.min(this.tokens, -owed);
  }

  private refill(now: number): void {
    // A clock that steps back must not mint tokens.
    if (this.at !== null && now > this.at) {
      this.tokens = Math.min(this.opts.capacity, this.tokens + (now - this.at) * this.opts.refillPerMs);
    }
    if (this.at === null || now > this.at) this.at = now;
  }
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * "Full jitter": a uniform delay in [0, min(maxMs, baseMs × 2^attempt)). `attempt` counts from 0;
 * `random01` is uniform in [0, 1) (an injected Random).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random01: number): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(Math.min(Math.max(random01, 0), 1) * ceiling);
}

/** The wait before retry `attempt`: the server's Retry-After when given, never less than the backoff. */
export function retryDelay(
  attempt: number,
  opts: BackoffOptions,
  random01: number,
  retryAfterMs?: number,
): number {
  return Math.max(retryAfterMs ?? 0, backoffDelay(attempt, opts, random01));
}

/**
 * One token bucket per Cloudflare user and endpoint, shared by every target and zone of that user:
 * Cloudflare counts requests per user, all tokens (and the dashboard) together. The user is the
 * target's `user` setting; without it, each token is taken to be a user of its own.
 */
import { createHash } from 'node:crypto';
import { TokenBucket } from '@understudy/core';

const buckets = new Map<string, TokenBucket>();

/**
 * Burst plus refill over one window never exceeds `requests`, so no sliding window of Cloudflare's
 * length can see more than the limit, whatever the call pattern.
 */
export function bucketFor(
  who: { apiToken: string; user: string | null },
  endpoint: string,
  limit: { requests: number; window: number },
): TokenBucket {
  // The key holds a digest, never the token itself.
  const key =
    who.user !== null
      ? `${endpoint}\nuser:${who.user}`
      : `${endpoint}\ntoken:${createHash('sha256').update(who.apiToken).digest('hex')}`;
  let b = buckets.get(key);
  if (!b) {
    const burst = Math.max(1, Math.floor(limit.requests / 6));
    const refill = Math.max(1, limit.requests - burst) / limit.window;
    b = new TokenBucket({ capacity: burst, refillPerMs: refill });
    buckets.set(key, b);
  }
  return b;
}

/**
 * One token bucket per API token and endpoint, shared by every target and zone using that token:
 * Cloudflare counts requests per token, however many targets we configure with it.
 */
import { createHash } from 'node:crypto';
import { TokenBucket } from '@understudy/core';

const buckets = new Map<string, TokenBucket>();

/**
 * Burst plus refill over one window never exceeds `requests`, so no sliding window of Cloudflare's
 * length can see more than the limit, whatever the call pattern.
 */
export function bucketFor(
  apiToken: string,
  endpoint: string,
  limit: { requests: number; window: number },
): TokenBucket {
  // The key holds a digest, never the token itself.
  const key = `${endpoint}\n${createHash('sha256').update(apiToken).digest('hex')}`;
  let b = buckets.get(key);
  if (!b) {
    const burst = Math.max(1, Math.floor(limit.requests / 6));
    const refill = Math.max(1, limit.requests - burst) / limit.window;
    b = new TokenBucket({ capacity: burst, refillPerMs: refill });
    buckets.set(key, b);
  }
  return b;
}

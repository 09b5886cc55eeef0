/**
 * Every Cloudflare call goes through here: a token from the shared bucket first, then the call. Each
 * retry waits core's retryDelay (full-jitter backoff, never less than the server's Retry-After); 429s
 * drain the bucket for that long so every caller on the token pauses, other failures sleep it here.
 * The SDK's own retries are off so each attempt is counted.
 */
import {
  retryDelay,
  TransientError,
  type BackoffOptions,
  type Clock,
  type Logger,
  type Random,
  type TokenBucket,
} from '@understudy/core';
import { authError, classify, CloudflareApiError, targetLabel } from './errors.js';
import { retryAfterMs } from './retry-after.js';
import { APIError } from 'cloudflare';

export interface CallCounters {
  apiCalls: number;
  retries: number;
  rateLimited: number;
}

export interface CallPolicy {
  target: string;
  bucket: TokenBucket;
  clock: Clock;
  random: Random;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** A single wait longer than this is not slept through: the call fails as transient with retryAfterMs. */
  maxWaitMs: number;
  backoff: BackoffOptions;
}

export const newCounters = (): CallCounters => ({ apiCalls: 0, retries: 0, rateLimited: 0 });

export async function callApi<T>(
  policy: CallPolicy,
  counters: CallCounters,
  what: { op: string; zone: string },
  fn: () => Promise<T>,
): Promise<T> {
  const label = `${targetLabel(policy.target)}: ${what.op} for zone ${what.zone}`;
  for (let attempt = 0; ; attempt++) {
    const wait = policy.bucket.take(policy.clock.now());
    if (wait > policy.maxWaitMs)
      throw new TransientError(
        `${label}: rate limited, next request allowed in ${Math.ceil(wait / 1000)} s`,
        wait,
      );
    if (wait > 0) await policy.sleep(wait);
    counters.apiCalls++;
    try {
      return await fn();
    } catch (err) {
      const f = classify(err);
      if (f.kind === 'auth') throw authError(policy.target, what.zone, f.detail);
      if (f.kind === 'refused')
        throw new CloudflareApiError(`${label} was refused: ${f.detail}`, f.status, f.codes);
      const now = policy.clock.now();
      const headers = err instanceof APIError ? (err.headers as Headers | undefined) : undefined;
      // Only a 429's headers say how long to hold off (the Ratelimit reset on any other reply is the
      // window's, not a retry hint). The server's wait is the floor; full-jitter backoff otherwise.
      const asked = f.kind === 'rate-limit' ? retryAfterMs(headers, now) : undefined;
      const delay = retryDelay(attempt, policy.backoff, policy.random.next(), asked);
      if (f.kind === 'rate-limit') {
        counters.rateLimited++;
        // Every caller on this token waits: the bucket hands out the next tokens in call order.
        policy.bucket.drainUntil(now, now + delay);
      }
      if (attempt + 1 >= policy.maxAttempts || delay > policy.maxWaitMs)
        throw new TransientError(`${label} failed after ${attempt + 1} attempt(s): ${f.detail}`, delay, {
          cause: err,
        });
      counters.retries++;
      policy.logger.warn(
        { target: policy.target, op: what.op, attempt: attempt + 1, delayMs: delay, detail: f.detail },
        'cloudflare call retried',
      );
      // After a 429 the bucket carries the wait; other failures sleep here.
      if (f.kind !== 'rate-limit') await policy.sleep(delay);
    }
  }
}

/**
 * Every Route 53 request goes through `call`: the account's token bucket first, then the SDK (with its
 * own retries off, so every attempt is counted here), then our backoff with full jitter on Throttling,
 * PriorRequestNotComplete, 5xx and connection failures.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import type { Clock, Logger, Random, Route53TargetConfig } from '@understudy/core';
import { retryDelay } from '@understudy/core';
import type { Account } from './account.js';
import { accountKey, joinAccount, leaveAccount } from './account.js';
import { errorCode, isRetryable, isThrottle, translate } from './errors.js';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 200, maxMs: 5_000 };

/** Per-apply (or per-read) tallies for the report. */
export interface CallCounters {
  apiCalls: number;
  retries: number;
}

export interface ApiClientDeps {
  logger: Logger;
  clock: Clock;
  random: Random;
  sleep: (ms: number) => Promise<void>;
  retry: RetryPolicy;
}

export class Route53Api {
  readonly client: Route53Client;
  readonly account: Account;
  private closed = false;

  constructor(
    private readonly config: Route53TargetConfig,
    private readonly deps: ApiClientDeps,
  ) {
    const credentials =
      config.accessKeyId !== null && config.secretAccessKey !== null
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined;
    // Never log this object: it holds the secret key.
    this.client = new Route53Client({
      region: config.region,
      maxAttempts: 1,
      ...(config.endpoint !== null ? { endpoint: config.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      ...(credentials === undefined && config.profile !== null ? { profile: config.profile } : {}),
    });
    this.account = joinAccount(accountKey(config), config.requestsPerSecond);
  }

  /** Sends one command, rate-limited and retried; throws TransientError or Route53TargetError. */
  async call<T>(op: string, send: (client: Route53Client) => Promise<T>, counters: CallCounters): Promise<T> {
    const { clock, random, sleep, retry, logger } = this.deps;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw translate(this.config.name, op, new Error('provider closed'), attempt - 1);
      const wait = this.account.bucket.take(clock.now());
      if (wait > 0) await sleep(wait);
      counters.apiCalls++;
      try {
        return await send(this.client);
      } catch (err) {
        if (!isRetryable(err) || attempt >= retry.maxAttempts)
          throw translate(this.config.name, op, err, attempt);
        const delay = retryDelay(attempt - 1, retry, random.next());
        // Throttling is account-wide: hold back every provider sharing the bucket, not just this call.
        if (isThrottle(err)) this.account.bucket.drainUntil(clock.now(), clock.now() + delay);
        counters.retries++;
        logger.debug({ op, code: errorCode(err), attempt, delayMs: delay }, 'route53 request retried');
        await sleep(delay);
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    leaveAccount(this.account);
    this.client.destroy();
  }
}

/**
 * One webhook's delivery line: a bounded queue and one worker that posts notifications in order,
 * retrying each with exponential backoff and jitter. A slow or failing receiver only delays its own
 * queue; nothing here is awaited by whoever enqueues.
 */
import { retryDelay } from '@understudy/core';
import type { Clock, Logger, Random, WebhookConfig } from '@understudy/core';
import { attemptDelivery, type FetchLike } from './attempt.js';
import { renderBody, type Notification } from './payload.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signDelivery } from './signature.js';

export type DeliveryOutcome = 'delivered' | 'failed' | 'dropped';

export interface ChannelDeps {
  logger: Logger;
  clock: Clock;
  random: Random;
  fetch: FetchLike;
  queueLimit: number;
  backoff: { baseMs: number; maxMs: number };
  outcome(webhook: string, outcome: DeliveryOutcome): void;
}

export class WebhookChannel {
  private readonly queue: Notification[] = [];
  private readonly stopper = new AbortController();
  private worker: Promise<void> | null = null;

  constructor(
    readonly cfg: WebhookConfig,
    private readonly deps: ChannelDeps,
  ) {}

  /** Queued plus in flight. */
  get pending(): number {
    return this.queue.length + (this.worker ? 1 : 0);
  }

  enqueue(n: Notification): void {
    if (this.stopper.signal.aborted) {
      this.deps.outcome(this.cfg.name, 'dropped');
      return;
    }
    if (this.queue.length >= this.deps.queueLimit) {
      const dropped = this.queue.shift()!;
      this.deps.outcome(this.cfg.name, 'dropped');
      this.deps.logger.warn(
        { webhook: this.cfg.name, dedupeKey: dropped.dedupeKey, limit: this.deps.queueLimit },
        'webhook: queue full; dropped the oldest notification',
      );
    }
    this.queue.push(n);
    this.worker ??= this.run().finally(() => {
      this.worker = null;
    });
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Aborts the attempt in flight and drops what is queued. */
  stop(): void {
    this.stopper.abort();
    for (const n of this.queue.splice(0)) {
      this.deps.outcome(this.cfg.name, 'dropped');
      this.deps.logger.warn(
        { webhook: this.cfg.name, dedupeKey: n.dedupeKey },
        'webhook: not delivered before close',
      );
    }
  }

  private async run(): Promise<void> {
    for (let n = this.queue.shift(); n; n = this.queue.shift()) {
      try {
        await this.deliver(n);
      } catch (err) {
        this.deps.logger.error({ err, webhook: this.cfg.name }, 'webhook: delivery failed unexpectedly');
      }
    }
  }

  private async deliver(n: Notification): Promise<void> {
    const { cfg, deps } = this;
    const body = renderBody(cfg.format, n);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'understudy-webhook',
      'X-Understudy-Dedupe-Key': n.dedupeKey,
      'X-Understudy-Event': n.kind,
    };
    const log = { webhook: cfg.name, dedupeKey: n.dedupeKey };
    for (let attempt = 1; ; attempt++) {
      const signal = this.stopper.signal;
      if (signal.aborted) return this.done('dropped');
      // Whole milliseconds: a clock with a fraction (performance-based) must not break the signature.
      const now = Math.floor(deps.clock.now());
      // Each attempt carries its own time, signed with the body, so a receiver can refuse replays.
      const stamped: Record<string, string> = { ...headers, [TIMESTAMP_HEADER]: String(now) };
      if (cfg.secret !== null) stamped[SIGNATURE_HEADER] = signDelivery(now, body, cfg.secret);
      const r = await attemptDelivery({
        fetch: deps.fetch,
        url: cfg.url,
        body,
        headers: stamped,
        timeoutMs: cfg.timeout,
        stop: signal,
        now,
      });
      if (r.kind === 'delivered') {
        deps.logger.debug({ ...log, attempt, status: r.status }, 'webhook: delivered');
        return this.done('delivered');
      }
      if (r.kind === 'refused') {
        deps.logger.warn(
          { ...log, status: r.status },
          'webhook: receiver refused the notification; not retried',
        );
        return this.done('failed');
      }
      if (signal.aborted) return this.done('dropped');
      if (attempt >= cfg.maxAttempts) {
        deps.logger.warn({ ...log, attempts: attempt, error: r.error }, 'webhook: giving up');
        return this.done('failed');
      }
      const delay = this.backoff(attempt, r.retryAfterMs);
      deps.logger.info(
        { ...log, attempt, error: r.error, retryInMs: delay },
        'webhook: attempt failed; retrying',
      );
      await abortableSleep(delay, signal);
    }
  }

  private done(outcome: DeliveryOutcome): void {
    this.deps.outcome(this.cfg.name, outcome);
  }

  /**
   * Core's retry delay (full jitter over an exponential ceiling, so many installations do not retry in step),
   * with the receiver's Retry-After as a minimum, capped at maxMs so one receiver cannot stall its queue for
   * hours. `attempt` counts from 1 here, from 0 in core.
   */
  private backoff(attempt: number, retryAfterMs?: number): number {
    const opts = this.deps.backoff;
    const floor = retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, opts.maxMs);
    return retryDelay(attempt - 1, opts, this.deps.random.next(), floor);
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Notifier: turns decision events into webhook notifications. notify() only classifies and queues, so
 * the decider never waits on a receiver; each webhook delivers on its own line (see channel.ts).
 */
import type { Clock, DecisionEvent, Logger, Random, WebhookConfig } from '@understudy/core';
import type { FetchLike } from './attempt.js';
import { WebhookChannel, type DeliveryOutcome } from './channel.js';
import { dedupeKey, eventKind } from './event-kinds.js';
import { summarize, type Notification } from './payload.js';
import { systemClock, systemRandom } from '@understudy/system';

/** The counter the notifier reports to (UnderstudyMetrics fits). */
export interface NotifierMetrics {
  webhookDeliveries: { inc(labels: { webhook: string; outcome: string }, value?: number): void };
}

const OUTCOMES: readonly DeliveryOutcome[] = ['delivered', 'failed', 'dropped'];

export interface NotifierOptions {
  webhooks: readonly WebhookConfig[];
  logger: Logger;
  clock?: Clock;
  random?: Random;
  fetch?: FetchLike;
  metrics?: NotifierMetrics;
  /** Notifications waiting per webhook; beyond this the oldest is dropped with a warning. Default 1000. */
  queueLimit?: number;
  /** Retry delays: base × 2^(attempt-1), capped at max, with jitter. Default 1 s and 60 s. */
  backoff?: { baseMs: number; maxMs: number };
  /** How long close() lets queued notifications go out before dropping them. Default 3 s. */
  drainMs?: number;
}

export class Notifier {
  private readonly channels: WebhookChannel[];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private closed = false;

  constructor(private readonly opts: NotifierOptions) {
    this.logger = opts.logger;
    this.clock = opts.clock ?? systemClock;
    const outcome = (webhook: string, o: DeliveryOutcome): void => {
      try {
        opts.metrics?.webhookDeliveries.inc({ webhook, outcome: o });
      } catch (err) {
        this.logger.warn({ err }, 'webhook: metrics hook threw');
      }
    };
    const deps = {
      logger: opts.logger,
      clock: this.clock,
      random: opts.random ?? systemRandom,
      fetch: opts.fetch ?? ((url: string, init: RequestInit) => globalThis.fetch(url, init)),
      queueLimit: opts.queueLimit ?? 1000,
      backoff: opts.backoff ?? { baseMs: 1000, maxMs: 60_000 },
      outcome,
    };
    this.channels = opts.webhooks.map((w) => new WebhookChannel(w, deps));
    // The shipped alert reads increase(understudy_webhook_deliveries_total[30m]): a series born at its
    // first failure has no earlier sample, so that failure would go unseen. Start every series at 0.
    for (const w of opts.webhooks)
      for (const o of OUTCOMES) opts.metrics?.webhookDeliveries.inc({ webhook: w.name, outcome: o }, 0);
  }

  /** Queues a notification for every event a webhook subscribes to; returns at once and never throws. */
  notify(events: readonly DecisionEvent[]): void {
    if (this.closed || this.channels.length === 0) return;
    for (const e of events) {
      try {
        this.route(e);
      } catch (err) {
        this.logger.error({ err, seq: e?.seq }, 'webhook: could not queue a notification');
      }
    }
  }

  /** Notifications queued or in flight, over all webhooks. */
  get pending(): number {
    return this.channels.reduce((n, c) => n + c.pending, 0);
  }

  /** Resolves once every queue is empty (for tests and a graceful close). */
  async idle(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.idle()));
  }

  /** Lets queued notifications go out for up to drainMs, then aborts whatever is left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.opts.drainMs ?? 3000);
    });
    await Promise.race([this.idle(), deadline]);
    clearTimeout(timer);
    for (const c of this.channels) c.stop();
    await this.idle();
  }

  private route(e: DecisionEvent): void {
    const kind = eventKind(e);
    if (kind === null) return;
    const n: Notification = {
      kind,
      dedupeKey: dedupeKey(e),
      event: e,
      summary: summarize(kind, e),
      sentAt: this.clock.now(),
    };
    for (const c of this.channels) if (c.cfg.events.includes(kind)) c.enqueue(n);
  }
}

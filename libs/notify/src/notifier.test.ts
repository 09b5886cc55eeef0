import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { Notifier, type NotifierOptions } from './notifier.js';
import { verifyDelivery } from './signature.js';
import { simple, switched } from './test-support/events.js';
import { startReceiver, type Receiver } from './test-support/receiver.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function receiver(script?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(script);
  cleanup.push(() => r.close());
  return r;
}

function hook(url: string, extra: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    name: 'ops',
    url,
    format: 'json',
    secret: 'hook-secret',
    events: [
      'failover',
      'failback',
      'all-down',
      'guard-hold',
      'region-stale',
      'sync-failed',
      'cert-expiring',
    ],
    timeout: 2000,
    maxAttempts: 4,
    ...extra,
  };
}

function notifier(webhooks: WebhookConfig[], extra: Partial<NotifierOptions> = {}) {
  const logger = recordingLogger();
  const outcomes: string[] = [];
  const started: string[] = [];
  const n = new Notifier({
    webhooks,
    logger,
    clock: { now: () => 1_767_225_700_000 },
    random: { next: () => 0.5 },
    backoff: { baseMs: 20, maxMs: 200 },
    metrics: {
      webhookDeliveries: {
        inc: (l, n = 1) => {
          if (n > 0) outcomes.push(`${l.webhook}:${l.outcome}`);
          else started.push(`${l.webhook}:${l.outcome}`);
        },
      },
    },
    ...extra,
  });
  cleanup.push(() => n.close());
  return { n, logger, outcomes, started };
}

describe('Notifier', () => {
  // issue 12: increase() in the shipped alert needs the series before the first failure.
  it('starts the delivery counter of every webhook and outcome at 0', () => {
    const { started, outcomes } = notifier([
      hook('http://127.0.0.1:9/a'),
      hook('http://127.0.0.1:9/b', { name: 'pager' }),
    ]);
    expect(started.sort()).toEqual(
      [
        'ops:delivered',
        'ops:dropped',
        'ops:failed',
        'pager:delivered',
        'pager:dropped',
        'pager:failed',
      ].sort(),
    );
    expect(outcomes).toEqual([]);
  });

  it('posts a signed JSON notification with a dedupe key, only for subscribed kinds', async () => {
    const r = await receiver();
    const { n, outcomes } = notifier([hook(r.url, { events: ['failover'] })]);
    n.notify([
      simple(1, 'published'),
      switched(2, 'primary', 'secondary', 'failover'),
      switched(3, 'secondary', 'primary', 'failback'),
    ]);
    await n.idle();
    expect(r.received).toHaveLength(1);
    const { body, headers } = r.received[0]!;
    expect(headers['content-type']).toBe('application/json');
    expect(
      verifyDelivery({
        body,
        secret: 'hook-secret',
        signature: headers['x-understudy-signature'],
        timestamp: headers['x-understudy-timestamp'],
        now: 1_767_225_700_000,
      }),
    ).toEqual({ ok: true, timestamp: 1_767_225_700_000 });
    expect(headers['x-understudy-dedupe-key']).toBe('answer-switched:app.example.test./A:2');
    expect(headers['x-understudy-timestamp']).toBe('1767225700000');
    const doc = JSON.parse(body) as Record<string, unknown>;
    expect(doc).toMatchObject({
      kind: 'failover',
      dedupeKey: 'answer-switched:app.example.test./A:2',
      sentAt: 1_767_225_700_000,
      summary: 'Failover: Record app.example.test./A: failover from primary to secondary',
      event: { seq: 2, type: 'answer-switched', from: 'primary', to: 'secondary' },
    });
    expect(outcomes).toEqual(['ops:delivered']);
  });

  it('a verifying receiver refuses a delivery signed ten minutes ago, and takes a fresh one once', async () => {
    const r = await startReceiver(() => 204, { secret: 'hook-secret', now: () => 1_767_225_700_000 });
    cleanup.push(() => r.close());
    const late = notifier([hook(r.url, { maxAttempts: 1 })], { clock: { now: () => 1_767_225_100_000 } });
    late.n.notify([switched(2, 'primary', 'secondary', 'failover')]);
    await late.n.idle();
    expect(late.outcomes).toEqual(['ops:failed']);
    expect(r.refused.map((x) => x.reason)).toEqual(['timestamp']);
    const { n, outcomes } = notifier([hook(r.url)]);
    n.notify([
      switched(2, 'primary', 'secondary', 'failover'),
      switched(2, 'primary', 'secondary', 'failover'),
    ]);
    await n.idle();
    expect(outcomes).toEqual(['ops:delivered', 'ops:delivered']);
    expect(r.received).toHaveLength(1);
    expect(r.duplicates).toHaveLength(1);
  });

  it('sends Slack-compatible messages, unsigned without a secret', async () => {
    const r = await receiver();
    const { n } = notifier([hook(r.url, { name: 'slack', format: 'slack', secret: null })]);
    n.notify([simple(7, 'region-stale', { region: 'eu-west', message: 'Region eu-west <silent> & stale' })]);
    await n.idle();
    const { body, headers } = r.received[0]!;
    expect(headers['x-understudy-signature']).toBeUndefined();
    const doc = JSON.parse(body) as { text: string; blocks: { text?: { text: string } }[] };
    expect(doc.text).toBe('Region stale: Region eu-west <silent> & stale');
    expect(doc.blocks[0]!.text!.text).toContain('Region eu-west &lt;silent&gt; &amp; stale');
  });

  it('retries 5xx, 429 and dropped connections with backoff, with the same body and dedupe key', async () => {
    const r = await receiver((i) =>
      i === 1 ? 503 : i === 2 ? { status: 429, headers: { 'retry-after': '0' } } : 200,
    );
    const { n, outcomes, logger } = notifier([hook(r.url)], { random: { next: () => 0.75 } });
    n.notify([simple(9, 'guard-hold')]);
    await n.idle();
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    expect(new Set(r.received.map((x) => x.headers['x-understudy-dedupe-key']))).toEqual(
      new Set(['guard-hold:global:9']),
    );
    // Backoff (full jitter, random ¾): attempt 1 waits 15 ms (20 × ¾), attempt 2 waits 30 ms (40 × ¾).
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(10);
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(25);
    expect(outcomes).toEqual(['ops:delivered']);
    expect(logger.messages('info').filter((m) => /retrying/.test(m))).toHaveLength(2);
  });

  it("waits at least the receiver's Retry-After, up to maxMs", async () => {
    const r = await receiver((i) => (i === 1 ? { status: 429, headers: { 'retry-after': '3600' } } : 200));
    // Random 0: the jittered backoff alone would retry at once.
    const { n, outcomes } = notifier([hook(r.url)], { random: { next: () => 0 } });
    n.notify([simple(4, 'guard-hold')]);
    await n.idle();
    expect(r.received).toHaveLength(2);
    const gap = r.received[1]!.at - r.received[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(190);
    expect(gap).toBeLessThan(2_000);
    expect(outcomes).toEqual(['ops:delivered']);
  });

  it('does not retry other 4xx, and gives up after maxAttempts', async () => {
    const refusing = await receiver(() => 400);
    const failing = await receiver(() => 500);
    const { n, outcomes } = notifier([
      hook(refusing.url, { name: 'refusing' }),
      hook(failing.url, { name: 'failing', maxAttempts: 3 }),
    ]);
    n.notify([simple(1, 'sync-failed', { target: 'r53' })]);
    await n.idle();
    expect(refusing.received).toHaveLength(1);
    expect(failing.received).toHaveLength(3);
    expect(outcomes.sort()).toEqual(['failing:failed', 'refusing:failed']);
  });

  it('times out a hanging receiver per attempt, and notify() never waits for it', async () => {
    const r = await receiver(() => 'hang');
    const { n, outcomes, logger } = notifier([hook(r.url, { timeout: 150, maxAttempts: 2 })]);
    const t0 = performance.now();
    n.notify([switched(1, 'primary', 'secondary', 'failover')]);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(n.pending).toBe(1);
    await n.idle();
    expect(r.received).toHaveLength(2);
    expect(outcomes).toEqual(['ops:failed']);
    expect(logger.entries.find((e) => e.msg === 'webhook: giving up')?.obj.error).toBe(
      'timed out after 150 ms',
    );
  });

  it('keeps one failing webhook from delaying another', async () => {
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    const { n } = notifier(
      [hook(slow.url, { name: 'slow', timeout: 5000 }), hook(fast.url, { name: 'fast' })],
      {
        drainMs: 50,
      },
    );
    n.notify([switched(1, 'primary', 'secondary', 'failover')]);
    const deadline = Date.now() + 2000;
    // The fast receiver records the request before it answers: wait for the answer to be taken in too.
    while ((fast.received.length === 0 || n.pending > 1) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 10));
    expect(fast.received).toHaveLength(1);
    expect(n.pending).toBe(1); // the slow one is still in flight
  });

  it('drops the oldest notification when a queue is full', async () => {
    const r = await receiver(() => 'hang');
    const { n, outcomes, logger } = notifier([hook(r.url, { timeout: 5000 })], {
      queueLimit: 2,
      drainMs: 50,
    });
    n.notify([1, 2, 3, 4].map((seq) => simple(seq, 'guard-hold')));
    // 1 is in flight, 2..4 compete for two places: 2 is dropped.
    expect(outcomes).toEqual(['ops:dropped']);
    expect(logger.entries.find((e) => /queue full/.test(e.msg))?.obj.dedupeKey).toBe('guard-hold:global:2');
    const t0 = Date.now();
    await n.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(outcomes).toEqual(['ops:dropped', 'ops:dropped', 'ops:dropped', 'ops:dropped']);
    n.notify([simple(5, 'guard-hold')]);
    expect(n.pending).toBe(0);
  });

  it('close() lets queued notifications go out first', async () => {
    const r = await receiver();
    const { n, outcomes } = notifier([hook(r.url)]);
    n.notify([1, 2, 3].map((seq) => simple(seq, 'all-down', { record: 'app./A' })));
    await n.close();
    expect(r.received.map((x) => x.headers['x-understudy-dedupe-key'])).toEqual([
      'all-down:app./A:1',
      'all-down:app./A:2',
      'all-down:app./A:3',
    ]);
    expect(outcomes).toEqual(['ops:delivered', 'ops:delivered', 'ops:delivered']);
  });
});

/**
 * The ResultsBus contract, for every implementation (in-process, BullMQ).
 *
 * What it requires: delivery of every batch with its content intact, publish order per publisher when no
 * handler fails, one handler call at a time per consumer, redelivery of a rejected batch (not necessarily
 * before later batches), and close semantics. What it leaves open: where a retried batch goes in the order,
 * the backoff figures, and duplicates beyond those caused by rejections.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultBatch, ResultsBus } from '@understudy/core';
import { makeBatch } from './fixtures.js';
import { deferred, sleep, waitFor } from './wait.js';

export interface ResultsBusHarness {
  /** Publishes; for the in-process bus the same object as `consumer`. */
  publisher: ResultsBus;
  consumer: ResultsBus;
  /** Closes whatever is still open and removes the backing queue. */
  cleanup: () => Promise<void>;
}

export interface ResultsBusSuiteOptions {
  /** Longest a rejected batch may take to come back, backoff included. Default 10 s. */
  redeliveryWithinMs?: number;
}

const keyOf = (b: ResultBatch): string => `${b.probeId}#${b.results[0]?.seq ?? 'empty'}`;

export function describeResultsBusConformance(
  name: string,
  factory: () => Promise<ResultsBusHarness>,
  opts: ResultsBusSuiteOptions = {},
): void {
  const redeliveryMs = opts.redeliveryWithinMs ?? 10_000;

  describe(`ResultsBus conformance: ${name}`, () => {
    let h: ResultsBusHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('buffers batches published before consume and delivers them intact, in publish order', async () => {
      const sent = Array.from({ length: 10 }, (_, i) => makeBatch('eu-west', i * 4));
      for (const b of sent) await h.publisher.publish(b);
      const got: ResultBatch[] = [];
      await h.consumer.consume((b) => {
        got.push(b);
        return Promise.resolve();
      });
      await waitFor(() => got.length >= sent.length, 'all batches');
      expect(got).toEqual(sent);
    });

    it('keeps publish order per publisher for batches published while consuming', async () => {
      const got: string[] = [];
      await h.consumer.consume((b) => {
        got.push(keyOf(b));
        return Promise.resolve();
      });
      const sent = [0, 1, 2, 3, 4, 5].flatMap((i) => [
        makeBatch('eu-west', i * 4),
        makeBatch('us-east', i * 4),
      ]);
      for (const b of sent) await h.publisher.publish(b);
      await waitFor(() => got.length >= sent.length, 'all batches');
      for (const probe of ['probe-eu-west-1', 'probe-us-east-1']) {
        const mine = (keys: string[]) => keys.filter((k) => k.startsWith(probe));
        expect(mine(got)).toEqual(mine(sent.map(keyOf)));
      }
    });

    it('runs the handler for one batch at a time', async () => {
      let active = 0;
      let maxActive = 0;
      let done = 0;
      await h.consumer.consume(async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(5);
        active -= 1;
        done += 1;
      });
      for (let i = 0; i < 8; i++) await h.publisher.publish(makeBatch('ap-south', i * 4));
      await waitFor(() => done >= 8, 'all batches handled');
      expect(maxActive).toBe(1);
    });

    it('delivers a rejected batch again until the handler accepts it, and still delivers the others', async () => {
      const attempts = new Map<string, ResultBatch[]>();
      const poison = makeBatch('eu-west', 100);
      await h.consumer.consume((b) => {
        const list = attempts.get(keyOf(b)) ?? [];
        list.push(b);
        attempts.set(keyOf(b), list);
        if (keyOf(b) === keyOf(poison) && list.length <= 2) return Promise.reject(new Error('decider busy'));
        return Promise.resolve();
      });
      const others = [makeBatch('eu-west', 0), makeBatch('eu-west', 200), makeBatch('us-east', 0)];
      for (const b of [others[0]!, poison, ...others.slice(1)]) await h.publisher.publish(b);
      await waitFor(
        () => (attempts.get(keyOf(poison))?.length ?? 0) >= 3,
        'two redeliveries',
        redeliveryMs * 2,
      );
      await waitFor(() => others.every((b) => attempts.has(keyOf(b))), 'the other batches', redeliveryMs);
      for (const delivery of attempts.get(keyOf(poison))!) expect(delivery).toEqual(poison);
      for (const b of others) expect(attempts.get(keyOf(b))![0]).toEqual(b);
    });

    it('delivers a batch of 10 000 results intact', async () => {
      const big = makeBatch('us-east', 1, 10_000);
      const got: ResultBatch[] = [];
      await h.consumer.consume((b) => {
        got.push(b);
        return Promise.resolve();
      });
      await h.publisher.publish(big);
      await waitFor(() => got.length >= 1, 'the large batch');
      expect(got[0]).toEqual(big);
    });

    it('close() waits for the in-flight handler, then stops delivery', async () => {
      const release = deferred();
      let calls = 0;
      await h.consumer.consume(async () => {
        calls += 1;
        if (calls === 1) await release.promise;
      });
      for (let i = 0; i < 3; i++) await h.publisher.publish(makeBatch('eu-west', i * 4));
      await waitFor(() => calls >= 1, 'the first delivery');
      let closed = false;
      const closing = h.consumer.close().then(() => {
        closed = true;
      });
      await sleep(50);
      expect(closed).toBe(false);
      release.resolve();
      await closing;
      const callsAtClose = calls;
      await sleep(100);
      expect(calls).toBe(callsAtClose);
      expect(calls).toBe(1);
    });

    it('close() is idempotent and publish() after close rejects', async () => {
      await h.consumer.close();
      await h.consumer.close();
      await h.publisher.close();
      await expect(h.publisher.publish(makeBatch('eu-west', 0))).rejects.toThrow();
    });
  });
}

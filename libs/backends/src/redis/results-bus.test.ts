import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultBatch } from '@understudy/core';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor as waitUntil } from '@understudy/testkit/wait';
import { describeResultsBusConformance, makeBatch, waitFor } from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisResultsBus } from './results-bus.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let testNo = 0;

describeResultsBusConformance(
  'RedisResultsBus (BullMQ)',
  async () => {
    const prefix = `bus${++testNo}:`;
    const pubConn = await RedisConnection.create({ url: redis.url, prefix, name: 'probe' });
    const subConn = await RedisConnection.create({ url: redis.url, prefix, name: 'decider' });
    const publisher = new RedisResultsBus({ connection: pubConn });
    const consumer = new RedisResultsBus({ connection: subConn });
    return {
      publisher,
      consumer,
      cleanup: async () => {
        await Promise.all([publisher.close(), consumer.close()]);
        await Promise.all([pubConn.close(), subConn.close()]);
      },
    };
  },
  { redeliveryWithinMs: 10_000 },
);

describe('RedisResultsBus specifics', () => {
  async function setup() {
    const prefix = `busx${++testNo}:`;
    const logger = recordingLogger();
    const conn = await RedisConnection.create({ url: redis.url, prefix, logger });
    const bus = new RedisResultsBus({ connection: conn, logger });
    // A raw BullMQ queue on the same keys, standing in for a foreign or broken producer.
    const raw = new Queue('results', { connection: conn.duplicate('producer'), prefix: `${prefix}q` });
    raw.on('error', () => undefined);
    return {
      conn,
      bus,
      raw,
      logger,
      close: async () => {
        await Promise.all([bus.close(), raw.close()]);
        await conn.close();
      },
    };
  }

  it('discards corrupted and foreign jobs with a logged reason and keeps delivering good batches', async () => {
    const { conn, bus, raw, logger, close } = await setup();
    const first = makeBatch('eu-west', 0);
    const last = makeBatch('eu-west', 40);
    await bus.publish(first);
    const broken = await raw.add('batch', makeBatch('eu-west', 4));
    await conn.client.hset(`${conn.prefix}q:results:${broken.id}`, 'data', '{"probeId": "cut off');
    const wrongShape = await raw.add('batch', { ...makeBatch('eu-west', 8), results: [{ seq: 'x' }] });
    const foreignName = await raw.add('send-email', { to: 'someone@example.test' });
    const notObject = await raw.add('batch', [1, 2, 3]);
    await bus.publish(last);

    const got: ResultBatch[] = [];
    await bus.consume((b) => {
      got.push(b);
      return Promise.resolve();
    });
    await waitFor(() => got.length >= 2, 'the good batches');
    await waitFor(() => bus.stats().discarded >= 4, 'all bad jobs discarded');
    expect(got).toEqual([first, last]);
    const warnings = logger.entries.filter((e) => e.msg === 'results bus: discarded a bad job');
    expect(warnings.map((w) => [w.obj.jobId, w.obj.reason])).toEqual([
      [broken.id, expect.stringMatching(/^stored job is not valid JSON/) as unknown],
      [wrongShape.id, 'results[0].checkId: expected a non-empty string'],
      [foreignName.id, 'unexpected job name "send-email"'],
      [notObject.id, 'payload: expected an object'],
    ]);
    expect(bus.stats()).toEqual({ published: 2, delivered: 2, discarded: 4, failures: 0 });
    // Discarded jobs are finished, not left waiting or retried.
    const finished = async () => {
      const counts = await raw.getJobCounts('wait', 'delayed', 'active', 'failed');
      return Object.values(counts).every((n) => n === 0);
    };
    await waitUntil(finished, {
      timeoutMs: 10_000,
      what: 'an empty queue',
    });
    expect(await raw.getJobCounts('wait', 'delayed', 'active', 'failed')).toEqual({
      wait: 0,
      delayed: 0,
      active: 0,
      failed: 0,
    });
    await close();
  });

  // issue #10: payloads are capped on both sides, so a huge job costs nothing to refuse.
  it('refuses to publish an oversized batch, and drops an oversized stored job unparsed', async () => {
    const { conn, raw, logger, close } = await setup();
    const small = new RedisResultsBus({ connection: conn, logger, maxPayloadBytes: 4_000 });
    try {
      const big = makeBatch('eu-west', 0, 40);
      await expect(small.publish(big)).rejects.toThrow(
        /results batch of \d+ bytes \(40 results from eu-west\) is over the 4000-byte cap/,
      );
      const fine = makeBatch('eu-west', 100, 1);
      const stored = await raw.add('batch', big);
      await small.publish(fine);
      const got: ResultBatch[] = [];
      await small.consume((b) => Promise.resolve(void got.push(b)));
      await waitFor(() => got.length >= 1 && small.stats().discarded >= 1, 'the small batch and the drop');
      expect(got).toEqual([fine]);
      const warning = logger.entries.find((e) => e.msg === 'results bus: discarded a bad job');
      expect(warning?.obj).toMatchObject({
        jobId: stored.id,
        reason: expect.stringMatching(/over the 4000-byte cap/) as unknown,
      });
    } finally {
      await small.close();
      await close();
    }
  });

  it('reports job counts per state for the queue-depth metric', async () => {
    const t = await setup();
    try {
      expect(await t.bus.jobCounts()).toMatchObject({ waiting: 0, active: 0 });
      await t.bus.publish(makeBatch('us-east', 1));
      await t.bus.publish(makeBatch('eu-west', 1));
      expect((await t.bus.jobCounts()).waiting).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('counts handler failures and retries them with backoff', async () => {
    const { bus, close } = await setup();
    let calls = 0;
    await bus.consume(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(new Error('store unavailable')) : Promise.resolve();
    });
    await bus.publish(makeBatch('us-east', 0));
    await waitFor(() => bus.stats().delivered === 1, 'the third attempt');
    expect(bus.stats()).toMatchObject({ delivered: 1, failures: 2 });
    await close();
  });

  it('refuses a second consumer, consume after close and a bad queue name', async () => {
    const { bus, conn, close } = await setup();
    await bus.consume(() => Promise.resolve());
    await expect(bus.consume(() => Promise.resolve())).rejects.toThrow(/twice/);
    await bus.close();
    await expect(bus.consume(() => Promise.resolve())).rejects.toThrow(/after close/);
    expect(() => new RedisResultsBus({ connection: conn, queue: 'a:b' })).toThrow(RangeError);
    await close();
  });
});

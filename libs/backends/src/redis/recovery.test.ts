/**
 * Redis outages with a real server: kill -9 and restart on the same port. Bus, store and lease must fail fast
 * while it is down and recover by themselves afterwards. Also: password and TLS through the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  TransientError,
  type ResultBatch,
  type OverlayUpdate,
  updateSerial,
} from '@understudy/core';
import { createCa, issueCert } from '@understudy/origins/certs';
import { recordingLogger } from '@understudy/testkit/logger';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import { makeBatch, full } from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisLease } from './lease.js';
import { RedisResultsBus } from './results-bus.js';
import { RedisStateStore } from './state-store.js';

const PASSWORD = 'p@ss word/with:odd chars';

describe('Redis outage and recovery (password-protected server)', () => {
  let redis: RedisServer;
  const logger = recordingLogger();
  let probeConn: RedisConnection;
  let deciderConn: RedisConnection;
  let dnsConn: RedisConnection;

  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD, appendonly: true });
    expect(redis.url).not.toContain(PASSWORD);
    const connect = (name: string) => RedisConnection.create({ url: redis.url, name, logger });
    [probeConn, deciderConn, dnsConn] = await Promise.all([
      connect('probe'),
      connect('decider'),
      connect('dns'),
    ]);
    // Every acknowledged write reaches the AOF before kill -9, so the restart finds the lease and the fence.
    await deciderConn.client.config('SET', 'appendfsync', 'always');
  });
  afterAll(async () => {
    await Promise.all([probeConn?.close(), deciderConn?.close(), dnsConn?.close()]);
    await redis?.stop();
  });

  it('fails fast while Redis is down and recovers by itself after a restart on the same port', async () => {
    const publisher = new RedisResultsBus({ connection: probeConn, logger });
    const consumer = new RedisResultsBus({ connection: deciderConn, logger });
    const store = await RedisStateStore.open({ connection: deciderConn, logger, pollIntervalMs: 200 });
    const follower = await RedisStateStore.open({ connection: dnsConn, logger, pollIntervalMs: 200 });
    const lease = new RedisLease({ connection: deciderConn, holder: 'decider-a', ttlMs: 60_000 });
    const got: ResultBatch[] = [];
    const served: OverlayUpdate[] = [];
    await consumer.consume((b) => {
      got.push(b);
      return Promise.resolve();
    });
    follower.subscribe((u) => served.push(u));

    // Steady state.
    const grant = (await lease.acquire())!;
    await publisher.publish(makeBatch('eu-west', 0));
    expect(await store.writeOverlay(full(1, grant.epoch))).toEqual({ ok: true });
    await waitFor(() => got.length === 1 && served.length === 1, { timeoutMs: 10_000, what: 'steady state' });
    expect(probeConn.health()).toEqual({ ok: true, status: 'ready', lastError: null });

    // Outage.
    await redis.kill();
    await waitFor(() => [probeConn, deciderConn, dnsConn].every((c) => !c.health().ok), {
      timeoutMs: 10_000,
      what: 'every connection to report the outage',
    });
    expect(deciderConn.health().lastError).toMatch(/ECONNREFUSED|ECONNRESET|connection lost/);
    const started = Date.now();
    await expect(publisher.publish(makeBatch('eu-west', 4))).rejects.toBeInstanceOf(TransientError);
    await expect(store.writeOverlay(full(2, grant.epoch))).rejects.toBeInstanceOf(TransientError);
    await expect(store.readOverlay()).rejects.toBeInstanceOf(TransientError);
    await expect(lease.renew()).rejects.toBeInstanceOf(TransientError);
    expect(Date.now() - started).toBeLessThan(2_000);

    // Back on the same port: everything reconnects without help.
    await redis.restart();
    await waitFor(() => [probeConn, deciderConn, dnsConn].every((c) => c.health().ok), {
      timeoutMs: 15_000,
      what: 'every connection to recover',
    });
    expect(await lease.renew()).toMatchObject({ holder: 'decider-a', epoch: grant.epoch });
    await waitFor(
      async () => {
        try {
          await publisher.publish(makeBatch('eu-west', 8));
          return true;
        } catch {
          return false; // the producer client may reconnect a moment after the others
        }
      },
      { timeoutMs: 15_000, what: 'a publish after the restart' },
    );
    expect(await store.writeOverlay(full(2, grant.epoch))).toEqual({ ok: true });
    await waitFor(() => got.some((b) => b.results[0]!.seq === 8), { timeoutMs: 20_000, what: 'the worker' });
    await waitFor(() => served.length > 0 && updateSerial(served.at(-1)!) === 2, {
      timeoutMs: 10_000,
      what: 'the follower',
    });
    expect(served.map(updateSerial)).toEqual([1, 2]);
    expect(logger.messages('warn')).toContain('redis: connection lost');
    expect(logger.messages('info')).toContain('redis: reconnected');
    expect(JSON.stringify(logger.entries)).not.toContain(PASSWORD);

    await Promise.all([publisher.close(), consumer.close(), store.close(), follower.close(), lease.close()]);
  });

  it('refuses a wrong password at once with a ConfigError that does not echo it', async () => {
    const url = redis.url.replace(encodeURIComponent(PASSWORD), 'wrong-hunter2');
    const started = Date.now();
    const attempt = RedisConnection.create({ url, readyTimeoutMs: 20_000, field: 'probe.redis' });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(attempt).rejects.toThrow(/probe\.redis: Redis refused the credentials: WRONGPASS/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});

describe('Redis over TLS (rediss://)', () => {
  let redis: RedisServer;
  let caPem: string;
  beforeAll(async () => {
    const ca = await createCa();
    const leaf = await issueCert({ ca, commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    caPem = ca.certPem;
    redis = await startRedis({ tls: { certPem: leaf.certPem, keyPem: leaf.keyPem, caPem } });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('connects with the private CA and refuses an untrusted server', async () => {
    expect(redis.url).toMatch(/^rediss:\/\//);
    const conn = await RedisConnection.create({ url: redis.url, tls: { ca: caPem } });
    const store = await RedisStateStore.open({ connection: conn });
    expect(await store.writeOverlay(full(3, 1))).toEqual({ ok: true });
    expect((await store.readOverlay())?.serial).toBe(3);
    await store.close();
    await conn.close();
    await expect(RedisConnection.create({ url: redis.url, readyTimeoutMs: 2_000 })).rejects.toThrow(
      /certificate|not reachable/,
    );
  });
});

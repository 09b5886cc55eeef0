/**
 * Issue #10 §3, leadership over a real redis-server (two deciders in-process, each with its own connection
 * as separate processes would have): after an outage longer than the lease TTL, the decider that stood
 * down competes again, so killing the next leader hands the lease back; and close() is bounded while Redis
 * is down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisConnection, RedisLease, RedisResultsBus, RedisStateStore } from '@understudy/backends/redis';
import { parseConfig } from '@understudy/config';
import { recordingLogger } from '@understudy/testkit/logger';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderLeadership } from './leadership.js';

const { config } = parseConfig(`
regions: [a, b, c]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 100ms }
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: 1, rise: 1 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 30
        answers:
          - { name: primary, values: [192.0.2.10], check: p }
          - { name: secondary, values: [198.51.100.10], check: null }
`);
const TTL = 1_500;
const ACQUIRE = 300;
const CLOSE = 1_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function redisServer(): Promise<RedisServer> {
  // AOF on: the fencing mark survives the restart, as in production (infra/redis/redis.conf).
  const redis = await startRedis({ appendonly: true, appendfsync: 'always' });
  cleanups.push(() => redis.stop());
  return redis;
}

/** One decider "process": its own connection, store, lease and buses. */
async function decider(redis: RedisServer, name: string) {
  const connection = await RedisConnection.create({ url: redis.url, name, commandTimeoutMs: 1_000 });
  const store = await RedisStateStore.open({ connection });
  const logger = recordingLogger();
  const l = DeciderLeadership.start({
    config,
    store,
    lease: new RedisLease({ connection, holder: name, ttlMs: TTL }),
    clock: Date,
    logger,
    acquireInterval: ACQUIRE,
    closeTimeout: CLOSE,
    openBus: () =>
      Promise.resolve(new RedisResultsBus({ connection, closeTimeoutMs: CLOSE, connectWaitMs: 200 })),
  });
  cleanups.push(
    () => connection.close(),
    () => store.close(),
    () => l.close(),
  );
  // kill -9 as Redis sees it: every connection drops, the lease stays until its TTL runs out.
  const kill = () => connection.close();
  return { name, l, kill, logger, store };
}

describe('DeciderLeadership on Redis: outages', () => {
  it('after an outage longer than the TTL, the decider that stood down takes over from a killed leader', async () => {
    const redis = await redisServer();
    const a = await decider(redis, 'decider-a');
    await waitFor(() => a.l.leading, { timeoutMs: 10_000, what: 'a to lead' });
    const b = await decider(redis, 'decider-b');
    await redis.kill();
    await waitFor(() => !a.l.leading, { timeoutMs: TTL + 5_000, what: 'a to stand down during the outage' });
    // Longer than TTL plus a renewal period, as in the report.
    await new Promise((r) => setTimeout(r, TTL));
    await redis.restart();
    await waitFor(() => a.l.leading || b.l.leading, {
      timeoutMs: 15_000,
      what: 'a leader after the restart',
    });
    const [leader, other] = a.l.leading ? [a, b] : [b, a];
    expect(other.l.competing).toBe(true);
    await leader.kill();
    const killedAt = Date.now();
    await waitFor(() => other.l.leading, {
      timeoutMs: TTL + ACQUIRE + 10_000,
      what: `${other.name} to take over from the killed ${leader.name}`,
    });
    // Within one TTL after the kill, plus an attempt and slack for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(TTL + ACQUIRE + 5_000);
  });

  it('a leader killed right after an event: the next leader stores its own events, seqs continue', async () => {
    const redis = await redisServer();
    const a = await decider(redis, 'decider-a');
    await waitFor(() => a.l.leading, { timeoutMs: 10_000, what: 'a to lead' });
    const b = await decider(redis, 'decider-b');
    const out = await a.l.role!.raise({
      type: 'drill-started',
      severity: 'info',
      message: 'drill',
      evidence: {},
    });
    await a.kill(); // well within the 250 ms the decider state used to lag its events
    await waitFor(() => b.l.leading, { timeoutMs: TTL + 10_000, what: 'b to take over' });
    const events = (await b.store.readEvents({ limit: 100 })).reverse();
    const drill = out.events[0]!;
    expect(events.find((e) => e.type === 'drill-started')?.seq).toBe(drill.seq);
    const acquired = events.filter((e) => e.type === 'leader-acquired');
    expect(acquired.map((e) => e.evidence.holder)).toEqual(['decider-a', 'decider-b']);
    expect(acquired[1]!.seq).toBeGreaterThan(drill.seq);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
  });

  it('close() (SIGTERM) finishes within its bound after standing down while Redis is down', async () => {
    const redis = await redisServer();
    const a = await decider(redis, 'decider-a');
    await waitFor(() => a.l.leading, { timeoutMs: 10_000, what: 'a to lead' });
    await redis.kill();
    await waitFor(() => !a.l.leading, { timeoutMs: TTL + 5_000, what: 'a to stand down during the outage' });
    const started = Date.now();
    await a.l.close();
    // Steps: the attempt under way, the bus, the role, earlier terms; each bounded by CLOSE.
    expect(Date.now() - started).toBeLessThan(4 * CLOSE + 2_000);
    expect(a.l.leading).toBe(false);
  });
});

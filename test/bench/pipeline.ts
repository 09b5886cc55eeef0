/**
 * bench:pipeline — synthetic probes publish result batches for N checks × 3 regions through real
 * Redis/BullMQ to a real decider (RedisResultsBus → DeciderRole → RedisStateStore). Prints results/s,
 * decider lag p50/p99 (a result's observedAt → the decider applied it), CPU per role (decider: this
 * process; probes: a child process; redis: INFO cpu) and Redis memory, then ramps the rate up (shorter
 * check intervals) to find the highest rate with lag p99 < 1 s. Target: lag p99 < 1 s at 10,000 checks
 * × 3 regions every 10 s.
 * Redis runs as infra/redis/redis.conf sets it up: AOF with fsync on every write (--fsync everysec|no
 * to compare).
 *   tsx test/bench/pipeline.ts [--checks 10000] [--duration 60] [--ramp 15] [--no-ramp] [--fsync always]
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { RedisConnection, RedisLease, RedisResultsBus, RedisStateStore } from '@understudy/backends/redis';
import { parseConfig } from '@understudy/config';
import type { ResultBatch } from '@understudy/core';
import { DeciderRole } from '@understudy/decider';
import { createLogger } from '@understudy/observability';
import { startRedis } from '@understudy/testkit/redis-server';
import { sleep } from '@understudy/testkit/wait';
import { treeCpuSeconds } from './dns-proc.js';
import { fmt, summarize } from './stats.js';

const REGIONS = ['us-east', 'eu-west', 'ap-south'];
const { values: args } = parseArgs({
  options: {
    checks: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '15' },
    'no-ramp': { type: 'boolean', default: false },
    fsync: { type: 'string', default: 'always' },
    publisher: { type: 'string' },
    interval: { type: 'string' },
  },
});
const CHECKS = Number(args.checks);

if (args.publisher) await publisher(args.publisher, Number(args.interval), Number(args.duration));
else await main();

/** Child process: every second, each region publishes one batch with the checks due in that second. */
async function publisher(url: string, intervalS: number, durationS: number): Promise<void> {
  const connection = await RedisConnection.create({ url, name: 'bench-probes' });
  const bus = new RedisResultsBus({ connection });
  const perTick = Math.ceil(CHECKS / intervalS);
  let seq = 0;
  let cursor = 0;
  const end = Date.now() + durationS * 1000;
  for (let tick = Date.now(); tick < end; tick += 1000) {
    await sleep(Math.max(0, tick - Date.now()));
    const ids = Array.from({ length: perTick }, (_, i) => `c${(cursor + i) % CHECKS}`);
    cursor = (cursor + perTick) % CHECKS;
    await Promise.all(
      REGIONS.map((region) => {
        const now = Date.now();
        const batch: ResultBatch = {
          probeId: `bench-${region}`,
          region,
          sentAt: now,
          results: ids.map((checkId) => ({
            checkId,
            region,
            probeId: `bench-${region}`,
            seq: ++seq,
            observedAt: now,
            ok: true,
            timings: { total: 5 },
          })),
        };
        return bus.publish(batch).catch(() => undefined);
      }),
    );
  }
  await bus.close();
  await connection.close();
}

function configYaml(): string {
  const checks = Array.from(
    { length: CHECKS },
    (_, i) => `  c${i}: { type: tcp, host: 127.0.0.1, port: 9, interval: 10s }`,
  ).join('\n');
  return `regions: [${REGIONS.join(', ')}]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 1s }
checks:
${checks}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        answers:
          - { name: primary, values: [192.0.2.10], check: c0 }
          - { name: secondary, values: [198.51.100.10], check: c1 }
`;
}

async function redisInfo(conn: RedisConnection): Promise<Record<string, string>> {
  const text = await conn.client.info();
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => l.split(':') as [string, string]),
  );
}

async function main(): Promise<void> {
  const fsync = args.fsync;
  if (fsync !== 'always' && fsync !== 'everysec' && fsync !== 'no')
    throw new Error(`--fsync: "${fsync}" is not always, everysec or no`);
  const redis = await startRedis({ appendonly: true, appendfsync: fsync });
  const logger = createLogger({ name: 'bench-pipeline', level: 'error', pretty: false });
  const { config } = parseConfig(configYaml(), { source: 'bench-pipeline.yaml' });
  const connection = await RedisConnection.create({ url: redis.url, name: 'bench-decider' });
  const store = await RedisStateStore.open({ connection, logger });
  const bus = new RedisResultsBus({ connection, logger });
  let lags: number[] = [];
  let applied = 0;
  const role = await DeciderRole.start({
    config,
    bus,
    store,
    lease: new RedisLease({ connection, holder: 'bench', ttlMs: 5000 }),
    clock: { now: () => Date.now() },
    logger,
    metrics: {
      ingested: (batch, _out, _engine, now) => {
        applied += batch.results.length;
        for (const r of batch.results) lags.push(now - r.observedAt);
      },
      output: () => undefined,
    },
  });
  const lines: string[] = [];
  const phase = async (intervalS: number, durationS: number): Promise<{ rate: number; p99: number }> => {
    lags = [];
    applied = 0;
    const redisCpu0 = await redisInfo(connection);
    const cpu0 = process.cpuUsage();
    const started = Date.now();
    const child = fork(
      fileURLToPath(import.meta.url),
      [
        '--publisher',
        redis.url,
        '--interval',
        String(intervalS),
        '--duration',
        String(durationS),
        '--checks',
        String(CHECKS),
      ],
      { execArgv: process.execArgv, stdio: 'inherit' },
    );
    let probeCpu = 0;
    const sampler = setInterval(() => (probeCpu = Math.max(probeCpu, treeCpuSeconds(child.pid!))), 500);
    await new Promise((r) => child.on('exit', r));
    clearInterval(sampler);
    await sleep(2000); // drain
    const wall = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const info = await redisInfo(connection);
    const redisCpu =
      Number(info.used_cpu_user) +
      Number(info.used_cpu_sys) -
      Number(redisCpu0.used_cpu_user) -
      Number(redisCpu0.used_cpu_sys);
    const s = summarize(lags);
    const rate = applied / durationS;
    lines.push(
      `interval ${String(intervalS).padStart(2)} s: ${String(Math.round(rate)).padStart(6)} results/s applied` +
        `  lag p50 ${fmt(s.p50).padStart(7)} ms  p99 ${fmt(s.p99).padStart(7)} ms  max ${fmt(s.max).padStart(7)} ms` +
        `  CPU decider ${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(0)}%` +
        ` probes ${((probeCpu / durationS) * 100).toFixed(0)}% redis ${((redisCpu / wall) * 100).toFixed(0)}%` +
        `  redis used_memory ${info.used_memory_human} (peak ${info.used_memory_peak_human})`,
    );
    process.stdout.write(`${lines.at(-1)}\n`);
    return { rate, p99: s.p99 };
  };
  try {
    process.stdout.write(
      `bench:pipeline — ${CHECKS} checks × ${REGIONS.length} regions, batches once a second per region; Redis AOF appendfsync ${args.fsync}\n`,
    );
    const base = await phase(10, Number(args.duration));
    let best = base.p99 < 1000 ? base.rate : 0;
    if (!args['no-ramp']) {
      for (const interval of [5, 2, 1]) {
        const r = await phase(interval, Number(args.ramp));
        if (r.p99 >= 1000) break;
        best = r.rate;
      }
    }
    process.stdout.write(
      [
        `target: lag p99 < 1 s at ${CHECKS} checks × 3 regions / 10 s → ${base.p99 < 1000 ? 'MET' : 'NOT MET'}`,
        `highest rate sustained with lag p99 < 1 s: ${Math.round(best)} results/s`,
        '',
      ].join('\n'),
    );
  } finally {
    await role.close();
    await bus.close();
    await store.close();
    await connection.close();
    await redis.stop();
  }
}

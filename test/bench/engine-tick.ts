/**
 * engine-tick — the cost of DecisionEngine.tick at N failover records (default 10,000), in one process, no
 * I/O: a tick should cost what has a timer due, not every record. Builds the config by copying one parsed
 * record N times (parsing N records is the config's cost, not the tick's), lets the engine settle, then
 * times `--ticks` ticks one second apart (each with markPublished for three targets, as the decider does)
 * with nothing due, and the same with a failback hold ending for
 * 1 % of the records.
 *   tsx test/bench/engine-tick.ts [--records 10000] [--ticks 200]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '@understudy/config';
import { DecisionEngine, type FailoverRecordConfig, type UnderstudyConfig } from '@understudy/core';

const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '10000' }, ticks: { type: 'string', default: '200' } },
});
const N = Number(args.records);
const TICKS = Math.min(Number(args.ticks), 5_000);

const yaml = `
regions: [a, b, c]
checks:
  bulk: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s }
  few: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - { name: r0, type: A, ttl: 30, failbackAfter: 60s, answers: [{ name: primary, values: [192.0.2.1], check: bulk }, { name: secondary, values: [192.0.2.2] }] }
      - { name: f0, type: A, ttl: 30, failbackAfter: 60s, answers: [{ name: primary, values: [192.0.2.3], check: few }, { name: secondary, values: [192.0.2.4] }] }
`;

function bigConfig(): UnderstudyConfig {
  const { config } = parseConfig(yaml);
  const zone = config.zones[0]!;
  const [r0, f0] = zone.failover as [FailoverRecordConfig, FailoverRecordConfig];
  const few = Math.max(1, Math.floor(N / 100));
  const copy = (rec: FailoverRecordConfig, name: string) => ({ ...rec, name, id: `${name}/A` });
  const failover = [
    ...Array.from({ length: N - few }, (_, i) => copy(r0, `r${i}.example.test.`)),
    ...Array.from({ length: few }, (_, i) => copy(f0, `f${i}.example.test.`)),
  ];
  return { ...config, zones: [{ ...zone, failover }] };
}

function batch(region: string, now: number, seq: number, fewOk: boolean) {
  const r = (checkId: string, ok: boolean) => ({
    checkId,
    region,
    ok,
    probeId: `p-${region}`,
    seq,
    observedAt: now,
    timings: { total: 1 },
    ...(ok ? {} : { reason: 'connect' as const }),
  });
  return { probeId: `p-${region}`, region, sentAt: now, results: [r('bulk', true), r('few', fewOk)] };
}

const config = bigConfig();
let now = Date.now();
let seq = 0;
const engine = new DecisionEngine({ config, now, epoch: 1 });
const feed = (fewOk: boolean) => {
  seq++;
  for (const region of config.regions) engine.ingest(batch(region, now, seq, fewOk), now);
};

function timeTicks(label: string): void {
  const times: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    now += 1000;
    feed(true);
    const t = performance.now();
    engine.tick(now);
    // As the decider does on every tick: each target's latest publication.
    for (const target of ['dns-a', 'dns-b', 'route53'])
      engine.markPublished(target, engine.state.serial, now);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
  console.log(`${label}: ${TICKS} ticks, mean ${mean.toFixed(3)} ms, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
}

// Settle: every check up, then 1 % of the records fail over and come back (their failback hold is 60 s).
for (let i = 0; i < 5; i++) {
  now += 1000;
  feed(true);
  engine.tick(now);
}
timeTicks(`${N} failover records, nothing due`);
for (let i = 0; i < 3; i++) {
  now += 1000;
  feed(false);
  engine.tick(now);
}
now += 1000;
feed(true);
engine.tick(now);
now += 58_000;
timeTicks(`${N} failover records, a 60 s failback hold ending for 1 % of them during the run`);
const failedBack = Object.values(engine.state.records).filter(
  (r) => r.active.kind === 'answer' && r.active.name === 'primary',
).length;
console.log(`records on primary at the end: ${failedBack} of ${N}`);

/**
 * Dashboard API latency at scale: 10,000 checks × 3 regions (5,000 failover records) produced by the real
 * DecisionEngine, stored in a MemoryStateStore and served by the real server through StoreSource.
 * Prints p50/p99 of GET /status, /records and /checks?limit=100 (while the source keeps rebuilding its view in
 * the background), then the SSE messages/s a client receives during a burst of 1,000 changes.
 * Run: npx tsx test/bench/dashboard-api.ts [checks] [requests] [--live]
 */
import { Agent, request } from 'node:http';
import { MemoryStateStore } from '@understudy/backends';
import { DecisionEngine, fullPatch } from '@understudy/core';
import type { DeciderState, EngineOutput, UnderstudyConfig } from '@understudy/core';
import { createDashboardServer, StoreSource } from '@understudy/dashboard';
import type { DashboardActions } from '@understudy/dashboard';
import { recordingLogger } from '@understudy/testkit/logger';
import {
  batch,
  config as coreConfig,
  failoverRecord,
  httpCheck,
  REGIONS,
  result,
} from '../../libs/core/src/test-support/fixtures.js';
import { fmt, summarize } from './stats.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const CHECKS = Number(args[0] ?? 10_000);
const REQUESTS = Number(args[1] ?? 300);
const BURST = 1_000;
const TARGET_P99_MS = 50;
const DEADLINE = Date.now() + 180_000;

function bigConfig(n: number): UnderstudyConfig {
  const checks = Array.from({ length: n }, (_, i) =>
    httpCheck(`c${i}`, { host: `origin-${i}.example.test` }),
  );
  const records = Array.from({ length: Math.floor(n / 2) }, (_, i) =>
    failoverRecord({
      id: `r${i}.example.test./A`,
      name: `r${i}.example.test.`,
      answers: [
        { name: 'primary', values: [`192.0.2.${i % 250}`], check: `c${2 * i}` },
        { name: 'secondary', values: [`198.51.100.${i % 250}`], check: `c${2 * i + 1}` },
      ],
    }),
  );
  return {
    ...coreConfig({
      checks,
      records,
      decider: { massFailureGuard: { enabled: false, share: 0.5, minChecks: 4, window: 60_000 } },
    }),
    admin: { tokens: [] },
  };
}

async function world(config: UnderstudyConfig) {
  let now = Date.now() - 3_000;
  const engine = new DecisionEngine({ config, now, epoch: 1 });
  const store = await MemoryStateStore.open({ maxEvents: 20_000 });
  const persist = async (out: EngineOutput): Promise<void> => {
    if (out.events.length) await store.appendEvents(out.events, 1);
    if (out.delta) await store.writeOverlay({ kind: 'delta', delta: out.delta });
  };
  for (let round = 0; round < 3; round++) {
    for (const region of REGIONS) {
      // Every 10th check fails in one region: a realistic mix of up and down cells.
      const results = config.checks.map((c, i) =>
        result(c.id, region, !(i % 10 === 0 && region === REGIONS[0]), now, {
          timings: { dns: 1, connect: 2, tls: 3, firstByte: 4, total: 12 },
        }),
      );
      await persist(engine.ingest(batch(region, results, now), now));
    }
    now += 1000;
    await persist(engine.tick(now));
  }
  await store.saveDecider(fullPatch(engine.snapshot()), 1);
  return { engine, store, persist, now: () => now };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t0)
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

async function latency(base: string, path: string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS && Date.now() < DEADLINE; i++) {
    times.push(await get(`${base}${path}`));
    await new Promise((r) => setTimeout(r, 5));
  }
  const s = summarize(times);
  const verdict = s.p99 < TARGET_P99_MS ? 'ok' : `ABOVE the ${TARGET_P99_MS} ms target`;
  console.log(
    `GET ${path.padEnd(26)} n=${s.n}  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  max ${fmt(s.max)} ms  (${verdict})`,
  );
}

/** Counts SSE messages (event blocks) until stopped. */
function countStream(url: string): { stop: () => { messages: number; events: number } } {
  let messages = 0;
  let events = 0;
  let buf = '';
  const req = request(url, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (!block.startsWith('event:')) continue;
        messages++;
        if (block.startsWith('event: timeline'))
          events += (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as unknown[]).length;
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    stop: () => {
      req.destroy();
      return { messages, events };
    },
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const config = bigConfig(CHECKS);
  const w = await world(config);
  console.log(
    `state: ${CHECKS} checks × ${REGIONS.length} regions, ${config.zones[0]!.failover.length} records (built in ${fmt(performance.now() - t0)} ms)`,
  );
  // --live: read the engine's live state as embedded mode can, instead of parsing the stored JSON.
  const live = process.argv.includes('--live');
  const source = new StoreSource({
    store: w.store,
    config,
    ...(live ? { loadDecider: () => Promise.resolve(w.engine.state as DeciderState) } : {}),
  });
  console.log(
    `decider state read: ${live ? 'live engine state (--live)' : 'store.loadDecider() (JSON parse)'}`,
  );
  const noop = () => Promise.reject(new Error('not in this benchmark'));
  const actions: DashboardActions = {
    setOverride: noop,
    approveFailback: noop,
    releaseGuard: noop,
    forcePlan: noop,
    startDrill: noop,
    drill: noop,
    drills: () => Promise.resolve([]),
  };
  const server = await createDashboardServer({
    listen: { host: '127.0.0.1', port: 0 },
    config,
    configHash: 'bench',
    source,
    actions,
    logger: recordingLogger(),
    webRoot: null,
    version: 'bench',
  });
  try {
    const b0 = performance.now();
    await source.view();
    console.log(`first view: ${fmt(performance.now() - b0)} ms`);
    for (const path of [
      '/api/v1/status',
      '/api/v1/records',
      '/api/v1/checks?limit=100',
      '/api/v1/checks?limit=100&q=c99&state=up',
    ])
      await latency(server.url, path);

    const stream = countStream(`${server.url}/api/v1/stream`);
    await new Promise((r) => setTimeout(r, 300));
    const seqBefore = (await w.store.readEvents({ limit: 1 }))[0]?.seq ?? 0;
    const burst0 = performance.now();
    for (let i = 0; i < BURST && Date.now() < DEADLINE; i++) {
      const rec = config.zones[0]!.failover[i % config.zones[0]!.failover.length]!;
      // An override on the standby answer: one audited event, no switch (a zone write per change would
      // time the store, not the stream).
      const out = w.engine.setOverride(
        rec.id,
        'secondary',
        i % 2 ? 'obey' : 'up',
        { name: 'bench', reason: 'burst' },
        w.now(),
      );
      await w.persist(out);
      if (i % 250 === 249) await w.store.saveDecider(fullPatch(w.engine.snapshot()), 1);
      // The in-memory store resolves without I/O; let timers run as they would between result batches.
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    const burstMs = performance.now() - burst0;
    const seqAfter = (await w.store.readEvents({ limit: 1 }))[0]?.seq ?? 0;
    await new Promise((r) => setTimeout(r, 1_500));
    const windowS = (performance.now() - burst0) / 1000;
    const { messages, events } = stream.stop();
    const produced = seqAfter - seqBefore;
    console.log(
      `SSE burst: ${BURST} changes (${produced} events) in ${fmt(burstMs)} ms → ${messages} messages in ${windowS.toFixed(2)} s ` +
        `= ${(messages / windowS).toFixed(2)} messages/s, ${events}/${produced} events delivered`,
    );
  } finally {
    await server.close();
    await source.close();
    await w.store.close();
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import {
  updateSerial,
  type Clock,
  type Commit,
  type EngineOutput,
  type Logger,
  type OverlayUpdate,
  type StateStore,
  fullPatch,
} from '@understudy/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';
import { probeResultMaker } from './test-support/probe-result.js';
import { TWO_TIER_YAML } from './test-support/two-tier-config.js';

const { config } = parseConfig(TWO_TIER_YAML);
const RECORD = 'app.example.test./A';

const result = probeResultMaker();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  opts: {
    logger?: Logger;
    clock?: Clock;
    leaseTtlMs?: number;
    file?: string;
    wrap?: (s: StateStore) => StateStore;
    onStandDown?: (r: string) => void;
    rehearseEvery?: number;
  } = {},
) {
  const memory = await MemoryStateStore.open({ ...(opts.file ? { file: opts.file } : {}) });
  const store = opts.wrap ? opts.wrap(memory) : memory;
  const bus = new MemoryResultsBus({});
  const clock = opts.clock ?? { now: () => Date.now() };
  const lease = new MemoryLease({ store: memory, clock, ttlMs: opts.leaseTtlMs ?? 30_000 });
  const outputs: EngineOutput[] = [];
  const role = await DeciderRole.start({
    config,
    store,
    bus,
    lease,
    clock,
    logger: opts.logger ?? recordingLogger(),
    onOutput: (o) => outputs.push(o),
    ...(opts.onStandDown ? { onStandDown: opts.onStandDown } : {}),
    ...(opts.rehearseEvery !== undefined ? { rehearseEvery: opts.rehearseEvery } : {}),
  });
  cleanups.push(
    () => memory.close(),
    () => bus.close(),
    () => role.close(),
  );
  return { store, memory, bus, role, outputs, lease };
}

async function everyCheckUp(bus: MemoryResultsBus): Promise<void> {
  const now = Date.now();
  for (const region of ['a', 'b', 'c'])
    await bus.publish({
      probeId: `probe-${region}`,
      region,
      sentAt: now,
      results: [result('p', region, true, now), result('s', region, true, now)],
    });
}

async function failPrimary(bus: MemoryResultsBus): Promise<void> {
  const now = Date.now();
  for (const region of ['a', 'b', 'c']) {
    await bus.publish({
      probeId: `probe-${region}`,
      region,
      sentAt: now,
      results: [result('p', region, true, now), result('s', region, true, now)],
    });
  }
  for (const region of ['a', 'b']) {
    await bus.publish({
      probeId: `probe-${region}`,
      region,
      sentAt: now + 1,
      results: [result('p', region, false, now + 1)],
    });
  }
}

describe('DeciderRole', () => {
  it('rehearses a failover once the primary is up, and stores and serves nothing of it (issue 11)', async () => {
    const logger = recordingLogger();
    const { store, bus, role } = await setup({ logger, rehearseEvery: 50 });
    await everyCheckUp(bus);
    const rehearsed = () =>
      logger.entries.filter((e) => e.msg === 'decider: failover rehearsed' && e.obj.records === 1);
    await waitFor(() => rehearsed().length >= 5, { timeoutMs: 10_000, what: 'five rehearsals' });
    expect(rehearsed()[0]!.obj).toMatchObject({ records: 1, switches: 2 });
    const overlay = await store.readOverlay();
    expect(overlay?.records[RECORD]).toEqual(['192.0.2.10']);
    expect((await store.readEvents({ limit: 100 })).filter((e) => e.type === 'answer-switched')).toEqual([]);
    expect(role.status().records[0]).toMatchObject({ active: 'primary' });
  });

  it('rehearses again a second after rewarm (a memory-reducing collection), not at its next period', async () => {
    const logger = recordingLogger();
    // The first rehearsal is 5 s after start with this period; rewarm brings the next one to 1 s.
    const { bus, role } = await setup({ logger, rehearseEvery: 60_000 });
    await everyCheckUp(bus);
    const t0 = Date.now();
    role.rewarm();
    const rehearsed = () =>
      logger.entries.filter((e) => e.msg === 'decider: failover rehearsed' && e.obj.records === 1);
    await waitFor(() => rehearsed().length >= 2, { timeoutMs: 4_500, what: 'two rehearsals within 4.5 s' });
    expect(Date.now() - t0).toBeLessThan(4_500);
  });

  it('writes the whole overlay first, then a delta when results fail the primary over', async () => {
    const { store, bus, role } = await setup();
    const initial = await store.readOverlay();
    expect(initial?.epoch).toBeGreaterThan(0);
    expect(initial?.records[RECORD]).toEqual(['192.0.2.10']);
    const seen: OverlayUpdate[] = [];
    store.subscribe((u) => seen.push(u));
    await failPrimary(bus);
    await waitFor(() => role.engine.state.records[RECORD]!.active.kind === 'answer' && seen.length > 0, {
      timeoutMs: 5000,
      what: 'failover',
    });
    const u = seen.at(-1)!;
    if (u.kind !== 'delta') throw new Error(`expected a delta, got ${u.kind}`);
    expect(u.delta.base).toBe(initial!.serial);
    expect(u.delta.serial).toBeGreaterThan(initial!.serial);
    // Only the record that changed travels.
    expect(u.delta.records).toEqual({ [RECORD]: ['198.51.100.10'] });
    const events = await store.readEvents({ limit: 50 });
    expect(events.some((e) => e.type === 'answer-switched' && e.to === 'secondary')).toBe(true);
    expect(role.status().records[0]).toMatchObject({ active: 'secondary' });
  });

  it('logs a failover at the severity of its event: critical as an error line', async () => {
    const logger = recordingLogger();
    const { bus } = await setup({ logger });
    await failPrimary(bus);
    const switched = () =>
      logger.entries.find((e) => (e.obj.event as { type?: string } | undefined)?.type === 'answer-switched');
    await waitFor(() => switched() !== undefined, { timeoutMs: 5000, what: 'the failover logged' });
    expect(switched()).toMatchObject({ level: 'error', obj: { event: { severity: 'critical' } } });
  });

  it('turns a publication into publishedAt and effectiveBy on the next tick', async () => {
    const { store, bus, role } = await setup();
    await failPrimary(bus);
    await waitFor(() => role.engine.state.records[RECORD]!.switchedSerial !== null, {
      timeoutMs: 5000,
      what: 'switch',
    });
    const serial = role.engine.state.records[RECORD]!.switchedSerial!;
    const at = Date.now();
    await store.recordPublication({ target: 'dns', instance: 'x', serial, at });
    await waitFor(() => role.engine.state.records[RECORD]!.effectiveBy.dns, {
      timeoutMs: 5000,
      what: 'effectiveBy',
    });
    expect(role.engine.state.records[RECORD]!.effectiveBy.dns).toBe(at + 30_000);
  });

  it('persists its state on close, and a new decider resumes from it', async () => {
    const { store, bus, role } = await setup();
    await failPrimary(bus);
    await waitFor(() => role.engine.state.records[RECORD]!.switchedSerial !== null, {
      timeoutMs: 5000,
      what: 'switch',
    });
    await role.close();
    const saved = await store.loadDecider();
    expect(saved?.records[RECORD]?.active).toEqual({ kind: 'answer', name: 'secondary' });
  });

  it('stands down when the store refuses its writes as from a stale epoch', async () => {
    const logger = recordingLogger();
    const { memory, bus, role } = await setup({ logger });
    await memory.nextEpoch(); // another decider took over: the store's epoch mark is now higher
    await memory.nextEpoch();
    await memory.saveDecider(fullPatch((await memory.loadDecider())!), memory.highestEpoch);
    await failPrimary(bus);
    await waitFor(() => !role.ready, { timeoutMs: 5000, what: 'stand-down' });
    expect(logger.messages('error').join('\n')).toContain('newer decider holds the lease');
  });

  it('stands down when its lease cannot be renewed', async () => {
    const logger = recordingLogger();
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const { role } = await setup({ logger, clock, leaseTtlMs: 600 });
    expect(role.ready).toBe(true);
    offset = 60_000; // the grant (600 ms) has expired by the next renewal, due every 200 ms
    await waitFor(() => !role.ready, { timeoutMs: 15_000, what: 'lease loss' });
    expect(logger.messages('error').join('\n')).toContain('lease lost');
  });
});

describe('DeciderRole: durability and retries', () => {
  it('a crash right after a failover restarts on the new answer: decider state is durable with the zone state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'decider-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.json');
    const { bus, role, memory } = await setup({ file });
    await failPrimary(bus);
    await waitFor(() => role.engine.state.records[RECORD]!.switchedSerial !== null, {
      timeoutMs: 5000,
      what: 'switch',
    });
    const serial = role.engine.serial;
    await waitFor(async () => (await memory.readOverlay())?.serial === serial, {
      timeoutMs: 5000,
      what: 'the durable zone-state write',
    });
    // Read the file as a restart after SIGKILL would, without any close() or debounce flush.
    const reopened = await MemoryStateStore.open({ file });
    try {
      const zs = await reopened.readOverlay();
      const st = await reopened.loadDecider();
      expect(zs?.records[RECORD]).toEqual(['198.51.100.10']);
      expect(st?.records[RECORD]?.active).toEqual({ kind: 'answer', name: 'secondary' });
    } finally {
      await reopened.close();
    }
  });

  it('a decision the store failed to write is written again on the next tick, with its events once', async () => {
    let failNext = false;
    const writes: number[] = [];
    const wrap = (inner: StateStore): StateStore =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === 'commit') {
            return async (c: Commit, epoch: number) => {
              if (failNext && c.zone) {
                failNext = false;
                throw new Error('disk full');
              }
              if (c.zone) writes.push(updateSerial(c.zone));
              return target.commit(c, epoch);
            };
          }
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const logger = recordingLogger();
    const { bus, role, store } = await setup({ wrap, logger });
    failNext = true;
    await failPrimary(bus);
    await waitFor(() => role.engine.state.records[RECORD]!.switchedSerial !== null, {
      timeoutMs: 5000,
      what: 'switch',
    });
    const serial = role.engine.serial;
    await waitFor(async () => (await store.readOverlay())?.serial === serial, {
      timeoutMs: 5000,
      what: 'the retried write',
    });
    expect(logger.messages('error').join('\n')).toContain('could not store its decisions');
    expect(writes.at(-1)).toBe(serial);
    const events = await store.readEvents({ limit: 100 });
    expect(events.filter((e) => e.type === 'answer-switched')).toHaveLength(1);
    expect((await store.loadDecider())?.eventSeq).toBe(events[0]!.seq);
  });

  it('calls onStandDown once when fenced', async () => {
    const reasons: string[] = [];
    const { memory, bus, role } = await setup({ onStandDown: (r) => reasons.push(r) });
    await memory.nextEpoch();
    await memory.nextEpoch();
    await memory.saveDecider(fullPatch((await memory.loadDecider())!), memory.highestEpoch);
    await failPrimary(bus);
    await waitFor(() => !role.ready, { timeoutMs: 5000, what: 'stand-down' });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('newer decider');
  });
});

// issue #10: ids in batches are checked against the config; unknown ones are dropped, and said so rarely.
describe('DeciderRole: results for unknown ids', () => {
  it('drops them without applying anything, with one warning for a burst', async () => {
    const logger = recordingLogger();
    const { bus, outputs, role } = await setup({ logger });
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      await bus.publish({
        probeId: `probe-mars-${i}`,
        region: 'mars',
        sentAt: now,
        results: [result('p', 'mars', false, now)],
      });
      await bus.publish({
        probeId: 'probe-a',
        region: 'a',
        sentAt: now,
        results: [result('nope', 'a', false, now)],
      });
    }
    await bus.publish({
      probeId: 'probe-a',
      region: 'a',
      sentAt: now,
      results: [result('p', 'a', true, now)],
    });
    await waitFor(() => outputs.some((o) => o.stats.accepted === 1), {
      timeoutMs: 5000,
      what: 'the good batch',
    });
    expect(outputs.reduce((n, o) => n + o.stats.unknown, 0)).toBe(10);
    expect(logger.messages('warn').filter((m) => m.includes('not in this config'))).toHaveLength(1);
    expect(role.ready).toBe(true);
  });
});

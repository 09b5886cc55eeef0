/**
 * Cost grows with the change, not with the zone (DESIGN.md rule 11): with 10,000 failover records, one
 * record switching commits that record only, not the zone, and the decider state as a patch of that record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { Commit, FailoverRecordConfig, StateStore, UnderstudyConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';
import { probeResultMaker, publishPerRegion } from './test-support/probe-result.js';

const BULK = 10_000;
const yaml = `
regions: [a, b, c]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 1s }
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: 1, rise: 1 }
  bulk: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 30
        answers:
          - { name: primary, values: [192.0.2.10], check: p }
          - { name: secondary, values: [198.51.100.10] }
      - { name: r0, type: A, ttl: 30, answers: [{ name: primary, values: [192.0.2.1], check: bulk }, { name: secondary, values: [192.0.2.2] }] }
`;

/** The config with r0 copied to BULK records (parsing 10,000 of them takes seconds: not this test's subject). */
function bigConfig(): UnderstudyConfig {
  const { config } = parseConfig(yaml);
  const zone = config.zones[0]!;
  const [app, r0] = zone.failover as [FailoverRecordConfig, FailoverRecordConfig];
  const copies = Array.from({ length: BULK }, (_, i) => {
    const name = `r${i}.example.test.`;
    return { ...r0, name, id: `${name}/A` };
  });
  return { ...config, zones: [{ ...zone, failover: [app, ...copies] }] };
}
const RECORD = 'app.example.test./A';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('DeciderRole at 10,000 failover records', () => {
  it('commits only the record that switched (bytes of the overlay change per commit)', async () => {
    const config = bigConfig();
    const memory = await MemoryStateStore.open();
    const zoneBytes: number[] = [];
    const deciderBytes: number[] = [];
    const store = new Proxy(memory, {
      get(target, prop, receiver) {
        if (prop === 'commit') {
          return (c: Commit, epoch: number) => {
            if (c.zone) zoneBytes.push(JSON.stringify(c.zone).length);
            deciderBytes.push(JSON.stringify(c.decider).length);
            return target.commit(c, epoch);
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as StateStore;
    const bus = new MemoryResultsBus({});
    const clock = { now: () => Date.now() };
    const lease = new MemoryLease({ store: memory, clock, ttlMs: 30_000 });
    const role = await DeciderRole.start({ config, store, bus, lease, clock, logger: recordingLogger() });
    cleanups.push(
      () => memory.close(),
      () => bus.close(),
      () => role.close(),
    );
    // The first commit of a leader is the whole overlay: one entry per failover record.
    expect(zoneBytes).toHaveLength(1);
    expect(zoneBytes[0]).toBeGreaterThan(BULK * 20);
    const send = async (ok: boolean, seq: number) => {
      const now = Date.now();
      for (const region of ['a', 'b', 'c']) {
        await bus.publish({
          probeId: `probe-${region}`,
          region,
          sentAt: now,
          results: [
            {
              checkId: 'p',
              region,
              ok,
              probeId: `probe-${region}`,
              seq,
              observedAt: now,
              timings: { total: 1 },
              ...(ok ? {} : { reason: 'connect' as const }),
            },
          ],
        });
      }
    };
    // The first results from each region change region health, which re-evaluates every record (the engine
    // marks every re-evaluated record as changed: see the report). Then only the failover is measured.
    await send(true, 1);
    await waitFor(() => role.engine.state.checks.p?.verdict === 'up', { timeoutMs: 10_000, what: 'p up' });
    await waitFor(async () => (await memory.loadDecider())?.checks.p?.verdict === 'up', {
      timeoutMs: 10_000,
      what: 'the stored verdict',
    });
    const warm = deciderBytes.length;
    await send(false, 2);
    await waitFor(() => zoneBytes.length >= 2, { timeoutMs: 10_000, what: 'the failover commit' });
    // One record's worth, whatever the zone's size (the whole zone state was megabytes).
    expect(zoneBytes[1]).toBeLessThan(400);
    // The decider state goes as a patch too: the first commit carries everything, later ones what changed.
    expect(deciderBytes[0]).toBeGreaterThan(BULK * 100);
    expect(deciderBytes.length).toBeGreaterThan(warm);
    expect(Math.max(...deciderBytes.slice(warm))).toBeLessThan(4_096);
    expect((await memory.readOverlay())?.records[RECORD]).toEqual(['198.51.100.10']);
  });
  it('logs a check taking 10,000 records over as one error line with the count, not 10,000 lines', async () => {
    const config = bigConfig();
    const store = await MemoryStateStore.open();
    const bus = new MemoryResultsBus({});
    const clock = { now: () => Date.now() };
    const lease = new MemoryLease({ store, clock, ttlMs: 30_000 });
    const logger = recordingLogger();
    const role = await DeciderRole.start({ config, store, bus, lease, clock, logger });
    cleanups.push(
      () => store.close(),
      () => bus.close(),
      () => role.close(),
    );
    const result = probeResultMaker();
    // p stays up; bulk goes down when ok is false.
    const send = (ok: boolean) =>
      publishPerRegion(bus, ['a', 'b', 'c'], (region, now) => [
        result('p', region, true, now),
        result('bulk', region, ok, now),
      ]);
    for (let i = 0; i < 2; i++) await send(true);
    await waitFor(() => role.engine.state.checks.bulk?.verdict === 'up', {
      timeoutMs: 10_000,
      what: 'bulk up',
    });
    for (let i = 0; i < 3; i++) await send(false);
    const switched = () =>
      logger.entries.filter(
        (e) => (e.obj.event as { type?: string } | undefined)?.type === 'answer-switched',
      );
    await waitFor(() => switched().length > 0, { timeoutMs: 20_000, what: 'the failover logged' });
    await waitFor(
      async () =>
        (await store.readEvents({ limit: BULK + 10 })).filter((e) => e.type === 'answer-switched').length ===
        BULK,
      {
        timeoutMs: 20_000,
        what: 'every record switched in the timeline',
      },
    );
    expect(switched()).toHaveLength(1);
    const line = switched()[0]!;
    expect(line.level).toBe('error');
    expect(line.obj.event).toMatchObject({
      type: 'answer-switched',
      severity: 'critical',
      from: 'primary',
      to: 'secondary',
      count: BULK,
    });
    expect((line.obj.event as { records: string[] }).records).toHaveLength(10);
    expect(line.msg).toContain(`${BULK} answer-switched events (primary → secondary)`);
  });
});

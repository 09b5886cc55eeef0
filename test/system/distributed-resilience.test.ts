/**
 * Distributed mode under partial failure, as separate processes over one redis-server: a probe region
 * dies, redis-server restarts, a probe runs another config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { sleep, waitFor } from '@understudy/testkit/wait';
import { Cluster, PRIMARY, REGIONS, SECONDARY } from '../support/distributed.js';

const DNS = ['dns-1', 'dns-2'];
const DECIDERS = ['decider-a', 'decider-b'];
let c: Cluster;

beforeAll(async () => {
  c = await Cluster.start({
    interval: '1000ms',
    timeout: '500ms',
    fall: 2,
    rise: 2,
    failbackAfter: '2s',
    leaseTtl: '2000ms',
  });
  await Promise.all([
    ...DNS.map((n) => c.dns(n)),
    ...DECIDERS.map((n) => c.decider(n)),
    ...REGIONS.map((r) => c.probe(r)),
  ]);
  // Start-up only (seven processes loading the bundle; over 20 s at load 14): no budget the tests assert.
  await waitFor(() => c.leader(DECIDERS), { timeoutMs: 60_000, what: 'a leader' });
  await waitFor(async () => (await c.zoneState())?.epoch, { timeoutMs: 60_000, what: 'a stored zone state' });
  await c.untilAnswer(DNS, PRIMARY, 60_000);
});

afterAll(async () => {
  await c?.stop();
});

describe('distributed mode: partial failures', () => {
  it('a dead probe region causes no failover and shows as stale', async () => {
    const seqBefore = (await c.events())[0]?.seq ?? 0;
    const victim = c.get('probe-ap-south').child;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    c.procs.delete('probe-ap-south');
    // staleAfterIntervals (3) × interval (1 s), plus ticks and slack.
    await waitFor(
      async () => (await c.events('region-stale')).some((e) => e.seq > seqBefore && e.region === 'ap-south'),
      { timeoutMs: 15_000, what: 'region-stale for ap-south' },
    );
    // The decider state is saved a moment after the event (debounced).
    const st = await waitFor(
      async () => {
        const d = await c.store.loadDecider();
        return d?.regions['ap-south']?.stale ? d : null;
      },
      { timeoutMs: 5000, what: 'ap-south stale in the stored state' },
    );
    expect(st?.regions['us-east']?.stale).toBe(false);
    await sleep(3000);
    for (const n of DNS) expect(await c.answer(n)).toEqual([PRIMARY]);
    const after = (await c.events()).filter((e) => e.seq > seqBefore);
    expect(after.filter((e) => e.type === 'answer-switched')).toEqual([]);
    expect(after.filter((e) => e.type === 'verdict-changed' && e.to === 'down')).toEqual([]);
    await c.probe('ap-south');
    await waitFor(
      async () => (await c.events('region-fresh')).some((e) => e.seq > seqBefore && e.region === 'ap-south'),
      { timeoutMs: 20_000, what: 'ap-south fresh again' },
    );
  });

  it('restarting redis-server: both DNS servers answer every query throughout, and everything recovers', async () => {
    let queries = 0;
    const failures: string[] = [];
    let digging = true;
    const loop = (async () => {
      while (digging) {
        for (const n of DNS) {
          queries++;
          try {
            const r = await dig({
              server: '127.0.0.1',
              port: c.get(n).dnsPort!,
              name: 'app.example.test',
              timeoutMs: 1000,
            });
            const a = r.answer.find((x) => x.type === 'A')?.data;
            if (r.status !== 'NOERROR' || a !== PRIMARY) failures.push(`${n}: ${r.status} ${a}`);
          } catch (err) {
            failures.push(`${n}: ${String(err)}`);
          }
        }
        await sleep(50);
      }
    })();
    // Queries counted, not slept for: spawning dig is slow on a loaded machine, and the point is that
    // both servers were asked throughout the restart, from before it to well after it.
    let afterRestart: number | undefined;
    try {
      await waitFor(() => queries >= 2 * DNS.length || undefined, {
        timeoutMs: 30_000,
        what: 'queries before',
      });
      await c.redis.restart();
      const restartedAt = queries;
      const until = Date.now() + 3000;
      await waitFor(() => (Date.now() >= until && queries - restartedAt >= 10) || undefined, {
        timeoutMs: 60_000,
        what: '3 s and 10 queries after the restart',
      });
      afterRestart = queries - restartedAt;
    } finally {
      digging = false;
      await loop;
    }
    expect(failures).toEqual([]);
    expect(afterRestart).toBeGreaterThanOrEqual(10);
    // Recovery without manual action: every role ready again, one leader, and a failover still works.
    for (const p of [...DNS, ...DECIDERS, ...REGIONS.map((r) => `probe-${r}`)])
      await waitFor(async () => (await c.readyz(p)).status === 200, {
        timeoutMs: 30_000,
        what: `${p} ready after the restart`,
      });
    await waitFor(() => c.leader(DECIDERS), { timeoutMs: 20_000, what: 'a leader after the restart' });
    await c.primary.setMode('down');
    try {
      await c.untilAnswer(DNS, SECONDARY, 30_000);
    } finally {
      await c.primary.setMode('up');
    }
    await c.untilAnswer(DNS, PRIMARY, 30_000);
  });

  it('a probe running a different config raises probe-config-mismatch', async () => {
    await c.probe('us-east', 'probe-odd', '?v=2');
    const e = await waitFor(async () => (await c.events('probe-config-mismatch'))[0], {
      timeoutMs: 20_000,
      what: 'a probe-config-mismatch event',
    });
    expect(e.region).toBe('us-east');
    expect(e.probe).toMatch(/\/us-east$/);
    expect(e.evidence.probeConfigHash).not.toBe(e.evidence.deciderConfigHash);
  });
});

/**
 * Chaos suite: redis-server, two deciders, three probe regions and three DNS servers as real processes,
 * a raw-UDP query loop against the two DNS servers that stay up, and a script of faults: kill -9 and
 * SIGSTOP of the leader, redis-server SIGTERM and kill -9 (at steady state and mid-failover), Redis down
 * past the TTL then kill -9 of the new leader, probe regions stopped, a DNS server restarted with Redis
 * down. The cases run in order on one cluster; the last checks the whole timeline and prints a summary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '@understudy/testkit/wait';
import {
  cachedSerial,
  kill9,
  seqProblems,
  stopProc,
  timeline,
  timeToLeader,
  untilFirstDownVote,
} from '../support/chaos.js';
import { Cluster, PRIMARY, REGIONS, SECONDARY } from '../support/distributed.js';
import { UdpProber } from '../support/udp-prober.js';

const TTL = 2000;
/** One TTL for the old grant to lapse, one acquire poll (TTL / 5), and slack for a loaded machine. */
const LEADER_BUDGET = TTL + TTL / 5 + 2000;
/** Detection (interval × fall + timeout), a tick, the publish, plus slack (and a takeover if one runs). */
const FAILOVER_BUDGET = 25_000;
/** rise × interval + failbackAfter, plus slack. */
const FAILBACK_BUDGET = 30_000;
const UP = ['dns-1', 'dns-2'];
const ALL_DNS = [...UP, 'dns-3'];
const DECIDERS = ['decider-a', 'decider-b'];

let c: Cluster;
let prober: UdpProber;
let seqStart = 0;
const expectedSwitches: string[] = [];
const takeovers: number[] = [];
const leaderAfterRedis: number[] = [];
const faults: string[] = [];
const failuresBy: Record<string, number> = {};

beforeAll(async () => {
  c = await Cluster.start(
    { interval: '1000ms', timeout: '500ms', fall: 2, rise: 2, failbackAfter: '2s', leaseTtl: `${TTL}ms` },
    // As infra/redis/redis.conf: an acknowledged write survives kill -9.
    { appendfsync: 'always' },
  );
  await Promise.all([
    ...ALL_DNS.map((n) => c.dns(n)),
    ...DECIDERS.map((n) => c.decider(n)),
    ...REGIONS.map((r) => c.probe(r)),
  ]);
  // Nine processes start at once on a loaded 2-core machine: generous.
  await timeToLeader(c, DECIDERS, 90_000);
  await waitFor(async () => (await c.zoneState())?.epoch, { timeoutMs: 30_000, what: 'a stored zone state' });
  await c.untilAnswer(ALL_DNS, PRIMARY, 30_000);
  seqStart = (await timeline(c)).at(-1)?.seq ?? 0;
  prober = new UdpProber(
    UP.map((n) => ({ name: n, port: () => c.get(n).dnsPort! })),
    'app.example.test',
    { everyMs: 100, timeoutMs: 2000 },
  );
  prober.start();
});

afterAll(async () => {
  await prober?.stop();
  await c?.stop();
});

/** Runs a scripted fault and counts the failed queries it caused (asserted as a whole at the end). */
async function fault(name: string, run: () => Promise<void>): Promise<void> {
  faults.push(name);
  const before = prober.stats.failures.length;
  try {
    await run();
  } finally {
    failuresBy[name] = prober.stats.failures.length - before;
    // A failed case must not take the next ones down with it: origins up, both deciders running.
    await c.primary.setMode('up');
    for (const n of DECIDERS) if (!c.procs.has(n)) await c.decider(n);
  }
}

async function leaderOf(): Promise<string> {
  return (
    await timeToLeader(
      c,
      DECIDERS.filter((n) => c.procs.has(n)),
      30_000,
    )
  )[1];
}

async function failover(): Promise<void> {
  await c.primary.setMode('down');
  await c.untilAnswer(UP, SECONDARY, FAILOVER_BUDGET);
  expectedSwitches.push('secondary');
}

async function failback(): Promise<void> {
  await c.primary.setMode('up');
  await c.untilAnswer(UP, PRIMARY, FAILBACK_BUDGET);
  expectedSwitches.push('primary');
}

/** Restarts a decider that was killed or stopped, and waits until it is up (standing by, normally). */
async function restoreDecider(name: string): Promise<void> {
  await c.decider(name);
  await waitFor(async () => (await c.readyz(name).catch(() => null))?.status === 200, {
    timeoutMs: 30_000,
    what: `${name} ready`,
  });
}

describe('chaos', () => {
  it('kill -9 of the leader: the standby leads within one TTL and fails over', async () => {
    await fault('kill -9 leader', async () => {
      const leader = await leaderOf();
      const standby = DECIDERS.find((n) => n !== leader)!;
      await kill9(c, leader);
      const [ms] = await timeToLeader(c, [standby], LEADER_BUDGET + 5000);
      takeovers.push(ms);
      expect(ms).toBeLessThanOrEqual(LEADER_BUDGET);
      await failover();
      await restoreDecider(leader);
    });
  });

  it('SIGSTOP of the leader past its TTL: the standby leads, and the stopped one stays fenced out', async () => {
    await fault('SIGSTOP leader', async () => {
      const leader = await leaderOf();
      const standby = DECIDERS.find((n) => n !== leader)!;
      const proc = c.get(leader).child.proc;
      proc.kill('SIGSTOP');
      try {
        const [ms] = await timeToLeader(c, [standby], LEADER_BUDGET + 5000);
        takeovers.push(ms);
        expect(ms).toBeLessThanOrEqual(LEADER_BUDGET);
        await failback();
      } finally {
        proc.kill('SIGCONT');
      }
      await waitFor(async () => (await c.readyz(leader).catch(() => null))?.body.detail?.role === 'standby', {
        timeoutMs: 20_000,
        what: `${leader} standing by after SIGCONT`,
      });
      expect(await c.leader(DECIDERS)).toBe(standby);
    });
  });

  it('redis-server SIGTERM at steady state: answers throughout, a leader within one TTL of its return', async () => {
    await fault('redis SIGTERM steady', async () => {
      await c.redis.restart();
      const [ms] = await timeToLeader(c, DECIDERS, LEADER_BUDGET + 10_000);
      leaderAfterRedis.push(ms);
      expect(ms).toBeLessThanOrEqual(LEADER_BUDGET);
      await c.untilAnswer(UP, PRIMARY, 10_000);
    });
  });

  /** A Redis fault while the primary's first down votes are in: the failover must still land, once. */
  const midFailover = (name: string, outage: () => Promise<void>) =>
    fault(name, async () => {
      await leaderOf();
      await c.primary.setMode('down');
      await untilFirstDownVote(c, 'primary', 15_000);
      await outage();
      const [ms] = await timeToLeader(c, DECIDERS, LEADER_BUDGET + 10_000);
      leaderAfterRedis.push(ms);
      expect(ms).toBeLessThanOrEqual(LEADER_BUDGET);
      await c.untilAnswer(UP, SECONDARY, FAILOVER_BUDGET);
      expectedSwitches.push('secondary');
      await failback();
    });

  it('redis-server kill -9 in the middle of a failover: the failover lands once', () =>
    midFailover('redis kill -9 mid-failover', async () => {
      await c.redis.kill();
      await sleep(1000); // the outage itself
      await c.redis.restart();
    }));

  it('redis-server SIGTERM in the middle of a failover: the failover lands once', () =>
    midFailover('redis SIGTERM mid-failover', () => c.redis.restart()));

  it('Redis down longer than the TTL, then kill -9 of the new leader: a leader again within one TTL', async () => {
    await fault('redis down > TTL, then kill -9 leader', async () => {
      await c.redis.kill();
      await sleep(TTL * 2); // the outage itself: every grant lapses
      await c.redis.restart();
      const [ms, leader] = await timeToLeader(c, DECIDERS, LEADER_BUDGET + 10_000);
      leaderAfterRedis.push(ms);
      expect(ms).toBeLessThanOrEqual(LEADER_BUDGET);
      const standby = DECIDERS.find((n) => n !== leader)!;
      await waitFor(
        async () => (await c.readyz(standby).catch(() => null))?.body.detail?.role === 'standby',
        {
          timeoutMs: 20_000,
          what: `${standby} standing by`,
        },
      );
      await kill9(c, leader);
      const [ms2] = await timeToLeader(c, [standby], LEADER_BUDGET + 5000);
      takeovers.push(ms2);
      expect(ms2).toBeLessThanOrEqual(LEADER_BUDGET);
      await failover();
      await failback();
      await restoreDecider(leader);
    });
  });

  it('one, then two probe regions stopped: no failover, answers unchanged', async () => {
    await fault('probe regions stopped', async () => {
      const since = (await timeline(c)).at(-1)?.seq ?? 0;
      for (const region of ['ap-south', 'eu-west']) {
        await kill9(c, `probe-${region}`);
        await waitFor(
          async () => (await c.events('region-stale')).some((e) => e.seq > since && e.region === region),
          { timeoutMs: 20_000, what: `region-stale for ${region}` },
        );
        for (const n of UP) expect(await c.answer(n, 2000)).toEqual([PRIMARY]);
      }
      const after = (await timeline(c)).filter((e) => e.seq > since);
      expect(after.filter((e) => e.type === 'answer-switched')).toEqual([]);
      await Promise.all(['ap-south', 'eu-west'].map((r) => c.probe(r)));
      await waitFor(
        async () => {
          const fresh = (await c.events('region-fresh')).filter((e) => e.seq > since).map((e) => e.region);
          return fresh.includes('ap-south') && fresh.includes('eu-west');
        },
        { timeoutMs: 30_000, what: 'both regions fresh again' },
      );
    });
  });

  it('a DNS server restarted while Redis is down serves its disk cache, then follows Redis again', async () => {
    await fault('dns restart with redis down', async () => {
      const serial = (await c.zoneState())!.serial;
      await waitFor(async () => (await cachedSerial(c)) === serial, {
        timeoutMs: 10_000,
        what: `serial ${serial} in the disk cache`,
      });
      await stopProc(c, 'dns-3');
      await c.redis.kill();
      try {
        await c.dns('dns-3');
        // A server of another config (another hash) must refuse the same cache file.
        await c.dns('dns-foreign', '?v=2');
        await c.untilAnswer(['dns-3'], PRIMARY, 20_000);
        const r = await c.readyz('dns-3');
        expect(r.status).toBe(200);
        expect(r.body.detail).toMatchObject({ source: 'disk-cache', degraded: true, serial });
        await waitFor(() => /refusing the disk cache \(foreign\)/.test(c.get('dns-foreign').child.output()), {
          timeoutMs: 20_000,
          what: 'dns-foreign refusing the cache',
        });
        expect((await c.readyz('dns-foreign')).status).toBe(503);
        await sleep(1000); // Redis stays down a while longer: dns-3 keeps serving
        expect(await c.answer('dns-3', 2000)).toEqual([PRIMARY]);
      } finally {
        await c.redis.restart();
      }
      for (const n of ['dns-3', 'dns-foreign'])
        await waitFor(async () => (await c.readyz(n).catch(() => null))?.body.detail?.source === 'redis', {
          timeoutMs: 20_000,
          what: `${n} following Redis`,
        });
      await stopProc(c, 'dns-foreign');
      await timeToLeader(c, DECIDERS, LEADER_BUDGET + 10_000);
      await failover();
      await c.untilAnswer(['dns-3'], SECONDARY, 10_000);
      await failback();
    });
  });

  it('the timeline has each failover and failback once, no gap in seq, and no failed query', async () => {
    const stats = await prober.stop();
    const events = (await timeline(c)).filter((e) => e.seq > seqStart);
    const switches = events.filter((e) => e.type === 'answer-switched').map((e) => e.to);
    const { gaps, duplicates } = seqProblems(events);
    console.log(
      `CHAOS SUMMARY faults=${faults.length} queries=${stats.queries} failed=${stats.failures.length} ` +
        `failedByFault=${JSON.stringify(failuresBy)} takeoverMs=${JSON.stringify(takeovers)} ` +
        `leaderAfterRedisMs=${JSON.stringify(leaderAfterRedis)} switchesExpected=${expectedSwitches.length} ` +
        `switchesStored=${switches.length} events=${events.length} seqGaps=${gaps.length} seqDuplicates=${duplicates.length}`,
    );
    expect(stats.failures.slice(0, 10)).toEqual([]);
    expect(stats.queries).toBeGreaterThan(500);
    expect(switches).toEqual(expectedSwitches);
    expect({ gaps, duplicates }).toEqual({ gaps: [], duplicates: [] });
  });
});

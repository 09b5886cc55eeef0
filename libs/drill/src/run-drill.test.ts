/** Drills against a real DNS server fed by a real DecisionEngine; only the publish delay is simulated. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@understudy/config';
import { DecisionEngine, NotFoundError, type EngineOutput, type ListenAddress } from '@understudy/core';
import { DnsServer, queryUdp } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { DrillRegistry } from './drill-registry.js';
import { runDrill } from './run-drill.js';
import type { DrillDeps, DrillReport } from './types.js';

const yaml = (failbackAfter = '1m'): string => `regions: [eu]
listen: { dns: ["127.0.0.1:0"] }
targets:
  - { name: r53, type: route53, zones: [{ apex: example.test }] }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.10] }
          - { name: secondary, values: [198.51.100.10] }
        failbackAfter: ${failbackAfter}
        flapDamping: false
`;

const servers: DnsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Host {
  deps: DrillDeps;
  engine: DecisionEngine;
  /** Overrides applied, as "answer:mode:reason". */
  overrides: string[];
  /** Zone states reach the second server only while this is true. */
  feedSecond: { on: boolean };
}

async function host(
  opts: { publishDelayMs?: number; approve?: boolean; timeoutMs?: number; failbackAfter?: string } = {},
): Promise<Host> {
  const { config } = parseConfig(yaml(opts.failbackAfter));
  const engine = new DecisionEngine({ config, now: Date.now(), epoch: 1 });
  const a = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger: recordingLogger() });
  const b = new DnsServer({ listen: [{ host: '::1', port: 0 }], logger: recordingLogger() });
  servers.push(a, b);
  const feedSecond = { on: true };
  for (const s of [a, b]) {
    s.setZoneState(engine.zoneState);
    await s.start();
  }
  const published = new Map<number, number>();
  const publish = (out: EngineOutput): void => {
    if (!out.delta) return;
    const zs = engine.zoneState;
    setTimeout(() => {
      a.setZoneState(zs);
      if (feedSecond.on) b.setZoneState(zs);
      published.set(zs.serial, Date.now());
      engine.markPublished('r53', zs.serial, Date.now());
    }, opts.publishDelayMs ?? 30);
  };
  const overrides: string[] = [];
  const dnsServers: ListenAddress[] = [a, b].map((s) => {
    const { address, port } = s.addresses().udp[0]!;
    return { host: address, port };
  });
  const deps: DrillDeps = {
    config,
    dnsServers,
    setOverride: (id, answer, mode, actor) => {
      overrides.push(`${answer}:${mode}:${actor.name}:${actor.reason}`);
      publish(engine.setOverride(id, answer, mode, actor, Date.now()));
      return Promise.resolve();
    },
    ...(opts.approve === false
      ? {}
      : {
          approveFailback: (id, actor) => {
            overrides.push(`approve:${actor.reason}`);
            publish(engine.approveFailback(id, actor, Date.now()));
            return Promise.resolve();
          },
        }),
    queryDns: (server, name, type) => queryUdp(server, name, type, 500),
    readRecord: (id) => engine.state.records[id]!,
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    timeoutMs: opts.timeoutMs ?? 3000,
    pollIntervalMs: 20,
  };
  return { deps, engine, overrides, feedSecond };
}

const actor = { name: 'oncall', reason: 'quarterly test' };

describe('runDrill', () => {
  it('forces the answer down, times every DNS server and the provider, restores, and reports', async () => {
    const h = await host({ publishDelayMs: 50 });
    const updates: DrillReport[] = [];
    const r = await runDrill({
      recordId: 'app.example.test',
      actor,
      deps: h.deps,
      onUpdate: (u) => updates.push(u),
    });
    expect(r.status).toBe('done');
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({
      record: 'app.example.test./A',
      target: null,
      from: ['192.0.2.10'],
      to: ['198.51.100.10'],
      fromAnswer: 'primary',
      toAnswer: 'secondary',
    });
    expect(r.targets.map((t) => `${t.target} ${t.instance ?? ''}`.trim())).toEqual([
      `dns ${h.deps.dnsServers![0]!.host}:${h.deps.dnsServers![0]!.port}`,
      `dns [::1]:${h.deps.dnsServers![1]!.port}`,
      'r53',
    ]);
    for (const t of r.targets) {
      expect(t.error).toBeUndefined();
      expect(t.servedNewAt! - r.overrideAt!).toBeGreaterThanOrEqual(40); // the publish delay
      expect(t.restoredAt! - r.restoreAt!).toBeGreaterThanOrEqual(40);
      expect(t.restoredAt!).toBeGreaterThan(t.servedNewAt!);
    }
    expect(h.overrides).toEqual([
      `primary:down:oncall:drill ${r.id}: quarterly test`,
      `primary:obey:oncall:drill ${r.id}: restore`,
      `approve:drill ${r.id}: restore`,
    ]);
    expect(h.engine.state.records['app.example.test./A']!.values).toEqual(['192.0.2.10']);
    expect(updates[0]!.status).toBe('running');
    expect(updates.at(-1)).toEqual(r);
  });

  it('limits the drill to one target', async () => {
    const h = await host();
    const r = await runDrill({ recordId: 'app.example.test./A', target: 'r53', actor, deps: h.deps });
    expect(r.status).toBe('done');
    expect(r.targets.map((t) => t.target)).toEqual(['r53']);
  });

  it('fails clearly, and still restores, when a server never serves the new answer', async () => {
    const h = await host({ timeoutMs: 400 });
    h.feedSecond.on = false;
    const r = await runDrill({ recordId: 'app.example.test', target: 'dns', actor, deps: h.deps });
    expect(r.status).toBe('failed');
    expect(r.targets[0]!.servedNewAt).not.toBeNull();
    expect(r.targets[1]!.servedNewAt).toBeNull();
    expect(r.targets[1]!.error).toMatch(/did not serve the drill answer within 400 ms/);
    expect(h.engine.state.records['app.example.test./A']!.values).toEqual(['192.0.2.10']);
    expect(r.finishedAt).not.toBeNull();
  });

  it('without failback approval, reports the restore as not done within the budget', async () => {
    const h = await host({ approve: false, timeoutMs: 300, failbackAfter: '200ms' });
    const r = await runDrill({ recordId: 'app.example.test', target: 'r53', actor, deps: h.deps });
    // The engine only fails back on a tick; nothing ticks here, so the restore cannot be seen.
    expect(r.status).toBe('failed');
    expect(r.targets[0]!.servedNewAt).not.toBeNull();
    expect(r.targets[0]!.error).toMatch(/did not serve the original answer again within 500 ms/);
  });

  it('refuses an unknown record or target before changing anything', async () => {
    const h = await host();
    await expect(runDrill({ recordId: 'nope.example.test', actor, deps: h.deps })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      runDrill({ recordId: 'app.example.test', target: 'cf', actor, deps: h.deps }),
    ).rejects.toThrow(/no target "cf" serves app.example.test.\/A \(targets: dns, r53\)/);
    expect(h.overrides).toEqual([]);
  });
});

describe('DrillRegistry', () => {
  it('runs drills in the background, one per record, and keeps their reports', async () => {
    const h = await host();
    const outcomes: string[] = [];
    const reg = new DrillRegistry({
      deps: h.deps,
      logger: recordingLogger(),
      metrics: { drills: { inc: (l) => outcomes.push(l.outcome) } },
    });
    expect(() => reg.start({ recordId: 'nope', actor })).toThrow(NotFoundError);
    const { id } = reg.start({ recordId: 'app.example.test', actor });
    expect(reg.get(id)?.status).toBe('running');
    expect(() => reg.start({ recordId: 'app.example.test./A', actor })).toThrow(/still running/);
    await reg.close();
    expect(reg.get(id)?.status).toBe('done');
    expect(reg.list().map((r) => r.id)).toEqual([id]);
    expect(reg.get('drill-unknown')).toBeNull();
    expect(outcomes).toEqual(['passed']);
  });
});

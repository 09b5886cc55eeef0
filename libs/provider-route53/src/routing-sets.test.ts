/**
 * Routing-policy and alias record sets at a name Understudy manages (issue 17, cases 1 and 2): a plain
 * record cannot share a name and type with them, so a takeover deletes each set exactly in the same
 * batch; and a read pages through a group of sets with StartRecordIdentifier.
 */
import { createPlan } from '@understudy/core';
import type { ProviderRecord } from '@understudy/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuRecord } from '@understudy/emulators/route53/types';
import type { Route53Emulator } from './test-support/harness.js';
import { emulatorWithZone, provider, targetConfig } from './test-support/harness.js';
import type { Route53Provider } from './route53-provider.js';

const ZONE = 'example.test.';
const NAME = `app.${ZONE}`;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function setup(
  takeover: boolean,
  pageSize = 300,
): Promise<{ emu: Route53Emulator; zoneId: string; p: Route53Provider }> {
  const { emu, zoneId } = await emulatorWithZone(ZONE);
  open.push(emu);
  const p = provider(targetConfig(emu.url, [{ apex: ZONE, id: null }], { takeover }), { pageSize });
  open.push(p);
  return { emu, zoneId, p };
}

const failoverPair: EmuRecord[] = [
  {
    name: NAME,
    type: 'A',
    ttl: 60,
    values: ['192.0.2.1'],
    setIdentifier: 'primary',
    policy: { Failover: 'PRIMARY', HealthCheckId: 'hc-1' },
  },
  {
    name: NAME,
    type: 'A',
    ttl: 60,
    values: ['192.0.2.2'],
    setIdentifier: 'secondary',
    policy: { Failover: 'SECONDARY' },
  },
];
const desired: ProviderRecord[] = [{ name: NAME, type: 'A', ttl: 60, values: ['198.51.100.7'] }];

async function plan(p: Route53Provider, takeover: boolean) {
  return createPlan(p.name, ZONE, await p.read(ZONE), p.normalize(desired).records, { takeover });
}

describe('Route53Provider: routing-policy and alias sets at a managed name', () => {
  it('takeover replaces a failover pair: the plan shows both sets, and one batch deletes them and creates ours', async () => {
    const { emu, zoneId, p } = await setup(true);
    emu.seed(zoneId, failoverPair);
    const pl = await plan(p, true);
    expect(pl.updates).toHaveLength(1);
    const report = await p.apply(pl);
    expect(report.changes.map((c) => [c.name, c.ok, c.error])).toEqual([[NAME, true, undefined]]);
    const before = pl.updates[0]!.before.values.join(' | ');
    expect(before).toContain('failover PRIMARY set "primary"');
    expect(before).toContain('failover SECONDARY set "secondary"');
    expect(report.batches).toBe(1);
    const held = emu.records(zoneId).filter((r) => r.name === NAME);
    expect(held).toEqual([{ name: NAME, type: 'A', ttl: 60, values: ['198.51.100.7'] }]);
    // The next read sees the record as ours: nothing left to do.
    const again = await plan(p, true);
    expect(again.updates.length + again.creates.length + again.deletes.length).toBe(0);
  });

  it('takeover replaces an alias set too; without takeover the sets are a conflict and stay', async () => {
    const { emu, zoneId, p } = await setup(false);
    const alias = {
      name: NAME,
      type: 'A',
      ttl: 0,
      values: [],
      alias: { hostedZoneId: 'Z2FDTNDATAQYW2', dnsName: 'd1.cloudfront.net.', evaluateTargetHealth: false },
    };
    emu.seed(zoneId, [alias]);
    const left = await plan(p, false);
    expect(left.conflicts.map((r) => r.name)).toEqual([NAME]);
    const { emu: emu2, zoneId: z2, p: p2 } = await setup(true);
    emu2.seed(z2, [alias]);
    const pl = await plan(p2, true);
    const report = await p2.apply(pl);
    expect(report.changes.map((c) => c.error ?? 'ok')).toEqual(['ok']);
    expect(pl.updates[0]!.before.values.join(' ')).toContain('alias to d1.cloudfront.net.');
    expect(emu2.records(z2).filter((r) => r.name === NAME)).toEqual(desired);
    expect(emu.records(zoneId).filter((r) => r.name === NAME)).toEqual([alias]);
  });

  it('a read pages through a group of sets with identifiers larger than a page, and ends', async () => {
    const { emu, zoneId, p } = await setup(false, 3);
    emu.seed(
      zoneId,
      Array.from({ length: 8 }, (_, i) => ({
        name: NAME,
        type: 'A',
        ttl: 60,
        values: [`10.1.0.${i + 1}`],
        setIdentifier: `w${i}`,
        policy: { Weight: String(i) },
      })),
    );
    // The old reader restarted the group on every page: stop it by its call count, not a timeout.
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        if ((emu.stats().calls['ListResourceRecordSets'] ?? 0) > 40) {
          reject(new Error('read() did not end: ListResourceRecordSets called more than 40 times'));
          void emu.close();
        }
      }, 20);
    });
    const reading = p.read(ZONE);
    reading.catch(() => undefined);
    const read = await Promise.race([reading, stop]).finally(() => clearInterval(timer));
    expect(read.foreign.filter((r) => r.name === NAME)).toHaveLength(1);
    expect(read.foreign.find((r) => r.name === NAME)!.values).toHaveLength(8);
    // 8 weighted sets + NS + SOA = 10 sets → 4 pages of 3.
    expect(emu.stats().calls['ListResourceRecordSets']).toBeLessThanOrEqual(8);
  });
});

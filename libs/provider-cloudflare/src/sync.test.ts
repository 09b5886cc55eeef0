/** Batching, pagination, rate-limit storms and ownership against the emulator over real HTTP. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlan, TransientError, type ProviderRecord } from '@understudy/core';
import { ownerMarker } from './marker.js';
import {
  cfBodies,
  fakeTime,
  OWNER,
  provider,
  rawRecords,
  startEmulator,
  TOKEN,
  targetConfig,
  type CloudflareEmulator,
} from './test-support/fixture.js';

const ZONE = 'example.test.';
let emu: CloudflareEmulator;

beforeEach(async () => {
  emu = await startEmulator({ zones: [{ name: ZONE }] });
});
afterEach(() => emu.close());

const many = (n: number, octet: number): ProviderRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `r${i}.${ZONE}`,
    type: 'A' as const,
    ttl: 60,
    values: [`10.${octet}.${Math.floor(i / 250)}.${i % 250}`],
  }));

const seedOwned = (records: ProviderRecord[]) => emu.seed(ZONE, cfBodies(records, ownerMarker(OWNER)));

describe('CloudflareProvider against the emulator', () => {
  it('pages through more than one page of records', async () => {
    seedOwned(many(250, 1));
    const p = provider(targetConfig(emu, [ZONE]), { perPage: 100 });
    const read = await p.read(ZONE);
    expect(read.owned).toHaveLength(250);
    expect(emu.stats().calls['records.list']).toBe(3);
    expect(p.stats().apiCalls).toBe(4); // zones.list + 3 pages
  });

  it('flips 1,000 records in exactly 5 batch calls of 200', async () => {
    seedOwned(many(1000, 1));
    const p = provider(targetConfig(emu, [ZONE], { batchSize: 200 }));
    const plan = createPlan('cf', ZONE, await p.read(ZONE), many(1000, 2), { takeover: false });
    expect(plan.updates).toHaveLength(1000);
    emu.resetStats();
    const report = await p.apply(plan);
    expect(emu.stats().batchCalls).toBe(5);
    expect(emu.stats().changes).toBe(1000);
    expect(report.batches).toBe(5);
    expect(report.changes.every((c) => c.ok)).toBe(true);
    expect(report.propagated).toBe(true);
    expect(rawRecords(emu, ZONE)).toHaveLength(1000);
    expect(createPlan('cf', ZONE, await p.read(ZONE), many(1000, 2), { takeover: false }).updates).toEqual(
      [],
    );
  });

  it('rides out a 429 storm on batch calls: honours Retry-After, counts retries, applies each change once', async () => {
    seedOwned(many(300, 1));
    const time = fakeTime();
    const p = provider(targetConfig(emu, [ZONE], { batchSize: 100 }), { ...time });
    const plan = createPlan('cf', ZONE, await p.read(ZONE), many(300, 3), { takeover: false });
    emu.resetStats();
    emu.setFaults({ fail429Next: 5, retryAfterSeconds: 7, faultOps: ['records.batch'] });
    const report = await p.apply(plan);
    const s = emu.stats();
    expect(s.rateLimited).toBe(5);
    expect(report.retries).toBe(5);
    expect(s.calls['records.batch']).toBe(8);
    expect(s.batchCalls).toBe(3);
    expect(s.changes).toBe(300);
    expect(time.sleeps.filter((ms) => ms >= 7000)).toHaveLength(5);
    expect(report.changes.every((c) => c.ok)).toBe(true);
    const after = await p.read(ZONE);
    expect(after.owned.map((r) => r.values[0])).toEqual(
      many(300, 3)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((r) => r.values[0]),
    );
    const log = JSON.stringify(p.log.entries);
    expect(log).toContain('cloudflare call retried');
    expect(log).not.toContain(TOKEN);
  });

  it('retries 5xx with backoff and reports them', async () => {
    seedOwned(many(10, 1));
    const time = fakeTime();
    const p = provider(targetConfig(emu, [ZONE]), { ...time });
    const plan = createPlan('cf', ZONE, await p.read(ZONE), many(10, 4), { takeover: false });
    emu.setFaults({ fail5xxNext: 2, faultOps: ['records.batch'] });
    const report = await p.apply(plan);
    expect(report.retries).toBe(2);
    expect(emu.stats().serverErrors).toBe(2);
    expect(report.changes.filter((c) => c.ok)).toHaveLength(10);
  });

  it('gives up as TransientError with retryAfterMs when Cloudflare asks for a long wait', async () => {
    const p = provider(targetConfig(emu, [ZONE]), { ...fakeTime(), maxWaitMs: 10_000 });
    emu.setFaults({ fail429Next: 1, retryAfterSeconds: 300 });
    const err = await p.read(ZONE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).message).toContain('cloudflare target "cf"');
    expect((err as TransientError).retryAfterMs).toBeGreaterThanOrEqual(300_000);
  });

  it('never touches foreign records, even at an owned name', async () => {
    emu.seed(ZONE, [
      { name: `legacy.${ZONE}`, type: 'A', content: '192.0.2.50', ttl: 300 },
      {
        name: `app.${ZONE}`,
        type: 'A',
        content: '192.0.2.60',
        ttl: 300,
        comment: 'understudy:owner=someone-else',
      },
    ]);
    seedOwned([{ name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }]);
    const foreignBefore = emu.records(ZONE).filter((r) => r.comment !== ownerMarker(OWNER));
    const p = provider(targetConfig(emu, [ZONE]));
    const read = await p.read(ZONE);
    expect(read.owned.map((r) => r.values)).toEqual([['192.0.2.1']]);
    expect(read.foreign.map((r) => r.name).sort()).toEqual([`app.${ZONE}`, `legacy.${ZONE}`]);
    const desired: ProviderRecord[] = [
      { name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.2', '192.0.2.3'] },
    ];
    await p.apply(createPlan('cf', ZONE, read, desired, { takeover: false }));
    await p.apply(createPlan('cf', ZONE, await p.read(ZONE), [], { takeover: false }));
    expect(emu.records(ZONE)).toEqual(foreignBefore);
  });

  it('repairs drift made by hand', async () => {
    const desired: ProviderRecord[] = [{ name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }];
    seedOwned(desired);
    const id = emu.records(ZONE)[0]!.id;
    emu.edit(ZONE, id, { content: '203.0.113.66', ttl: 3600 });
    const p = provider(targetConfig(emu, [ZONE]));
    const plan = createPlan('cf', ZONE, await p.read(ZONE), desired, { takeover: false });
    expect(plan.updates.map((u) => [u.before.values, u.before.ttl])).toEqual([[['203.0.113.66'], 3600]]);
    await p.apply(plan);
    expect(rawRecords(emu, ZONE)).toEqual(desired);
    expect(emu.records(ZONE)[0]!.id).toBe(id);
  });

  it('round-trips MX, TXT, SRV, CAA and AAAA values', async () => {
    const desired: ProviderRecord[] = [
      { name: ZONE, type: 'MX', ttl: 300, values: ['10 mx1.example.test.', '20 mx2.example.test.'] },
      { name: ZONE, type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
      { name: `_sip._tcp.${ZONE}`, type: 'SRV', ttl: 300, values: ['10 5 5060 sip.example.test.'] },
      { name: ZONE, type: 'CAA', ttl: 300, values: ['0 issue "ca.example"'] },
      { name: `v6.${ZONE}`, type: 'AAAA', ttl: 300, values: ['2001:db8::1'] },
    ];
    const p = provider(targetConfig(emu, [ZONE]));
    const norm = p.normalize(desired).records;
    await p.apply(createPlan('cf', ZONE, await p.read(ZONE), norm, { takeover: false }));
    const read = await p.read(ZONE);
    expect(createPlan('cf', ZONE, read, norm, { takeover: false })).toMatchObject({
      creates: [],
      updates: [],
      deletes: [],
    });
    expect(read.owned).toHaveLength(5);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '@understudy/backends';
import { dig } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { DnsRole, workerSemiSpaceMb, workerYoungGeneration } from './dns-role.js';
import { fixtureConfig, overlayAt, PRIMARY, SECONDARY, zoneAt } from './test-support/fixture.js';
import { ZoneCache } from './zone-cache.js';

let dir: string;
let role: DnsRole | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-dns-role-'));
});
afterEach(async () => {
  await role?.close();
  role = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const port = await freePort('127.0.0.1', 'both');
  const loaded = fixtureConfig(port);
  const logger = recordingLogger();
  const zones = loaded.config.zones.map((z) => z.apex);
  const cache = new ZoneCache({ file: join(dir, 'cache.json'), configHash: loaded.hash, zones, logger });
  const answer = async () => {
    const r = await dig({ server: '127.0.0.1', port, name: 'app.example.test', type: 'A', timeoutMs: 2000 });
    return r.answer.filter((a) => a.type === 'A').map((a) => a.data);
  };
  const base = { config: loaded.config, logger, clock: { now: () => 5_000 }, instance: 'dns-test', cache };
  return { loaded, logger, cache, answer, base };
}

describe('DnsRole with a disk cache', () => {
  it('serves the cached state without a store, then switches to the store once it has a newer one', async () => {
    const { loaded, cache, answer, base } = await setup();
    role = await DnsRole.start({ ...base, store: null, cached: zoneAt(loaded, 100, 'secondary') });
    expect([role.source, role.serial, role.ready]).toEqual(['disk-cache', 100, true]);
    expect(await answer()).toEqual([SECONDARY]);
    // Served from the cache: not re-saved as if it came from the store.
    expect(await cache.load()).toMatchObject({ ok: false, reason: 'missing' });

    const store = await MemoryStateStore.open();
    await store.writeOverlay(overlayAt(101, 'primary'));
    await role.follow(store);
    expect([role.source, role.serial]).toEqual(['store', 101]);
    expect(await answer()).toEqual([PRIMARY]);
    const saved = await waitFor(
      async () => {
        const r = await cache.load();
        return r.ok ? r.overlay : null;
      },
      { timeoutMs: 5000, what: 'the cache file' },
    );
    expect(saved?.serial).toBe(101);
    // A delta from the store: applied in place, answered, and recorded as published.
    const id = loaded.config.zones[0]!.failover[0]!.id;
    await store.writeOverlay({
      kind: 'delta',
      delta: { base: 101, serial: 102, epoch: 1, generatedAt: 1000, records: { [id]: [SECONDARY] } },
    });
    expect(role.serial).toBe(102);
    expect(await answer()).toEqual([SECONDARY]);
    expect(
      await waitFor(async () => (await store.readPublications())[0]?.serial === 102, {
        timeoutMs: 5000,
        what: 'publication of 102',
      }),
    ).toBe(true);
  });

  it('never goes back to an older serial when the store returns behind the cache', async () => {
    const { loaded, answer, base } = await setup();
    role = await DnsRole.start({ ...base, store: null, cached: zoneAt(loaded, 100, 'secondary') });
    const store = await MemoryStateStore.open();
    await store.writeOverlay(overlayAt(99, 'primary'));
    await role.follow(store);
    expect([role.source, role.serial]).toEqual(['disk-cache', 100]);
    expect(await answer()).toEqual([SECONDARY]);
    await store.writeOverlay(overlayAt(100, 'primary'));
    // The same serial from the store replaces the cache's copy and counts as published.
    expect([role.source, role.serial]).toEqual(['store', 100]);
    expect(await answer()).toEqual([PRIMARY]);
    expect((await store.readPublications()).map((p) => p.serial)).toEqual([100]);
  });

  it('refuses to start with neither a store nor a cached overlay', async () => {
    const { base } = await setup();
    await expect(DnsRole.start({ ...base, store: null })).rejects.toThrow(/needs a store or a cached/);
  });
});

describe('DnsRole publications', () => {
  it('re-reports the serial it serves with the time it started serving it (since), not the heartbeat time', async () => {
    const { base } = await setup();
    let now = 5_000;
    const store = await MemoryStateStore.open();
    await store.writeOverlay(overlayAt(101, 'primary'));
    role = await DnsRole.start({ ...base, clock: { now: () => now }, store, publicationHeartbeat: 20 });
    const ours = async () => (await store.readPublications()).find((p) => p.instance === 'dns-test');
    await waitFor(async () => (await ours())?.serial === 101, {
      timeoutMs: 5000,
      what: 'serial 101 recorded',
    });
    now = 9_000;
    await waitFor(async () => (await ours())?.at === 9_000, { timeoutMs: 5000, what: 'a heartbeat' });
    expect(await ours()).toMatchObject({ serial: 101, at: 9_000, since: 5_000 });
    await store.writeOverlay(overlayAt(102, 'secondary'));
    await waitFor(async () => (await ours())?.serial === 102, {
      timeoutMs: 5000,
      what: 'serial 102 recorded',
    });
    expect(await ours()).toMatchObject({ serial: 102, since: 9_000 });
  });
});

describe('DNS workers young generation', () => {
  it('grows with the failover records a publish can change: 1 MB when small, 8 MB from 10,500', () => {
    expect(workerSemiSpaceMb(0)).toBe(1);
    expect(workerSemiSpaceMb(1_000)).toBe(1);
    expect(workerSemiSpaceMb(1_501)).toBe(2);
    expect(workerSemiSpaceMb(11_000)).toBe(8);
    expect(workerSemiSpaceMb(1_000_000)).toBe(8);
  });

  it('sets both bounds from every zone of the config, overriding the minimum the launchers pass', () => {
    const zone = (failovers: number) => ({ failover: Array.from({ length: failovers }, () => ({})) });
    const config = { zones: [zone(6_000), zone(5_000)] } as unknown as Parameters<
      typeof workerYoungGeneration
    >[0];
    expect(workerYoungGeneration(config)).toEqual(['--min-semi-space-size=8', '--max-semi-space-size=8']);
    expect(workerYoungGeneration(fixtureConfig(5300).config)).toEqual([
      '--min-semi-space-size=1',
      '--max-semi-space-size=1',
    ]);
  });
});

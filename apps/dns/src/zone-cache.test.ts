import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { fixtureConfig, zoneAt } from './test-support/fixture.js';
import { ZoneCache } from './zone-cache.js';

const loaded = fixtureConfig();
const apexes = (l: typeof loaded) => l.config.zones.map((z) => z.apex);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-zone-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cacheAt(file: string, over: { configHash?: string; zones?: string[] } = {}) {
  const logger = recordingLogger();
  const cache = new ZoneCache({
    file,
    configHash: over.configHash ?? loaded.hash,
    zones: over.zones ?? apexes(loaded),
    logger,
  });
  return { cache, logger };
}

describe('ZoneCache', () => {
  it('round-trips the overlay it saved, and leaves no temp file behind', async () => {
    const file = join(dir, 'sub', 'cache.json');
    const { cache } = cacheAt(file);
    await cache.save(zoneAt(loaded, 7, 'secondary'));
    const res = await cacheAt(file).cache.load();
    expect(res.ok && res.overlay).toEqual(zoneAt(loaded, 7, 'secondary'));
    expect(await readdir(join(dir, 'sub'))).toEqual(['cache.json']);
  });

  it('writes only when the serial changes, and the newest of states that queue up', async () => {
    const file = join(dir, 'cache.json');
    const { cache } = cacheAt(file);
    await cache.save(zoneAt(loaded, 7, 'primary'));
    const first = await readFile(file, 'utf8');
    await cache.save(zoneAt(loaded, 7, 'secondary'));
    expect(await readFile(file, 'utf8')).toBe(first);
    // Three saves while one write runs: the middle one is skipped, the last one wins.
    const writes = [8, 9, 10].map((s) => cache.save(zoneAt(loaded, s, 'secondary')));
    await Promise.all(writes);
    const res = await cache.load();
    expect(res.ok && res.overlay.serial).toBe(10);
  });

  it('reports a missing file as missing', async () => {
    expect(await cacheAt(join(dir, 'none.json')).cache.load()).toMatchObject({
      ok: false,
      reason: 'missing',
    });
  });

  it('refuses a cache written for another config hash or other zones', async () => {
    const file = join(dir, 'cache.json');
    await cacheAt(file, { configHash: 'f'.repeat(64) }).cache.save(zoneAt(loaded, 7, 'primary'));
    const byHash = await cacheAt(file).cache.load();
    expect(byHash).toMatchObject({ ok: false, reason: 'foreign' });
    expect(!byHash.ok && byHash.detail).toMatch(/written for config ffffffffffff/);

    const other = fixtureConfig(0, 'other.test');
    await cacheAt(file, { zones: apexes(other) }).cache.save(zoneAt(other, 7, 'primary'));
    const byZones = await cacheAt(file).cache.load();
    expect(byZones).toMatchObject({ ok: false, reason: 'foreign' });
    expect(!byZones.ok && byZones.detail).toMatch(/other\.test/);
  });

  it('refuses a truncated or foreign-format file as corrupt', async () => {
    const file = join(dir, 'cache.json');
    await cacheAt(file).cache.save(zoneAt(loaded, 7, 'primary'));
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    expect(await cacheAt(file).cache.load()).toMatchObject({ ok: false, reason: 'corrupt' });
    await writeFile(file, JSON.stringify({ serial: 7 }));
    expect(await cacheAt(file).cache.load()).toMatchObject({ ok: false, reason: 'corrupt' });
    await writeFile(file, JSON.stringify({ ...JSON.parse(text), overlay: { serial: 'x' } }));
    expect(await cacheAt(file).cache.load()).toMatchObject({ ok: false, reason: 'corrupt' });
    // A version-1 cache (a whole zone state, before issue 11) is another format: refused, not misread.
    await writeFile(file, JSON.stringify({ ...JSON.parse(text), version: 1 }));
    expect(await cacheAt(file).cache.load()).toMatchObject({ ok: false, reason: 'corrupt' });
  });

  it('logs a failed write once, never throws, and writes again when it can', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where a directory should be');
    const { cache, logger } = cacheAt(join(blocker, 'cache.json'));
    await cache.save(zoneAt(loaded, 7, 'primary'));
    await cache.save(zoneAt(loaded, 8, 'primary'));
    expect(logger.messages('warn')).toEqual([
      'dns: could not write the zone cache (dns.cacheFile); serving is not affected',
    ]);
  });
});

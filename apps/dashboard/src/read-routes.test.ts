import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './test-support/fixture.js';
import { responseValidator } from './test-support/validate.js';

let f: Fixture;
let webRoot: string;
const valid = responseValidator();

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'dash-web-'));
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>UI</title>');
  await writeFile(join(webRoot, 'assets', 'app-abcdef12.js'), 'console.log(1)');
  await writeFile(join(webRoot, '..', 'dash-secret.txt'), 'secret').catch(() => undefined);
  f = await startFixture(undefined, { webRoot });
});
afterAll(async () => {
  await f.close();
  await rm(webRoot, { recursive: true, force: true });
});

async function json(path: string, status = 200): Promise<Record<string, unknown>> {
  const res = await f.get(path);
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return body;
}

describe('read routes', () => {
  it('GET /api/v1/status summarises the decider state', async () => {
    const s = await json('/api/v1/status');
    expect(valid('GET', '/api/v1/status', s)).toBe(true);
    expect(s).toMatchObject({
      version: '0.1.0-test',
      configHash: 'cafe'.repeat(16),
      leader: { holder: 'test-host/1', epoch: 1 },
      counts: { checks: 2, up: 2, down: 0, unknown: 0, records: 1, regions: 3, staleRegions: 0, probes: 3 },
      guard: { holding: false, released: false },
    });
    expect(s.serial).toBeGreaterThan(0);
    expect(s.eventSeq).toBeGreaterThan(0);
  });

  it('GET /api/v1/regions lists each region with its probes', async () => {
    const r = (await json('/api/v1/regions')) as {
      items: { region: string; probes: { probeId: string }[] }[];
    };
    expect(valid('GET', '/api/v1/regions', r)).toBe(true);
    expect(r.items.map((i) => i.region)).toEqual(['us-east', 'eu-west', 'ap-south']);
    expect(r.items[0]!.probes.map((p) => p.probeId)).toEqual(['probe-us-east']);
  });

  it('GET /api/v1/matrix totals cells per region', async () => {
    const m = await json('/api/v1/matrix');
    expect(valid('GET', '/api/v1/matrix', m)).toBe(true);
    expect(m).toEqual({
      regions: ['us-east', 'eu-west', 'ap-south'],
      totals: {
        'us-east': { up: 2, down: 0, unknown: 0, stale: 0 },
        'eu-west': { up: 2, down: 0, unknown: 0, stale: 0 },
        'ap-south': { up: 2, down: 0, unknown: 0, stale: 0 },
      },
      checks: 2,
    });
  });

  it('GET /api/v1/checks pages and filters', async () => {
    const all = (await json('/api/v1/checks')) as {
      total: number;
      items: { id: string; regions: unknown[] }[];
    };
    expect(valid('GET', '/api/v1/checks', all)).toBe(true);
    expect(all).toMatchObject({ total: 2, offset: 0, limit: 100 });
    expect(all.items.map((c) => c.id)).toEqual(['primary', 'secondary']);
    expect(all.items[0]!.regions[0]).toMatchObject({
      region: 'us-east',
      state: 'up',
      stale: false,
      last: { ok: true, timings: { total: 5 } },
    });
    const page = (await json('/api/v1/checks?offset=1&limit=1')) as typeof all;
    expect(page.items.map((c) => c.id)).toEqual(['secondary']);
    expect(((await json('/api/v1/checks?q=SECOND')) as typeof all).items.map((c) => c.id)).toEqual([
      'secondary',
    ]);
    expect(((await json('/api/v1/checks?state=down')) as typeof all).total).toBe(0);
    const bad = await json('/api/v1/checks?limit=501', 400);
    expect(bad).toEqual({ error: 'bad_request', message: 'querystring.limit must be <= 500' });
    expect((await json('/api/v1/checks?state=sideways', 400)).message).toBe(
      'querystring.state must be one of: up, down, unknown, stale',
    );
  });

  it('GET /api/v1/checks/:id returns one check or 404', async () => {
    const c = await json('/api/v1/checks/primary');
    expect(valid('GET', '/api/v1/checks/:id', c)).toBe(true);
    expect(c).toMatchObject({
      id: 'primary',
      type: 'https',
      target: 'https://127.0.0.1:443/',
      quorum: '2/3',
    });
    expect(await json('/api/v1/checks/nope', 404)).toEqual({
      error: 'not_found',
      message: 'no check "nope"',
    });
  });

  it('GET /api/v1/records and one record by name and type', async () => {
    const r = (await json('/api/v1/records')) as { items: Record<string, unknown>[] };
    expect(valid('GET', '/api/v1/records', r)).toBe(true);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({
      id: 'app.example.test./A',
      ttl: 30,
      active: { kind: 'answer', name: 'primary' },
      values: ['192.0.2.10'],
      answers: [
        { name: 'primary', health: 'up', override: 'obey' },
        { name: 'secondary', health: 'up', override: 'obey' },
      ],
      targets: [{ target: 'dns', type: 'builtin', inSync: false, appliedSerial: null }],
    });
    const one = await json('/api/v1/records/APP.example.test/a');
    expect(valid('GET', '/api/v1/records/:name/:type', one)).toBe(true);
    expect(one.id).toBe('app.example.test./A');
    expect(await json('/api/v1/records/other.example.test/A', 404)).toEqual({
      error: 'not_found',
      message: 'no failover record "other.example.test./A"',
    });
    expect((await json('/api/v1/records/bad..name/A', 400)).message).toMatch(/^params\.name: .*empty label/);
  });

  it('GET /api/v1/targets lists the built-in server with its instances', async () => {
    await f.world.store.recordPublication({ target: 'dns', instance: 'host-a', serial: 7, at: f.world.now });
    await f.source.refresh();
    const t = (await json('/api/v1/targets')) as { items: unknown[] };
    expect(valid('GET', '/api/v1/targets', t)).toBe(true);
    expect(t.items).toEqual([
      {
        target: 'dns',
        type: 'builtin',
        instances: [{ instance: 'host-a', serial: 7, at: f.world.now }],
        status: null,
      },
    ]);
  });

  it('GET /api/v1/events pages newest first and filters by type and record', async () => {
    // The primary fails everywhere: verdict, switch and published-style events join the log.
    await f.world.rounds(3, { primary: '---', secondary: '+++' });
    const first = (await json('/api/v1/events?limit=2')) as { items: { seq: number }[]; nextBefore: number };
    expect(valid('GET', '/api/v1/events', first)).toBe(true);
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.seq).toBeGreaterThan(first.items[1]!.seq);
    expect(first.nextBefore).toBe(first.items[1]!.seq);
    const next = (await json(`/api/v1/events?limit=2&before=${first.nextBefore}`)) as typeof first;
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items[0]!.seq).toBeLessThan(first.nextBefore);
    const typed = (await json('/api/v1/events?type=verdict-changed&limit=50')) as {
      items: { type: string }[];
      nextBefore: number | null;
    };
    expect(typed.items.length).toBeGreaterThan(0);
    expect(typed.items.every((e) => e.type === 'verdict-changed')).toBe(true);
    expect(typed.nextBefore).toBeNull();
    const byRecord = (await json(`/api/v1/events?record=${encodeURIComponent('app.example.test/A')}`)) as {
      items: { record?: string }[];
    };
    expect(byRecord.items.length).toBeGreaterThan(0);
    expect(byRecord.items.every((e) => e.record === 'app.example.test./A')).toBe(true);
    expect((await json('/api/v1/events?record=nope.example.test/A', 404)).message).toBe(
      'query.record: no failover record "nope.example.test/A"',
    );
  });

  it('sets security headers on API, error and page responses', async () => {
    for (const path of ['/api/v1/status', '/api/v1/nope', '/']) {
      const res = await f.get(path);
      await res.arrayBuffer();
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const api = await f.get('/api/v1/status');
    await api.arrayBuffer();
    expect(api.headers.get('cache-control')).toBe('no-store');
  });

  it('serves the built UI, falls back to index.html and refuses paths outside webRoot', async () => {
    const index = await f.get('/');
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('<title>UI</title>');
    const asset = await f.get('/assets/app-abcdef12.js');
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect(await (await f.get('/records/app')).text()).toContain('<title>UI</title>');
    const escape = await f.get('/%2e%2e/dash-secret.txt');
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('secret');
    const unknownApi = await f.get('/api/v1/nope');
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toEqual({ error: 'not_found', message: 'no API route GET /api/v1/nope' });
  });
});

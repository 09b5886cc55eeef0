/** The Cloudflare emulator's API contract, checked with plain HTTP (the provider tests drive it with the SDK). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCloudflareEmulator, type CloudflareEmulator } from './index.js';

const TOKEN = 't0ken';
let emu: CloudflareEmulator;
let zoneId: string;

beforeEach(async () => {
  emu = await startCloudflareEmulator({
    tokens: [TOKEN],
    zones: [{ name: 'example.test' }, { name: 'ent.test', enterprise: true }],
  });
  zoneId = emu.zone('example.test').id;
});
afterEach(() => emu.close());

interface Envelope {
  success: boolean;
  errors: { code: number; message: string }[];
  result: unknown;
  result_info?: { page: number; per_page: number; total_count: number; total_pages: number; count: number };
}

async function api(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers['authorization'] = `Bearer ${init.token ?? TOKEN}`;
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Envelope };
}

const a = (name: string, content: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'A',
  content,
  ttl: 60,
  ...extra,
});
const batch = (body: unknown, zone = zoneId) =>
  api(`/zones/${zone}/dns_records/batch`, { method: 'POST', body });

describe('Cloudflare emulator', () => {
  it('requires a known bearer token', async () => {
    const none = await api('/zones', { token: null });
    expect([none.status, none.body.errors[0]!.code]).toEqual([400, 9106]);
    const bad = await api('/zones', { token: 'nope' });
    expect([bad.status, bad.body.success, bad.body.errors[0]!.code]).toEqual([403, false, 9109]);
    // Issue 17, case 6: a malformed Authorization header is 400 6003 (chain: 6111), not a missing one.
    const malformed = await api('/zones', { token: 'has space' });
    expect([malformed.status, malformed.body.errors[0]]).toEqual([
      400,
      {
        code: 6003,
        message: 'Invalid request headers',
        error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
      },
    ]);
    expect(emu.stats().rejected).toBe(3);
  });

  it('lists zones by name and pages records with result_info', async () => {
    const z = await api('/zones?name=example.test');
    expect((z.body.result as { id: string }[]).map((r) => r.id)).toEqual([zoneId]);
    emu.seed(
      'example.test',
      Array.from({ length: 120 }, (_, i) => a(`h${i}`, `192.0.2.${i}`)),
    );
    const p2 = await api(`/zones/${zoneId}/dns_records?per_page=50&page=3`);
    expect(p2.body.result_info).toEqual({
      page: 3,
      per_page: 50,
      count: 20,
      total_count: 120,
      total_pages: 3,
    });
    const past = await api(`/zones/${zoneId}/dns_records?per_page=50&page=4`);
    expect(past.body.result).toEqual([]);
    const named = await api(`/zones/${zoneId}/dns_records?name=h7.example.test&type=A`);
    expect((named.body.result as { content: string }[]).map((r) => r.content)).toEqual(['192.0.2.7']);
    expect(emu.stats().calls['records.list']).toBe(3);
  });

  it('runs a batch as deletes, patches, puts, posts in one transaction', async () => {
    const [cname, old] = emu.seed('example.test', [
      { name: 'www', type: 'CNAME', content: 'app.example.test', ttl: 300 },
      a('old', '192.0.2.1'),
    ]);
    const ok = await batch({
      posts: [a('www', '192.0.2.10', { comment: 'understudy:owner=x' })],
      patches: [{ id: old!.id, content: '192.0.2.2' }],
      deletes: [{ id: cname!.id }],
    });
    expect(ok.status).toBe(200);
    const result = ok.body.result as Record<
      string,
      { name: string; content: string; comment: string | null }[]
    >;
    expect(result['posts']!.map((r) => [r.name, r.content, r.comment])).toEqual([
      ['www.example.test', '192.0.2.10', 'understudy:owner=x'],
    ]);
    expect(
      emu
        .records('example.test')
        .map((r) => `${r.name} ${r.type} ${r.content}`)
        .sort(),
    ).toEqual(['old.example.test A 192.0.2.2', 'www.example.test A 192.0.2.10']);
    expect(emu.stats()).toMatchObject({ batchCalls: 1, changes: 3 });
  });

  it('refuses a whole batch when one operation is invalid, naming it', async () => {
    const before = emu.records('example.test');
    const res = await batch({ posts: [a('good', '192.0.2.1'), a('bad', '300.1.1.1')] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]!.message).toMatch(/^posts\[1\]: .*content for A record is invalid/);
    expect(emu.records('example.test')).toEqual(before);
    expect(emu.stats()).toMatchObject({ batchCalls: 0, changes: 0 });
  });

  it('validates types, TTLs, proxied records, AAAA content, duplicates and CNAME exclusivity', async () => {
    const codes = async (body: unknown, zone = zoneId) => {
      const r = await batch(body, zone);
      return r.status === 200 ? 'ok' : `${r.status} ${r.body.errors[0]!.code}`;
    };
    expect(await codes({ posts: [{ name: 'x', type: 'WKS', content: 'x' }] })).toBe('400 1004');
    expect(await codes({ posts: [a('x', '192.0.2.1', { ttl: 30 })] })).toBe('400 9021');
    expect(await codes({ posts: [a('x', '192.0.2.1', { ttl: 30 })] }, emu.zone('ent.test').id)).toBe('ok');
    expect(await codes({ posts: [a('x', '192.0.2.1', { ttl: 1 })] })).toBe('ok');
    expect(await codes({ posts: [{ name: 't', type: 'TXT', content: 'hi', ttl: 60, proxied: true }] })).toBe(
      '400 9004',
    );
    expect(await codes({ posts: [{ name: 'v6', type: 'AAAA', content: '2001:db8::zz', ttl: 60 }] })).toBe(
      '400 1004',
    );
    expect(await codes({ posts: [a('x', '192.0.2.1')] })).toBe('400 81058');
    expect(await codes({ posts: [{ name: 'x', type: 'CNAME', content: 'y.example.test', ttl: 60 }] })).toBe(
      '400 81053',
    );
    expect(await codes({ posts: [a('p', '192.0.2.5', { proxied: true, ttl: 120 })] })).toBe('ok');
    // Issue 17, case 5: a delegated name (NS below the apex) holds nothing else, either way round.
    const ns = { name: 'sub', type: 'NS', content: 'ns1.other.test', ttl: 300 };
    expect(await codes({ posts: [ns] })).toBe('ok');
    expect(await codes({ posts: [a('sub', '192.0.2.6')] })).toBe('400 81056');
    expect(await codes({ posts: [{ ...ns, name: 'p' }] })).toBe('400 81056');
    expect(await codes({ posts: [{ ...ns, name: 'example.test', content: 'ns9.other.test' }] })).toBe('ok');
    expect(emu.records('example.test').find((r) => r.name === 'p.example.test')).toMatchObject({
      proxied: true,
      ttl: 1,
    });
  });

  it('enforces the batch-size limit (200 by default, configurable)', async () => {
    const ops = (n: number) => ({
      posts: Array.from({ length: n }, (_, i) => a(`n${i}`, `10.0.${Math.floor(i / 200)}.${i % 200}`)),
    });
    const over = await batch(ops(201));
    expect([over.status, over.body.errors[0]!.code]).toEqual([400, 81087]);
    expect((await batch(ops(200))).status).toBe(200);
    const big = await startCloudflareEmulator({
      tokens: [TOKEN],
      zones: [{ name: 'big.test' }],
      batchLimit: 3500,
    });
    try {
      const res = await fetch(`${big.url}/zones/${big.zone('big.test').id}/dns_records/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(ops(1000)),
      });
      expect(res.status).toBe(200);
      expect(big.records('big.test')).toHaveLength(1000);
    } finally {
      await big.close();
    }
  });

  it('rate-limits with 429, Retry-After and Ratelimit headers', async () => {
    emu.setFaults({ rateLimit: { requests: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await api('/zones')).status).toBe(200);
    const limited = await api('/zones');
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0]!.code).toBe(971);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    expect(limited.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
    expect(emu.stats().rateLimited).toBe(1);
  });

  it('counts the rate limit per user: two tokens of one user share it (issue 17, case 3)', async () => {
    emu.setFaults({ rateLimit: { requests: 4, windowMs: 60_000 } });
    for (const token of [TOKEN, 'second-token']) {
      const res = await fetch(`${emu.url.replace(/\/client\/v4$/, '')}/__emulator/tokens`, {
        method: 'POST',
        body: JSON.stringify({ token, user: 'ops@example.test' }),
      });
      expect(res.status).toBe(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await api('/zones')).status, (await api('/zones', { token: 'second-token' })).status);
    }
    // 3 calls per token fit a per-token limit of 4; 6 against one user's do not.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('going over blocks every call for a full window from then, not just to the window end (issue 17, case 3)', async () => {
    let clock = 0;
    const timed = await startCloudflareEmulator({ tokens: [TOKEN], now: () => clock });
    try {
      timed.setFaults({ rateLimit: { requests: 3, windowMs: 60_000 } });
      const call = async (at: number) => {
        clock = at;
        const res = await fetch(`${timed.url}/zones`, { headers: { authorization: `Bearer ${TOKEN}` } });
        await res.arrayBuffer();
        return res.status;
      };
      const statuses = [await call(0), await call(0), await call(0), await call(50_000)];
      // The first window ended at 60 s, but the user went over at 50 s: blocked until 110 s.
      statuses.push(await call(70_000), await call(109_000), await call(111_000));
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 200]);
    } finally {
      await timed.close();
    }
  });

  it('injects 5xx (counted and seeded), one-shot 429s and latency', async () => {
    emu.setFaults({ fail5xxNext: 2 });
    expect((await api('/zones')).status).toBe(503);
    expect((await api('/zones')).status).toBe(503);
    expect((await api('/zones')).status).toBe(200);
    emu.setFaults({ error5xxRate: 1 });
    expect((await api('/zones')).status).toBe(500);
    emu.setFaults({ error5xxRate: 0, fail429Next: 1, retryAfterSeconds: 9, faultOps: ['records.list'] });
    expect((await api('/zones')).status).toBe(200);
    const r = await api(`/zones/${zoneId}/dns_records`);
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '9']);
    expect(emu.stats()).toMatchObject({ serverErrors: 3, rateLimited: 1 });
    emu.setFaults({ latencyMs: 150 });
    const t0 = performance.now();
    await api('/zones');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('serves the admin API: faults, stats, seeding and out-of-band edits', async () => {
    const base = emu.url.replace(/\/client\/v4$/, '');
    const admin = async (path: string, method = 'GET', body?: unknown) => {
      const res = await fetch(`${base}/__emulator/${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Envelope };
    };
    const seeded = await admin('zones/example.test/records', 'POST', { records: [a('s', '192.0.2.1')] });
    const id = (seeded.body.result as { id: string }[])[0]!.id;
    const edited = await admin(`zones/example.test/records/${id}`, 'PATCH', { content: '192.0.2.99' });
    expect((edited.body.result as { content: string }).content).toBe('192.0.2.99');
    expect((await admin('faults', 'POST', { fail5xxNext: 1 })).body.result).toMatchObject({ fail5xxNext: 1 });
    expect((await admin('faults', 'POST', { error5xxRate: 2 })).status).toBe(400);
    expect((await api(`/zones/${zoneId}/dns_records`)).status).toBe(503);
    expect((await admin('stats')).body.result).toMatchObject({ requests: 1, serverErrors: 1 });
    expect((await admin('zones', 'POST', { name: 'new.test' })).status).toBe(200);
    expect((await api('/zones?name=new.test')).body.result).toHaveLength(1);
    expect((await admin('nope')).status).toBe(404);
  });

  it('answers malformed requests with errors, not crashes', async () => {
    const res = await fetch(`${emu.url}/zones/${zoneId}/dns_records/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{not json',
    });
    expect([res.status, ((await res.json()) as Envelope).errors[0]!.code]).toEqual([400, 6007]);
    // Issue 17, case 6: an unknown or malformed zone id is 400 with 7003 then 7000.
    const unknown = await api('/zones/unknown/dns_records');
    expect([unknown.status, unknown.body.errors.map((e) => e.code)]).toEqual([400, [7003, 7000]]);
    expect((await api('/accounts')).body.errors[0]!.code).toBe(7000);
    expect((await batch({ posts: 'x' })).status).toBe(400);
    expect((await api(`/zones/${zoneId}/dns_records?per_page=0`)).status).toBe(400);
  });
});

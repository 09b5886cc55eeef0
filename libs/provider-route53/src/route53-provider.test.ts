import http from 'node:http';
import { createPlan } from '@understudy/core';
import type { ProviderRecord } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { markerName, markerValue } from './marker.js';
import type { Route53Emulator } from './test-support/harness.js';
import { OWNER, emulatorWithZone, manyA, provider, targetConfig } from './test-support/harness.js';
import type { Route53Provider } from './route53-provider.js';

const ZONE = 'example.test.';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function setup(
  emuOpts: Parameters<typeof emulatorWithZone>[1] = {},
  cfg: Parameters<typeof targetConfig>[2] = {},
  opts: Parameters<typeof provider>[1] = {},
): Promise<{ emu: Route53Emulator; zoneId: string; p: Route53Provider }> {
  const { emu, zoneId } = await emulatorWithZone(ZONE, emuOpts);
  open.push(emu);
  const p = provider(targetConfig(emu.url, [{ apex: ZONE, id: null }], cfg), opts);
  open.push(p);
  return { emu, zoneId, p };
}

/** Seeds records as already ours (record + marker), without API calls. */
function seedOwned(emu: Route53Emulator, zoneId: string, records: ProviderRecord[]): void {
  emu.seed(zoneId, [
    ...records,
    ...records.map((r) => ({
      name: markerName(r.name, r.type),
      type: 'TXT',
      ttl: 300,
      values: [markerValue(OWNER, r.type)],
    })),
  ]);
}

async function sync(p: Route53Provider, desired: ProviderRecord[]) {
  const plan = createPlan(p.name, ZONE, await p.read(ZONE), p.normalize(desired).records, {
    takeover: false,
  });
  return { plan, report: await p.apply(plan) };
}

describe('Route53Provider against the emulator', () => {
  it('pages through ListResourceRecordSets', async () => {
    const { emu, zoneId, p } = await setup({}, {}, { pageSize: 100 });
    seedOwned(emu, zoneId, manyA(ZONE, 350));
    const read = await p.read(ZONE);
    expect(read.owned).toHaveLength(350);
    expect(read.foreign.map((r) => r.type).sort()).toEqual(['NS', 'SOA']);
    // 350 records + 350 markers + NS + SOA = 702 RRsets → 8 pages of 100.
    expect(emu.stats().calls['ListResourceRecordSets']).toBe(8);
  });

  it('splits 1,200 UPSERTs into 3 batches and applies each change once', async () => {
    const { emu, zoneId, p } = await setup();
    seedOwned(emu, zoneId, manyA(ZONE, 1200, 1));
    emu.resetStats();
    const { plan, report } = await sync(p, manyA(ZONE, 1200, 2));
    expect(plan.updates).toHaveLength(1200);
    expect(report.batches).toBe(3);
    expect(report.changes.every((c) => c.ok)).toBe(true);
    expect(emu.stats().changeBatches).toBe(3);
    expect(emu.stats().changes).toBe(1200);
    const a = emu.records(zoneId).filter((r) => r.type === 'A');
    expect(a).toHaveLength(1200);
    expect(a.every((r) => r.values[0]!.endsWith('.2'))).toBe(true);
  });

  it('creates records with their markers in the same batch (600 creates → 2 batches)', async () => {
    const { emu, zoneId, p } = await setup();
    const { report } = await sync(p, manyA(ZONE, 600));
    expect(report.batches).toBe(2);
    expect(emu.stats().changes).toBe(1200);
    expect(emu.records(zoneId).filter((r) => r.type === 'TXT')).toHaveLength(600);
    expect((await p.read(ZONE)).owned).toHaveLength(600);
  });

  it('converges through a Throttling storm and 5xx, counting retries, applying nothing twice', async () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const logger = recordingLogger();
    const { emu, zoneId, p } = await setup({ random }, {}, { logger });
    seedOwned(emu, zoneId, manyA(ZONE, 1200, 1));
    emu.resetStats();
    emu.setFaults({ throttleRate: 0.4, failNext: 2 });
    const { report } = await sync(p, manyA(ZONE, 1200, 3));
    const stats = emu.stats();
    expect(stats.throttled).toBeGreaterThan(0);
    // Every refused request was retried by us (the SDK's own retries are off), during read or apply.
    expect(p.stats().retries).toBe(stats.throttled + stats.serverErrors);
    expect(report.retries).toBeGreaterThan(0);
    expect(stats.serverErrors).toBe(2);
    expect(stats.changeBatches).toBe(3);
    expect(stats.changes).toBe(1200);
    expect(report.propagated).toBe(true);
    expect(emu.records(zoneId).filter((r) => r.type === 'A' && r.values[0]!.endsWith('.3'))).toHaveLength(
      1200,
    );
    expect(logger.messages('debug')).toContain('route53 request retried');
    expect(JSON.stringify(logger.entries)).not.toContain('test-secret-key');
  });

  it('retries PriorRequestNotComplete while the previous batch is PENDING', async () => {
    // PENDING lasts long enough (1.5 s) that the second batch arrives during it even when a loaded machine
    // slows the first batch down; enough attempts that jittered backoff always outlasts it.
    const { emu, zoneId, p } = await setup(
      { faults: { priorRequestWhilePending: true, insyncDelayMs: 1500 } },
      {},
      { retry: { baseMs: 20, maxMs: 200, maxAttempts: 40 } },
    );
    seedOwned(emu, zoneId, manyA(ZONE, 600, 1));
    const { report } = await sync(p, manyA(ZONE, 600, 4));
    expect(report.batches).toBe(2);
    expect(emu.stats().priorRequestNotComplete).toBeGreaterThan(0);
    expect(report.retries).toBeGreaterThanOrEqual(emu.stats().priorRequestNotComplete);
    expect(report.changes.every((c) => c.ok)).toBe(true);
  });

  it('reports publishedAt when GetChange says INSYNC, after the configured delay', async () => {
    const { emu, p } = await setup({ faults: { insyncDelayMs: 400 } });
    const t0 = Date.now();
    const { report } = await sync(p, manyA(ZONE, 3));
    expect(report.propagated).toBe(true);
    expect(report.publishedAt).toBeGreaterThanOrEqual(t0 + 400);
    expect(report.publishedAt).toBeLessThanOrEqual(Date.now());
    expect(emu.stats().calls['GetChange']).toBeGreaterThanOrEqual(2);
  });

  it('never touches a foreign record at the same name', async () => {
    const { emu, zoneId, p } = await setup();
    const foreign = { name: `app.${ZONE}`, type: 'TXT', ttl: 300, values: ['"hands off"'] };
    emu.seed(zoneId, [foreign]);
    await sync(p, [{ name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }]);
    await sync(p, []);
    const left = emu.records(zoneId).filter((r) => r.name === `app.${ZONE}`);
    expect(left).toEqual([foreign]);
    expect((await p.read(ZONE)).owned).toEqual([]);
  });

  it('fails a refused batch in the report, naming the target, and is not propagated', async () => {
    const { p } = await setup();
    const bad: ProviderRecord = { name: `x.${ZONE}`, type: 'A', ttl: 60, values: ['not-an-address'] };
    const report = await p.apply({
      target: p.name,
      zone: ZONE,
      creates: [bad],
      updates: [],
      deletes: [],
      conflicts: [],
    });
    expect(report.propagated).toBe(false);
    expect(report.changes[0]).toMatchObject({ ok: false, kind: 'create' });
    expect(report.changes[0]!.error).toMatch(/^route53 target "r53-test": .*InvalidChangeBatch/);
  });
});

describe('Route53Provider errors', () => {
  it('bad credentials: the error names the target and never the secret', async () => {
    const { p } = await setup({ validAccessKeyIds: ['AKIDGOOD'] });
    const err = await p.read(ZONE).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^route53 target "r53-test": credentials rejected .*InvalidClientTokenId/,
    );
    expect((err as Error).message).not.toContain('test-secret-key');
  });

  it('unknown zone by name, by id, and a zone the target does not list', async () => {
    const { emu } = await emulatorWithZone(ZONE);
    open.push(emu);
    const byName = provider(targetConfig(emu.url, [{ apex: 'missing.test.', id: null }]));
    const byId = provider(targetConfig(emu.url, [{ apex: 'missing.test.', id: 'ZNOSUCH' }]));
    open.push(byName, byId);
    await expect(byName.read('missing.test.')).rejects.toThrow(
      /^route53 target "r53-test": no public hosted zone named missing\.test\./,
    );
    await expect(byId.read('missing.test.')).rejects.toThrow(
      /^route53 target "r53-test": hosted zone not found/,
    );
    await expect(byName.read('other.test.')).rejects.toThrow(
      /^route53 target "r53-test": zone other\.test\. is not configured/,
    );
  });

  it('an endpoint answering 200 with something else than the API is named as such', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>proxy</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const byName = provider(targetConfig(url, [{ apex: ZONE, id: null }]));
      const byId = provider(targetConfig(url, [{ apex: ZONE, id: 'Z123' }]));
      open.push(byName, byId);
      await expect(byName.read(ZONE)).rejects.toThrow(
        /^route53 target "r53-test": ListHostedZonesByName answered without a zone list/,
      );
      await expect(byId.read(ZONE)).rejects.toThrow(
        /^route53 target "r53-test": GetHostedZone Z123 answered without a hosted zone/,
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('exhausted retries are a TransientError naming the target', async () => {
    const { emu, p } = await setup({}, {}, { retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 } });
    emu.setFaults({ throttleNext: 10 });
    const err = await p.read(ZONE).catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('TransientError');
    expect((err as Error).message).toMatch(
      /^route53 target "r53-test": ListHostedZonesByName failed after 3 attempts \(Throttling/,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnChild } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import type { Route53Emulator } from './server.js';
import { startRoute53Emulator } from './server.js';
import { a, change } from './test-client.js';

let emu: Route53Emulator;
beforeAll(async () => {
  emu = await startRoute53Emulator();
});
afterAll(() => emu.close());

const admin = async (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> => {
  const res = await fetch(`${emu.url}/__emulator/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: await res.json() };
};

describe('route53 emulator admin API', () => {
  it('creates zones, edits records out of band, and reports stats', async () => {
    const z = (await admin('POST', 'zones', { name: 'admin.test', id: 'ZADMIN' })).json as { id: string };
    expect(z.id).toBe('ZADMIN');
    await change(emu, 'ZADMIN', [{ ...a(1), name: 'h1.admin.test.' }]);
    const edited = await admin('POST', 'zones/ZADMIN/records', {
      put: [{ name: 'h1.admin.test', type: 'A', ttl: 60, values: ['192.0.2.99'] }],
    });
    expect(edited.status).toBe(200);
    expect(emu.records('ZADMIN').find((r) => r.name === 'h1.admin.test.')?.values).toEqual(['192.0.2.99']);
    const stats = (await admin('GET', 'stats')).json as {
      changeBatches: number;
      calls: Record<string, number>;
    };
    expect(stats.changeBatches).toBe(1);
    expect(stats.calls['ChangeResourceRecordSets']).toBe(1);
    expect((await admin('GET', 'zones/ZNONE/records')).status).toBe(404);
  });

  it('sets faults, and refuses unknown or out-of-range ones', async () => {
    const set = await admin('POST', 'faults', {
      requestsPerSecond: 5,
      insyncDelayMs: 1000,
      throttleRate: 0.25,
    });
    expect(set.json).toMatchObject({ requestsPerSecond: 5, insyncDelayMs: 1000, throttleRate: 0.25 });
    expect(emu.faults().requestsPerSecond).toBe(5);
    expect((await admin('POST', 'faults', { throttleRate: 2 })).status).toBe(400);
    expect((await admin('POST', 'faults', { explode: true })).status).toBe(400);
    expect((await admin('POST', 'faults', { requestsPerSecond: null })).json).toMatchObject({
      requestsPerSecond: null,
    });
  });

  it('runs on its own: main.ts prints its URL and zones, answers, and stops on SIGTERM', async () => {
    const child = spawnChild(process.execPath, [
      '--import',
      'tsx',
      'test/emulators/route53/main.ts',
      '--port',
      '0',
      '--zone',
      'demo.test=ZDEMO',
      '--real-limits',
    ]);
    try {
      const line = await waitFor(() => /\{"msg":"route53 emulator listening".*\}/.exec(child.output())?.[0], {
        timeoutMs: 30_000,
        what: 'the emulator to start',
      });
      const info = JSON.parse(line) as {
        url: string;
        zones: { id: string }[];
        faults: { requestsPerSecond: number };
      };
      expect(info.zones).toEqual([{ id: 'ZDEMO', name: 'demo.test.' }]);
      expect(info.faults.requestsPerSecond).toBe(5);
      const res = await fetch(`${info.url}/__emulator/health`);
      expect(await res.json()).toEqual({ ok: true });
    } finally {
      expect(await child.stop()).toBe(0);
    }
  });
});

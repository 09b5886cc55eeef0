/** DnsWorkerPool: two cluster workers sharing the sockets, driven through the DnsServer API. */
import cluster from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from '@understudy/core';
import { DnsWorkerPool } from '@understudy/dns-server';
import type { QueryInfo } from '@understudy/dns-server';
import { dig } from '@understudy/testkit/dig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, zoneState } from './harness.js';

const errors: string[] = [];
const logger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (a: object | string, b?: string) => void errors.push(typeof a === 'string' ? a : (b ?? '')),
  fatal: () => undefined,
  child: () => logger,
};

const seen: QueryInfo[] = [];
let pool: DnsWorkerPool;
let port: number;

beforeAll(async () => {
  pool = new DnsWorkerPool({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger,
    workers: 2,
    exec: join(import.meta.dirname, 'pool-worker.ts'),
    execArgv: ['--import', 'tsx'],
    reportIntervalMs: 100,
    onQuery: (q) => seen.push({ ...q }),
  });
  expect(pool.setZoneState(zoneState(1, '198.51.100.1'))).toEqual({ ok: true, serial: 1 });
  await pool.start();
  port = pool.addresses().udp[0]!.port;
  expect(pool.addresses().tcp[0]!.port).toBe(port);
});
afterAll(async () => pool.close());

const appA = async (flags: string[] = []): Promise<string[]> =>
  (await dig({ server: '127.0.0.1', port, name: `app.${APEX}`, flags })).answer.map((a) => a.data);

const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const eventually = async (assertion: () => Promise<void>, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
};

describe('DnsWorkerPool', () => {
  it('answers over UDP and TCP from the shared port', async () => {
    expect(await appA()).toEqual(['198.51.100.1']);
    expect(await appA(['+tcp'])).toEqual(['198.51.100.1']);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);
  });

  it('validates in the primary and swaps in every worker', async () => {
    const bad = zoneState(2);
    bad.zones[0]!.rrsets.push({ name: `x.${APEX}`, type: 'A', ttl: 1, values: ['nope'] });
    expect(pool.setZoneState(bad).ok).toBe(false);
    expect(pool.serial).toBe(1);
    expect(pool.setZoneState(zoneState(3, '198.51.100.3')).ok).toBe(true);
    // Workers apply it over IPC within milliseconds; queries from fresh sockets reach either worker.
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => appA()));
      expect(new Set(answers.flat())).toEqual(new Set(['198.51.100.3']));
    });
  });

  it('reports worker queries to onQuery', async () => {
    const before = seen.filter((q) => q.qtype === 1000).length;
    await dig({ server: '127.0.0.1', port, name: APEX, type: 'TYPE1000' });
    await until(() => seen.filter((q) => q.qtype === 1000).length === before + 1);
    expect(seen.filter((q) => q.qtype === 1000).at(-1)).toEqual({
      transport: 'udp',
      path: 'fast',
      rcode: 0,
      qtype: 1000,
    });
  });

  it('replaces a worker that dies', async () => {
    const victim = Object.values(cluster.workers ?? {})[0]!;
    victim.process.kill('SIGKILL');
    await until(
      () => Object.values(cluster.workers ?? {}).filter((w) => w && w !== victim).length === 2,
      15_000,
    );
    expect(errors.some((e) => /worker died/.test(e))).toBe(true);
    await until(() => Object.values(cluster.workers ?? {}).every((w) => w?.isConnected()), 15_000);
    const answers = await Promise.all(Array.from({ length: 6 }, () => appA()));
    expect(new Set(answers.flat())).toEqual(new Set(['198.51.100.3']));
  });
});

/** DnsWorkerPool: two cluster workers sharing the sockets, driven through the DnsServer API. */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { join } from 'node:path';
import { DnsWorkerPool } from '@understudy/dns-server';
import type { QueryCount } from '@understudy/dns-server';
import { dig } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { sleep, waitFor } from '@understudy/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, zoneState } from './harness.js';
import { canSendFromPortZero, sendFromPortZero } from './raw-udp.js';

const logger = recordingLogger();
const serving: { serial: number; at: number }[] = [];
const counted: QueryCount[] = [];
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
    identity: { id: 'pool-a', nsid: 'pool-a', version: null },
    onServing: (serial) => serving.push({ serial, at: Date.now() }),
    onQueries: (counts) => counted.push(...counts),
  });
  expect(pool.setZoneState(zoneState(1, '198.51.100.1'))).toEqual({ ok: true, serial: 1 });
  await pool.start();
  port = pool.addresses().udp[0]!.port;
  expect(pool.addresses().tcp[0]!.port).toBe(port);
});
afterAll(async () => pool.close());

const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);

const appA = async (flags: string[] = []): Promise<string[]> =>
  (await dig({ server: '127.0.0.1', port, name: `app.${APEX}`, flags })).answer.map((a) => a.data);

/** Queries from fresh sockets, which reach either worker. */
const answersFromBoth = async (): Promise<Set<string>> =>
  new Set((await Promise.all(Array.from({ length: 8 }, () => appA()))).flat());

const served = (serial: number): Promise<{ serial: number; at: number }> =>
  waitFor(() => serving.find((s) => s.serial === serial), {
    timeoutMs: 15_000,
    what: `onServing(${serial})`,
  });

describe('DnsWorkerPool', () => {
  it('passes dns.identity to every worker: NSID and CH TXT id.server from fresh sockets', async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? dig({ server: '127.0.0.1', port, name: `app.${APEX}`, flags: ['+nsid'] })
          : dig({ server: '127.0.0.1', port, name: 'id.server', type: 'TXT', flags: ['-c', 'CH'] }),
      ),
    );
    replies.forEach((r, i) => {
      if (i % 2 === 0) expect(r.raw).toMatch(/NSID: .*"pool-a"/);
      else expect(r.answer.map((a) => a.data)).toEqual(['"pool-a"']);
    });
  });

  it('answers over UDP and TCP from the shared port, and reports the first state once both workers serve it', async () => {
    expect(await appA()).toEqual(['198.51.100.1']);
    expect(await appA(['+tcp'])).toEqual(['198.51.100.1']);
    expect(workers()).toHaveLength(2);
    await served(1);
    expect(serving.map((s) => s.serial)).toEqual([1]);
  });

  it('validates in the primary, and every worker serves a state by the time onServing reports it', async () => {
    const bad = zoneState(2);
    bad.zones[0]!.rrsets.push({ name: `x.${APEX}`, type: 'A', ttl: 1, values: ['nope'] });
    expect(pool.setZoneState(bad).ok).toBe(false);
    expect(pool.serial).toBe(1);
    expect(pool.setZoneState(zoneState(3, '198.51.100.3')).ok).toBe(true);
    await served(3);
    expect(await answersFromBoth()).toEqual(new Set(['198.51.100.3']));
    expect(serving.map((s) => s.serial)).toEqual([1, 3]);
  });

  it('does not report a state while one worker has not applied it', async () => {
    const [stopped] = workers();
    stopped!.process.kill('SIGSTOP');
    let resumedAt: number;
    try {
      expect(pool.setZoneState(zoneState(4, '198.51.100.4')).ok).toBe(true);
      await sleep(1000); // the other worker applies it within milliseconds
      expect(serving.map((s) => s.serial)).toEqual([1, 3]);
    } finally {
      resumedAt = Date.now();
      stopped!.process.kill('SIGCONT');
    }
    expect((await served(4)).at).toBeGreaterThanOrEqual(resumedAt);
    expect(await answersFromBoth()).toEqual(new Set(['198.51.100.4']));
  });

  it('hands worker query counts to onQueries', async () => {
    await dig({ server: '127.0.0.1', port, name: APEX, type: 'TYPE1000' });
    await dig({ server: '127.0.0.1', port, name: 'www.example.com', flags: ['+tcp'] });
    const sum = (transport: string, rcode: number): number =>
      counted.filter((c) => c.transport === transport && c.rcode === rcode).reduce((a, c) => a + c.n, 0);
    await waitFor(() => sum('tcp', 5) === 1 && sum('udp', 0) >= 1, {
      timeoutMs: 5000,
      what: 'query counts from the workers',
    });
    expect(sum('udp', 0)).toBeGreaterThanOrEqual(1);
    expect(counted.every((c) => c.n > 0)).toBe(true);
  });

  // Needs a raw socket (root and python3); the same handler is unit-tested in udp-endpoint.test.ts.
  it.runIf(canSendFromPortZero())('drops datagrams from source port 0 without losing a worker', async () => {
    const pids = workers().map((w) => w.process.pid);
    const deathsBefore = logger.messages('error').filter((m) => /worker died/.test(m)).length;
    const query = Buffer.concat([
      Buffer.from([0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      ...`app.${APEX}`.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
      Buffer.from([0, 1, 0, 1]),
    ]);
    for (let i = 0; i < 6; i++) sendFromPortZero(port, query);
    await sleep(500);
    expect(await appA()).toEqual(['198.51.100.4']);
    expect(workers().map((w) => w.process.pid)).toEqual(pids);
    expect(logger.messages('error').filter((m) => /worker died/.test(m))).toHaveLength(deathsBefore);
  });

  it('replaces a worker that dies, and reports a new state once the replacement serves it too', async () => {
    const victim = workers()[0]!;
    victim.process.kill('SIGKILL');
    await waitFor(() => workers().filter((w) => w !== victim && w.isConnected()).length === 2, {
      timeoutMs: 15_000,
      what: 'a replacement worker',
    });
    expect(logger.messages('error').some((e) => /worker died/.test(e))).toBe(true);
    expect(await answersFromBoth()).toEqual(new Set(['198.51.100.4']));
    expect(pool.setZoneState(zoneState(5, '198.51.100.5')).ok).toBe(true);
    await served(5);
    expect(await answersFromBoth()).toEqual(new Set(['198.51.100.5']));
  });
});

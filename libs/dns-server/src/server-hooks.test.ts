/** DnsServer's onServing and onQueries hooks. */
import { afterEach, describe, expect, it } from 'vitest';
import { RCODE, TYPE } from './constants.js';
import type { LatencySamples } from './latency-sampler.js';
import type { QueryCount } from './query-counter.js';
import { DnsServer } from './server.js';
import type { DnsServerOptions } from './server.js';
import { tcpExchange, udpExchange } from './test-support/client.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { buildQuery, decodeReply } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';

let server: DnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function make(opts: Partial<DnsServerOptions>): { s: DnsServer; logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger, ...opts });
  return { s: server, logger };
}

const port = (s: DnsServer): number => s.addresses().udp[0]!.port;
const wwwA = async (s: DnsServer): Promise<string[]> =>
  decodeReply(
    await udpExchange('127.0.0.1', port(s), buildQuery({ name: 'www.example.test' })),
  ).message.answers.map((a) => a.address!);

describe('DnsServer onServing', () => {
  it('reports a serial once the sockets answer from it: at start, after each swap, never for a rejected one', async () => {
    const serving: number[] = [];
    const { s } = make({ onServing: (serial) => serving.push(serial) });
    expect(s.setZoneState(fixtureZoneState(1, '192.0.2.1')).ok).toBe(true);
    expect(serving).toEqual([]); // nothing listens yet
    await s.start();
    expect(serving).toEqual([1]);
    const bad = fixtureZoneState(2);
    bad.zones[0]!.rrsets.push({ name: 'x.example.test.', type: 'A', ttl: 1, values: ['nope'] });
    expect(s.setZoneState(bad).ok).toBe(false);
    expect(s.setZoneState(fixtureZoneState(3, '192.0.2.3')).ok).toBe(true);
    expect(serving).toEqual([1, 3]);
    expect(await wwwA(s)).toEqual(['192.0.2.3']);
    await s.close();
    s.setZoneState(fixtureZoneState(4));
    expect(serving).toEqual([1, 3]);
  });

  it('survives a hook that throws', async () => {
    const { s, logger } = make({
      onServing: () => {
        throw new Error('hook bug');
      },
    });
    await s.start();
    expect(s.setZoneState(fixtureZoneState(5))).toEqual({ ok: true, serial: 5 });
    expect(logger.entries.some((e) => /onServing hook threw/.test(e.msg))).toBe(true);
  });
});

describe('DnsServer onQueries', () => {
  it('batches counts per transport and rcode, handing over the rest on close', async () => {
    const calls: QueryCount[][] = [];
    const { s } = make({ onQueries: (c) => calls.push(c), reportIntervalMs: 60_000 });
    s.setZoneState(fixtureZoneState());
    await s.start();
    for (let i = 0; i < 3; i++) await wwwA(s);
    await udpExchange('127.0.0.1', port(s), buildQuery({ name: 'www.example.test', type: TYPE.ANY }));
    await udpExchange('127.0.0.1', port(s), buildQuery({ name: 'nope.example.test' }));
    await udpExchange('127.0.0.1', port(s), buildQuery({ name: 'www.example.test', edns: { version: 1 } }));
    await tcpExchange('127.0.0.1', port(s), [
      buildQuery({ name: 'www.example.test' }),
      buildQuery({ name: 'www.example.com' }),
    ]);
    expect(calls).toEqual([]); // one call per interval, not one per query
    await s.close();
    expect(calls).toEqual([
      [
        { transport: 'udp', rcode: RCODE.NOERROR, n: 4 },
        { transport: 'udp', rcode: RCODE.NXDOMAIN, n: 1 },
        { transport: 'udp', rcode: RCODE.BADVERS, n: 1 },
        { transport: 'tcp', rcode: RCODE.NOERROR, n: 1 },
        { transport: 'tcp', rcode: RCODE.REFUSED, n: 1 },
      ],
    ]);
  });

  it('hands over sampled UDP answer latencies with the counts', async () => {
    const calls: { counts: QueryCount[]; latency: LatencySamples | undefined }[] = [];
    const { s } = make({
      onQueries: (counts, latency) => calls.push({ counts, latency }),
      reportIntervalMs: 60_000,
      latencySampleEvery: 2,
    });
    s.setZoneState(fixtureZoneState());
    await s.start();
    for (let i = 0; i < 5; i++) await wwwA(s); // fast path
    await udpExchange('127.0.0.1', port(s), buildQuery({ name: 'www.example.test', type: TYPE.ANY })); // slow
    await tcpExchange('127.0.0.1', port(s), [buildQuery({ name: 'www.example.test' })]); // not sampled
    await s.close();
    expect(calls).toHaveLength(1);
    const latency = calls[0]!.latency!;
    expect(latency.every).toBe(2);
    expect(latency.seconds).toHaveLength(3); // queries 2, 4 and 6 of six UDP queries
    for (const x of latency.seconds) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('reports every interval while serving, and survives a hook that throws', async () => {
    let calls = 0;
    const { s, logger } = make({
      reportIntervalMs: 20,
      onQueries: () => {
        calls++;
        throw new Error('hook bug');
      },
    });
    s.setZoneState(fixtureZoneState());
    await s.start();
    for (let round = 1; round <= 2; round++) {
      await wwwA(s);
      const deadline = Date.now() + 5000;
      while (calls < round && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(calls).toBe(round);
    }
    expect(logger.entries.filter((e) => /onQueries hook threw/.test(e.msg))).toHaveLength(2);
  });
});

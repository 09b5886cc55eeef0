import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RCODE, TYPE } from './constants.js';
import { waitFor } from '@understudy/testkit/wait';
import type { QueryCount } from './query-counter.js';
import { DnsServer } from './server.js';
import { tcpExchange, udpExchange } from './test-support/client.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { buildQuery, decodeReply } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';

let server: DnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  opts: Partial<ConstructorParameters<typeof DnsServer>[0]> = {},
): Promise<{ port: number; logger: ReturnType<typeof recordingLogger> }> {
  const logger = recordingLogger();
  server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger, ...opts });
  await server.start();
  return { port: server.addresses().udp[0]!.port, logger };
}

const wwwA = async (port: number): Promise<string[]> =>
  decodeReply(
    await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test' })),
  ).message.answers.map((a) => a.address!);

describe('DnsServer', () => {
  it('answers SERVFAIL before the first zone state and logs that once', async () => {
    const { port, logger } = await start();
    expect(server!.serial).toBeNull();
    for (let i = 0; i < 3; i++) {
      const r = decodeReply(
        await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test', edns: {} })),
      );
      expect(r).toMatchObject({ rcode: RCODE.SERVFAIL, answer: [] });
      expect(r.opt).not.toBeNull();
    }
    expect(logger.entries.filter((e) => /before the first zone state/.test(e.msg))).toHaveLength(1);
  });

  it('swaps snapshots whole and keeps the old one when the new one is invalid', async () => {
    const { port } = await start();
    expect(server!.setZoneState(fixtureZoneState(1, '192.0.2.1'))).toEqual({ ok: true, serial: 1 });
    expect(await wwwA(port)).toEqual(['192.0.2.1']);
    const bad = fixtureZoneState(2, '192.0.2.2');
    bad.zones[0]!.rrsets.push({
      name: 'broken.example.test.',
      type: 'MX',
      ttl: 1,
      values: ['not-a-number mx.'],
    });
    const res = server!.setZoneState(bad);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toMatch(/broken\.example\.test\.\/MX/);
    expect(server!.serial).toBe(1);
    expect(await wwwA(port)).toEqual(['192.0.2.1']);
    expect(server!.setZoneState(fixtureZoneState(3, '192.0.2.3'))).toEqual({ ok: true, serial: 3 });
    expect(await wwwA(port)).toEqual(['192.0.2.3']);
  });

  it('binds UDP and TCP on the same random port, IPv4 and IPv6', async () => {
    server = new DnsServer({
      listen: [
        { host: '127.0.0.1', port: 0 },
        { host: '::1', port: 0 },
      ],
      logger: recordingLogger(),
    });
    server.setZoneState(fixtureZoneState());
    await server.start();
    const a = server.addresses();
    expect(a.udp.map((x) => x.family)).toEqual(['IPv4', 'IPv6']);
    expect(a.udp.map((x) => x.port)).toEqual(a.tcp.map((x) => x.port));
    const v6 = decodeReply(
      await udpExchange('::1', a.udp[1]!.port, buildQuery({ name: 'www.example.test', type: TYPE.AAAA })),
    );
    expect(v6.message.answers[0]!.address).toBe('2001:db8::1');
  });

  it('serves several pipelined queries on one TCP connection, whole answers included', async () => {
    const { port } = await start();
    server!.setZoneState(fixtureZoneState());
    const queries = [
      buildQuery({ name: 'www.example.test', id: 1 }),
      buildQuery({ name: 'big.example.test', type: TYPE.TXT, id: 2 }),
      buildQuery({ name: 'nope.example.test', id: 3 }),
    ];
    const { replies } = await tcpExchange('127.0.0.1', port, queries);
    const decoded = replies.map(decodeReply);
    expect(decoded.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(decoded[1]).toMatchObject({ tc: false, aa: true });
    expect(decoded[1]!.answer).toHaveLength(12);
    expect(decoded[2]!.rcode).toBe(RCODE.NXDOMAIN);
  });

  it('answers FORMERR over TCP to a malformed message and drops a connection that sends a runt', async () => {
    const { port } = await start();
    server!.setZoneState(fixtureZoneState());
    const garbage = Buffer.concat([
      Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0xc0, 12, 0, 1, 0, 1]),
    ]);
    const { replies } = await tcpExchange('127.0.0.1', port, [garbage]);
    expect(decodeReply(replies[0]!)).toMatchObject({ id: 9, rcode: RCODE.FORMERR });
    const runt = await tcpExchange('127.0.0.1', port, [
      Buffer.from([1, 2, 3]),
      buildQuery({ name: 'www.example.test' }),
    ]);
    expect(runt.closed).toBe(true);
    expect(runt.replies).toEqual([]);
  });

  it('cuts off a TCP client that keeps asking without reading', async () => {
    let answered = 0;
    const { port } = await start({
      reportIntervalMs: 50,
      onQueries: (counts) => (answered += counts.reduce((n, c) => n + c.n, 0)),
    });
    server!.setZoneState(fixtureZoneState());
    const q = buildQuery({ name: 'big.example.test', type: TYPE.TXT });
    const frame = Buffer.concat([Buffer.from([0, q.length]), q]);
    const sent = 8000; // ~8 MB of replies: more than loopback socket buffers plus our 256 KiB cap
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => undefined);
    sock.pause();
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write(Buffer.concat(Array.from({ length: sent }, () => frame)));
    // Wait until the server stops answering: it has either finished or cut us off.
    for (let last = -1; last !== answered;) {
      last = answered;
      await new Promise((r) => setTimeout(r, 300));
    }
    let received = 0;
    sock.on('data', (d: Buffer) => (received += d.length));
    sock.resume();
    await new Promise<void>((resolve) => sock.on('close', () => resolve()));
    expect(answered).toBeLessThan(sent);
    expect(received).toBeLessThan(sent * 1000);
  }, 30_000);

  it('closes idle TCP connections', async () => {
    const { port } = await start({ tcpIdleTimeoutMs: 200 });
    server!.setZoneState(fixtureZoneState());
    const started = Date.now();
    const { replies, closed } = await tcpExchange('127.0.0.1', port, []);
    expect(replies).toEqual([]);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('reports the queries it answered to onQueries, per transport and rcode', async () => {
    const seen: QueryCount[] = [];
    const { port } = await start({ reportIntervalMs: 50, onQueries: (counts) => seen.push(...counts) });
    server!.setZoneState(fixtureZoneState());
    await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test' })); // fast path
    await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test', type: TYPE.ANY })); // slow path
    await tcpExchange('127.0.0.1', port, [buildQuery({ name: 'nope.example.test' })]);
    const total = (transport: string, rcode: number) =>
      seen.filter((c) => c.transport === transport && c.rcode === rcode).reduce((n, c) => n + c.n, 0);
    await waitFor(() => total('tcp', 3) === 1, { timeoutMs: 5000, what: 'the counts' });
    expect(total('udp', 0)).toBe(2);
    expect(total('tcp', 3)).toBe(1);
    expect(seen.every((c) => c.n > 0)).toBe(true);
  });

  it('rejects a bad payload size and a second start', async () => {
    expect(() => new DnsServer({ listen: [], logger: recordingLogger(), udpPayloadSize: 100 })).toThrow(
      /udpPayloadSize/,
    );
    await start();
    await expect(server!.start()).rejects.toThrow(/already started/);
  });
});

import type { RemoteInfo } from 'node:dgram';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { udpExchange } from './test-support/client.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { buildQuery, decodeReply } from './test-support/query.js';
import { ensureUdpAddon, expectedIo } from './test-support/udp-addon.js';
import { fixtureZoneState } from './test-support/zones.js';
import { UdpEndpoint } from './udp-endpoint.js';

// Build the addon (a fresh clone has none) before any server starts, or the first one falls back to dgram.
beforeAll(() => void ensureUdpAddon());

let endpoint: UdpEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function bound(io: 'dgram' | 'batched' = 'dgram'): Promise<{
  ep: UdpEndpoint;
  guard: IoGuard;
  logger: ReturnType<typeof recordingLogger>;
}> {
  const logger = recordingLogger();
  const responder = new Responder(1232, logger, undefined);
  responder.snapshot = buildSnapshot(fixtureZoneState());
  const guard = new IoGuard(logger);
  endpoint = new UdpEndpoint('127.0.0.1', responder, guard, undefined, undefined, { io });
  await endpoint.bind(0);
  expect(endpoint.io).toBe(expectedIo(io));
  return { ep: endpoint, guard, logger };
}

const from = (port: number): RemoteInfo => ({ address: '127.0.0.1', family: 'IPv4', port, size: 0 });
const fast = buildQuery({ name: 'www.example.test' });
/** Goes to the slow path (ANY), so both send calls are covered. */
const slow = buildQuery({ name: 'www.example.test', type: 255 });

async function stillAnswers(port: number): Promise<void> {
  const r = decodeReply(await udpExchange('127.0.0.1', port, fast));
  expect(r.message.answers.map((a) => a.address)).toEqual(['192.0.2.1']);
}

describe('UdpEndpoint on node:dgram', () => {
  it('drops datagrams from source port 0 instead of throwing out of the message handler', async () => {
    const { ep, guard, logger } = await bound();
    for (let i = 0; i < 5; i++) {
      expect(() => ep.socket.emit('message', fast, from(0))).not.toThrow();
      expect(() => ep.socket.emit('message', slow, from(0))).not.toThrow();
    }
    expect(guard.counts()).toEqual({ udpPortZero: 10, udpSendErrors: 0, tcpWriteErrors: 0 });
    expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    await stillAnswers(ep.socket.address().port);
  });

  it('counts a send that throws, logs it at most once per interval and keeps serving', async () => {
    const { ep, guard, logger } = await bound();
    const real = ep.socket.send.bind(ep.socket);
    ep.socket.send = (() => {
      throw Object.assign(new Error('injected'), { code: 'EINJECTED' });
    }) as typeof ep.socket.send;
    for (let i = 0; i < 200; i++) {
      expect(() => ep.socket.emit('message', i % 2 ? fast : slow, from(40000))).not.toThrow();
    }
    ep.socket.send = real;
    expect(guard.counts().udpSendErrors).toBe(200);
    const warns = logger.entries.filter((e) => e.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toMatch(/udp reply not sent/);
    await stillAnswers(ep.socket.address().port);
  });

  it('sends from the fresh reply buffer once a send was queued, never from a view of the old one', async () => {
    const { ep } = await bound();
    const port = ep.socket.address().port;
    const realCount = ep.socket.getSendQueueCount.bind(ep.socket);
    let sends = 0;
    // The second send is reported as queued (the kernel did not take it at once): the reply buffer
    // is then left to it and replaced.
    ep.socket.getSendQueueCount = () => (++sends === 2 ? 1 : realCount());
    const a = (id: number): Promise<Buffer> =>
      udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test', id }));
    const first = await a(0x1111);
    await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test', type: 28 }));
    expect(sends).toBe(2);
    // Same length as the first reply: a stale view of the old buffer would resend the first one.
    const third = await a(0x2222);
    expect(third.readUInt16BE(0)).toBe(0x2222);
    expect(third.subarray(2)).toEqual(first.subarray(2));
  });

  it("counts send failures reported later through the socket's 'error' event", async () => {
    const { ep, guard } = await bound();
    ep.socket.emit('error', new Error('EPERM later'));
    ep.socket.emit('error', new Error('EPERM later'));
    expect(guard.counts().udpSendErrors).toBe(2);
  });
});

describe.each(['dgram', 'batched'] as const)('UdpEndpoint on %s', (io) => {
  it('binds alone outside a cluster worker', async () => {
    const { ep } = await bound(io);
    expect(ep.mode).toBe('exclusive');
  });

  it('refuses a second bind instead of leaking the first socket', async () => {
    const { ep } = await bound(io);
    await expect(ep.bind(0)).rejects.toThrow(/bound already/);
    await stillAnswers(ep.address().port);
  });

  it('closes cleanly when it was never bound', async () => {
    const ep = new UdpEndpoint(
      '127.0.0.1',
      new Responder(1232, recordingLogger()),
      new IoGuard(recordingLogger()),
      undefined,
      undefined,
      { io },
    );
    expect(() => ep.address()).toThrow(/not bound/);
    await expect(ep.close()).resolves.toBeUndefined();
  });

  it('sends fast replies of different lengths back to back, each with its own length', async () => {
    const { ep } = await bound(io);
    const port = ep.address().port;
    const queries = [
      fast,
      buildQuery({ name: 'www.example.test', type: 28 }),
      buildQuery({ name: 'nope.example.test' }),
    ];
    const first = await Promise.all(queries.map((q) => udpExchange('127.0.0.1', port, q)));
    expect(new Set(first.map((r) => r.length)).size).toBe(3);
    // Again, in another order: each length's view is reused and must still carry the new bytes.
    const again = await Promise.all([...queries].reverse().map((q) => udpExchange('127.0.0.1', port, q)));
    expect(again.reverse()).toEqual(first);
  });

  it('serves slow-path queries too', async () => {
    const { ep } = await bound(io);
    const r = decodeReply(await udpExchange('127.0.0.1', ep.address().port, slow));
    expect(r.message.header.id).toBe(slow.readUInt16BE(0));
    expect(r.message.answers.length).toBeGreaterThan(0);
  });
});

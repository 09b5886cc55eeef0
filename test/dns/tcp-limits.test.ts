/**
 * TCP limits against real sockets (issue #10): idle and partial-frame deadlines destroy the socket (a
 * half-close left it counted), a per-client cap, and a full table evicts rather than refusing.
 * Clients here never answer the server's FIN (allowHalfOpen), as a hostile one would not.
 */
import net from 'node:net';
import { DnsServer } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { zoneState } from './harness.js';

let server: DnsServer | undefined;
const open: net.Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await server?.close();
  server = undefined;
});

async function start(opts: Partial<ConstructorParameters<typeof DnsServer>[0]>): Promise<number> {
  server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger: recordingLogger(), ...opts });
  server.setZoneState(zoneState());
  await server.start();
  return server.addresses().tcp[0]!.port;
}

interface Idle {
  socket: net.Socket;
  /** Resolves when the server ended or reset the connection. */
  ended: Promise<void>;
}

/** A connection that sends `bytes` (maybe nothing) and then neither reads replies nor ends. */
function idle(port: number, localAddress: string, bytes?: Buffer): Promise<Idle> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen: true });
    open.push(socket);
    const ended = new Promise<void>((r) => {
      socket.once('end', r);
      socket.once('close', r);
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, ended });
    });
    socket.once('error', reject);
  });
}

const query = (id: number): Buffer => {
  const name = Buffer.from([3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0]);
  const body = Buffer.concat([
    Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    name,
    Buffer.from([0, 1, 0, 1]),
  ]);
  return Buffer.concat([Buffer.from([0, body.length]), body]);
};

/** One query over a fresh connection from `localAddress`: the reply's rcode, or an error. */
function ask(port: number, localAddress = '127.0.0.1', ms = 3000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no reply'));
    }, ms);
    let buf = Buffer.alloc(0);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed without a reply'));
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf[5]! & 0x0f);
      }
    });
    socket.write(query(0x1111));
  });
}

const source = (i: number): string => `127.0.0.${10 + (i % 20)}`;

describe('TCP limits', () => {
  it('destroys idle connections, so the 257th and later clients are answered once 300 idle ones time out', async () => {
    const port = await start({ tcpIdleTimeoutMs: 500, tcpMaxConnectionsPerClient: 16 });
    // Two waves, each under the table size and each waited out, so none is evicted, all time out.
    for (const wave of [0, 1]) {
      const conns: Idle[] = [];
      for (let i = 0; i < 150; i++) conns.push(await idle(port, source(wave * 150 + i)));
      await Promise.all(conns.map((c) => c.ended));
    }
    const rcodes = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(port, source(i))));
    expect(rcodes).toEqual(Array(20).fill(0));
    expect(server!.abuseCounts().tcp.idle).toBeGreaterThanOrEqual(300);
  }, 60_000);

  it('destroys a connection whose frame stalls, long before the idle timeout', async () => {
    const port = await start({ tcpIdleTimeoutMs: 30_000, tcpFrameTimeoutMs: 300 });
    const partial = query(7).subarray(0, 10);
    const t0 = Date.now();
    const c = await idle(port, '127.0.0.1', partial);
    await c.ended;
    expect(Date.now() - t0).toBeLessThan(10_000);
    const prefixOnly = await idle(port, '127.0.0.1', Buffer.from([0]));
    await prefixOnly.ended;
    expect(server!.abuseCounts().tcp.frameTimeout).toBe(2);
    expect(await ask(port)).toBe(0);
  }, 30_000);

  it('caps connections per client address, leaving other clients served', async () => {
    const port = await start({ tcpMaxConnectionsPerClient: 4, tcpIdleTimeoutMs: 30_000 });
    const held = await Promise.all(Array.from({ length: 4 }, () => idle(port, '127.0.0.2')));
    const fifth = await idle(port, '127.0.0.2');
    await fifth.ended;
    expect(held.every((c) => !c.socket.destroyed && c.socket.readable)).toBe(true);
    await expect(ask(port, '127.0.0.2')).rejects.toThrow();
    expect(await ask(port, '127.0.0.3')).toBe(0);
    expect(server!.abuseCounts().tcp.overClientCap).toBe(2);
  }, 30_000);

  it('evicts the least recently active connection when the table is full, so a new client is answered at once', async () => {
    const port = await start({ tcpMaxConnections: 8, tcpIdleTimeoutMs: 30_000 });
    const held: Idle[] = [];
    for (let i = 0; i < 8; i++) held.push(await idle(port, source(i)));
    expect(server!.abuseCounts().tcp.evicted).toBe(0);
    expect(await ask(port, '127.0.0.99')).toBe(0);
    await held[0]!.ended;
    expect(server!.abuseCounts().tcp.evicted).toBe(1);
    expect(held.slice(1).every((c) => !c.socket.destroyed)).toBe(true);
  }, 30_000);

  it(`closes a frame longer than the query limit (4,096 octets) as its prefix arrives`, async () => {
    const port = await start({ tcpIdleTimeoutMs: 30_000 });
    const c = await idle(port, '127.0.0.1', Buffer.from([0x10, 0x01]));
    await c.ended;
    expect(server!.abuseCounts().tcp.oversized).toBe(1);
  });
});

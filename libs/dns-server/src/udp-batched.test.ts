import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { DnsServer } from './server.js';
import { buildSnapshot } from './snapshot.js';
import { udpExchange } from './test-support/client.js';
import { buildQuery, decodeReply } from './test-support/query.js';
import { seededRandom } from './test-support/random.js';
import { ensureUdpAddon, expectedIo } from './test-support/udp-addon.js';
import { fixtureZoneState } from './test-support/zones.js';
import { UdpEndpoint } from './udp-endpoint.js';
import { loadUdpAddon } from './udp-native.js';

// Build the addon (a fresh clone has none) before any server starts, or the first one falls back to dgram.
beforeAll(() => void ensureUdpAddon());

let server: DnsServer | undefined;
let endpoint: UdpEndpoint | undefined;
afterEach(async () => {
  await server?.close();
  await endpoint?.close();
  server = undefined;
  endpoint = undefined;
});

async function startBatched(): Promise<{
  v4: number;
  v6: number;
  logger: ReturnType<typeof recordingLogger>;
}> {
  const logger = recordingLogger();
  server = new DnsServer({
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 0 },
    ],
    logger,
    udpIo: 'batched',
  });
  server.setZoneState(fixtureZoneState());
  await server.start();
  const udp = server.addresses().udp;
  return { v4: udp[0]!.port, v6: udp[1]!.port, logger };
}

/** The question section (name, type, class) of a query or reply with one question. */
function question(msg: Buffer): Buffer {
  let p = 12;
  while (msg[p] !== 0) p += msg[p]! + 1;
  return msg.subarray(12, p + 5);
}

const NAMES = ['www.example.test', 'alias.example.test', 'nope.example.test', 'a.b.c.example.test'];
const TYPES = [1, 28, 16, 255]; // A, AAAA, TXT (fast path); ANY goes to the slow path

/** One client socket: sends `count` queries at once, resolves with every reply and its source port. */
function burst(
  host: string,
  port: number,
  first: number,
  count: number,
): Promise<{ sent: Map<number, Buffer>; got: { msg: Buffer; from: number }[] }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 1 << 20 });
    const sent = new Map<number, Buffer>();
    const got: { msg: Buffer; from: number }[] = [];
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`${host}: ${got.length} of ${count} replies`));
    }, 15_000);
    sock.on('message', (msg, rinfo) => {
      got.push({ msg, from: rinfo.port });
      if (got.length === count) {
        clearTimeout(timer);
        sock.close();
        resolve({ sent, got });
      }
    });
    sock.bind(0, host, () => {
      for (let i = 0; i < count; i++) {
        const id = first + i;
        const q = buildQuery({ name: NAMES[i % NAMES.length]!, type: TYPES[(i >> 2) % TYPES.length]!, id });
        sent.set(id, q);
        sock.send(q, port, host);
      }
    });
  });
}

describe('the batched UDP path', () => {
  it('answers a burst from several IPv4 and IPv6 sockets, each reply to its own query and port', async () => {
    const { v4, v6, logger } = await startBatched();
    const io = expectedIo('batched');
    expect(logger.entries.filter((e) => e.obj.io === io)).toHaveLength(2);
    // 60 per client, 180 queued per socket at once: more than a batch of 64, and within the receive
    // buffer a fresh machine allows (net.core.rmem_max 208 KiB caps the 4 MiB the addon asks for), so a
    // reply can only be missing if the path loses it.
    const PER_CLIENT = 60;
    const clients = [0, 1, 2, 3, 4, 5].map((c) =>
      c % 2 === 0 ? burst('127.0.0.1', v4, c * 1000, PER_CLIENT) : burst('::1', v6, c * 1000, PER_CLIENT),
    );
    const results = await Promise.all(clients);
    for (const [c, { sent, got }] of results.entries()) {
      expect(got).toHaveLength(PER_CLIENT);
      const ids = new Set<number>();
      for (const { msg, from } of got) {
        expect(from).toBe(c % 2 === 0 ? v4 : v6);
        const id = msg.readUInt16BE(0);
        const q = sent.get(id);
        expect(q, `reply id ${id} was not asked by client ${c}`).toBeDefined();
        expect(msg[2]! & 0x80).toBe(0x80);
        expect(question(msg)).toEqual(question(q!));
        ids.add(id);
      }
      expect(ids.size).toBe(PER_CLIENT);
    }
  });

  it('survives malformed, oversized and empty datagrams and keeps answering', async () => {
    const { v4, v6 } = await startBatched();
    const rand = seededRandom(11);
    const junk: Buffer[] = [
      Buffer.alloc(0),
      Buffer.alloc(5),
      Buffer.alloc(12),
      Buffer.alloc(4096, 0xff),
      Buffer.alloc(4097, 0x41), // one past the longest query: dropped whole
      Buffer.alloc(9000, 0x42), // longer than the receive slot (MSG_TRUNC)
      Buffer.alloc(60_000, 0x43),
      Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1]), // pointer loop
    ];
    for (let i = 0; i < 300; i++) {
      const q = buildQuery({ name: NAMES[i % NAMES.length]!, id: i });
      const cut = q.subarray(0, Math.floor(rand() * q.length));
      const flipped = Buffer.from(q);
      const at = Math.floor(rand() * q.length);
      flipped[at] = flipped[at]! ^ (1 << Math.floor(rand() * 8));
      junk.push(cut, flipped);
    }
    for (const [host, port] of [
      ['127.0.0.1', v4],
      ['::1', v6],
    ] as const) {
      const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.on('message', () => undefined);
      await new Promise<void>((r) => sock.bind(0, host, r));
      for (const j of junk) sock.send(j, port, host);
      // Then a real query from a fresh socket must be answered: the server neither crashed nor wedged.
      const r = decodeReply(await udpExchange(host, port, buildQuery({ name: 'www.example.test', id: 7 })));
      expect(r.message.header.id).toBe(7);
      expect(r.message.answers.map((a) => a.address)).toEqual(['192.0.2.1']);
      sock.close();
    }
  });

  it('closes while a burst is arriving, and the port can be bound again', async () => {
    const { v4 } = await startBatched();
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => undefined);
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const q = buildQuery({ name: 'www.example.test' });
    for (let i = 0; i < 2000; i++) sock.send(q, v4, '127.0.0.1');
    await server!.close();
    server = undefined;
    sock.close();
    endpoint = new UdpEndpoint(
      '127.0.0.1',
      new Responder(1232, recordingLogger()),
      new IoGuard(recordingLogger()),
      undefined,
      undefined,
      { io: 'batched' },
    );
    await expect(endpoint.bind(v4)).resolves.toBe(v4);
  });

  it('frees its socket when the environment ends without close (a worker thread terminated)', async () => {
    const load = loadUdpAddon();
    if (!ensureUdpAddon() || !load.ok) {
      expect(expectedIo('batched')).toBe('dgram'); // nothing native to leak here
      return;
    }
    const { Worker } = await import('node:worker_threads');
    const code = `const a = require(${JSON.stringify(load.path)});
      const s = a.open('127.0.0.1', 0, false, 1 << 20);
      a.start(s.handle, () => {});
      require('node:worker_threads').parentPort.postMessage(s.port);`;
    const worker = new Worker(code, { eval: true });
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    // Its reader thread joined and its socket closed: the port is free again (it was held, with the
    // thread blocked in recvmmsg writing into freed memory, before the env cleanup hook).
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, '127.0.0.1', resolve);
    });
    sock.close();
  });

  it('counts queries and keeps rate limiting on the batched path', async () => {
    const counts: number[] = [];
    server = new DnsServer({
      listen: [{ host: '127.0.0.1', port: 0 }],
      logger: recordingLogger(),
      udpIo: 'batched',
      reportIntervalMs: 20,
      onQueries: (c) => counts.push(...c.map((x) => x.n)),
      rateLimit: { responsesPerSecond: 5, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
    });
    server.setZoneState(fixtureZoneState());
    await server.start();
    const port = server.addresses().udp[0]!.port;
    const sock = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    for (let i = 0; i < 40; i++)
      sock.send(buildQuery({ name: 'www.example.test', id: i }), port, '127.0.0.1');
    await waitFor(() => counts.reduce((a, b) => a + b, 0) >= 40, { timeoutMs: 10_000, what: '40 counted' });
    const limited = server.abuseCounts().rateLimited;
    // 40 answered and counted, at most a second's worth (5, plus refill while they arrive) sent whole.
    expect(limited.dropped + limited.slipped).toBeGreaterThanOrEqual(30);
    expect(limited.slipped).toBeGreaterThan(0);
    await waitFor(() => replies.length === 40 - limited.dropped, { timeoutMs: 10_000, what: 'replies' });
    sock.close();
    expect(replies.filter((m) => (m[2]! & 0x02) !== 0)).toHaveLength(limited.slipped);
  });
});

describe('the dgram fallback', () => {
  it('serves through dgram, and says why, when the addon path is bad or the file is not an addon', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'understudy-udp-addon-'));
    try {
      const garbage = join(dir, 'udp-batch.node');
      writeFileSync(garbage, 'not an ELF file');
      for (const addonPath of [join(dir, 'missing.node'), garbage]) {
        const logger = recordingLogger();
        const responder = new Responder(1232, logger);
        responder.snapshot = buildSnapshot(fixtureZoneState());
        endpoint = new UdpEndpoint('127.0.0.1', responder, new IoGuard(logger), undefined, undefined, {
          io: 'batched',
          addonPath,
          logger,
        });
        const port = await endpoint.bind(0);
        expect(endpoint.io).toBe('dgram');
        expect(endpoint.ioReason).toContain(addonPath);
        const line = logger.entries.find((e) => e.msg === 'dns: UDP served through node:dgram');
        expect(line?.obj.why).toContain(addonPath);
        const r = decodeReply(await udpExchange('127.0.0.1', port, buildQuery({ name: 'www.example.test' })));
        expect(r.message.answers.map((a) => a.address)).toEqual(['192.0.2.1']);
        await endpoint.close();
        endpoint = undefined;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

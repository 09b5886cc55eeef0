import type { EventEmitter } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TCP_QUERY } from './constants.js';
import { Packet } from './dns2.js';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { tcpExchange } from './test-support/client.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { buildQuery, decodeReply } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';
import { TcpEndpoint } from './tcp-endpoint.js';

let endpoint: TcpEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

const limits = {
  idleTimeoutMs: 10_000,
  maxConnections: 16,
  maxQueryBytes: MAX_TCP_QUERY,
  maxQueuedBytes: 1 << 18,
};

async function listening(): Promise<{ ep: TcpEndpoint; port: number; guard: IoGuard }> {
  const logger = recordingLogger();
  const responder = new Responder(1232, logger, undefined);
  responder.snapshot = buildSnapshot(fixtureZoneState());
  const guard = new IoGuard(logger);
  endpoint = new TcpEndpoint('127.0.0.1', responder, limits, guard, logger);
  return { ep: endpoint, port: await endpoint.listen(0), guard };
}

/** Writes the bytes and resolves with how long the server took to close the connection (or null). */
function closedWithin(port: number, bytes: Buffer, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    sock.on('error', () => undefined);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(null);
    }, ms);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

describe('TcpEndpoint', () => {
  it('closes a connection whose frame announces more than the query limit, without waiting for it', async () => {
    const { port } = await listening();
    const prefix = Buffer.from([(MAX_TCP_QUERY + 1) >> 8, (MAX_TCP_QUERY + 1) & 0xff]);
    // Without the limit, dns2 would wait for the body until the 10 s idle timeout.
    expect(await closedWithin(port, prefix, 3000)).not.toBeNull();
    expect(await closedWithin(port, Buffer.from([0xff, 0xff, 1, 2, 3]), 3000)).not.toBeNull();
    const ok = await tcpExchange('127.0.0.1', port, [buildQuery({ name: 'www.example.test' })]);
    expect(decodeReply(ok.replies[0]!).answer).toHaveLength(1);
  });

  it('pipelines past the limit when each frame stays under it', async () => {
    const { port } = await listening();
    const queries = Array.from({ length: 2000 }, (_, id) => buildQuery({ name: 'www.example.test', id }));
    const { replies } = await tcpExchange('127.0.0.1', port, queries, 10_000);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual(queries.map((_, id) => id));
  });

  it('counts a reply write that throws and closes only that connection', async () => {
    const { ep, guard } = await listening();
    const server = (ep as unknown as { server: EventEmitter }).server;
    let destroyed = 0;
    const client = { writableLength: 0, destroy: () => destroyed++ };
    const req = Packet.parse(buildQuery({ name: 'www.example.test' }));
    const send = (): never => {
      throw new Error('injected write failure');
    };
    expect(() => server.emit('request', req, send, client)).not.toThrow();
    expect(destroyed).toBe(1);
    expect(guard.counts().tcpWriteErrors).toBe(1);
  });
});

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_QUERY } from './query-parse.js';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { tcpExchange } from './test-support/client.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
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
  frameTimeoutMs: 5000,
  maxConnections: 16,
  maxConnectionsPerClient: 16,
  maxQueryBytes: MAX_QUERY,
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
    const prefix = Buffer.from([(MAX_QUERY + 1) >> 8, (MAX_QUERY + 1) & 0xff]);
    // Without the limit, the server would wait for the body until the 10 s idle timeout.
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
    const { ep, port, guard } = await listening();
    const victim = net.connect(port, '127.0.0.1');
    victim.on('error', () => undefined);
    await new Promise((r) => victim.once('connect', r));
    const conns = (ep as unknown as { conns: Map<net.Socket, unknown> }).conns;
    await waitFor(() => conns.size === 1 || undefined, { timeoutMs: 5000, what: 'the accepted connection' });
    const [serverSide] = [...conns.keys()];
    serverSide!.write = () => {
      throw new Error('injected write failure');
    };
    const closed = new Promise((r) => victim.once('close', r));
    const q = buildQuery({ name: 'www.example.test' });
    victim.write(Buffer.concat([Buffer.from([0, q.length]), q]));
    await closed;
    expect(guard.counts().tcpWriteErrors).toBe(1);
    const ok = await tcpExchange('127.0.0.1', port, [q]);
    expect(decodeReply(ok.replies[0]!).answer).toHaveLength(1);
  });
});

/**
 * The ops endpoint under hostile clients (issue #10): slow-header sockets are destroyed (not half-closed),
 * connections are capped per client, the Host must be allowed, and failing on purpose locks nobody out.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { DEFAULT_HTTP_SERVERS, type HttpServersConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { startOpsServer, type OpsServer } from './ops-server.js';

const TOKEN = 'oncall-token-0123456789';
let server: OpsServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = undefined;
});

async function start(http: Partial<HttpServersConfig> = {}, logger = recordingLogger()) {
  server = await startOpsServer({
    listen: { host: '127.0.0.1', port: 0 },
    logger,
    registry: new Registry(),
    readiness: () => ({ ready: true }),
    http: { ...DEFAULT_HTTP_SERVERS, ...http },
    admin: {
      tokens: [{ name: 'oncall', token: TOKEN }],
      actions: [{ name: 'noop', run: () => Promise.resolve({ status: 200, body: { done: true } }) }],
    },
  });
  return server;
}

/** Socket descriptors of this process (Linux). */
function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

/** A client that never closes its side: what a slow-loris attacker does. */
function halfOpenClient(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
  sockets.push(socket);
  let data = '';
  let ended = false;
  let error: NodeJS.ErrnoException | null = null;
  let closed = false;
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('end', () => (ended = true));
  socket.on('error', (err) => (error = err));
  socket.on('close', () => (closed = true));
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, connected, state: () => ({ data, ended, error, closed }) };
}

describe('ops server: hostile clients', () => {
  it('destroys a slow-header socket on its timeout instead of half-closing it', async () => {
    const s = await start({ headersTimeout: 300, requestTimeout: 600 });
    const before = openSockets();
    const c = halfOpenClient(s.address.port);
    await c.connected;
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await waitFor(() => c.state().ended, { timeoutMs: 10_000, what: 'the server to give up on the request' });
    expect(c.state().data).toMatch(/^HTTP\/1\.1 408 /);
    // Only the client's own descriptor is left: the server's side was closed, not half-closed (FIN-WAIT-2
    // with the descriptor still held until the peer closes, which a slow client never does).
    await waitFor(() => openSockets() === before + 1, {
      timeoutMs: 5_000,
      what: 'the server socket to close',
    });
    expect(s.connections()).toBe(0);
  });

  it('closes connections over the per-client cap at once; other clients still get in', async () => {
    const s = await start({ maxConnectionsPerClient: 2 });
    const held = [halfOpenClient(s.address.port), halfOpenClient(s.address.port)];
    await Promise.all(held.map((h) => h.connected));
    await waitFor(() => s.connections() === 2, { timeoutMs: 5_000, what: 'two open connections' });
    const third = halfOpenClient(s.address.port);
    await waitFor(() => third.state().ended, { timeoutMs: 5_000, what: 'the third connection to close' });
    expect(third.state().data).toBe('');
    const other = halfOpenClient(s.address.port, '127.0.0.2');
    await other.connected;
    other.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => other.state().data.includes('\r\n\r\nok'), { timeoutMs: 5_000, what: '200 ok' });
    expect(other.state().data).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('answers only allowed Host names (loopback, IP literals, configured), 421 otherwise', async () => {
    const s = await start({ allowedHosts: ['ops.example.test', '*.internal.test'] });
    const get = (host: string) =>
      new Promise<string>((resolve) => {
        const c = halfOpenClient(s.address.port);
        c.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        c.socket.on('end', () => resolve(c.state().data.split(' ', 2)[1]!));
      });
    expect(await get('evil.example.test')).toBe('421');
    expect(await get('localhost.evil.test:9053')).toBe('421');
    for (const ok of [
      '127.0.0.1:9053',
      'localhost',
      '[::1]:9053',
      '10.1.2.3',
      'ops.example.test',
      'a.internal.test',
    ])
      expect(await get(ok)).toBe('200');
  });

  it('keeps taking the right token after 10 wrong ones from the same address, and logs the failures', async () => {
    const logger = recordingLogger();
    const s = await start({}, logger);
    const post = (token: string) =>
      fetch(`http://127.0.0.1:${s.address.port}/admin/noop`, {
        method: 'POST',
        body: '{}',
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < 10; i++) expect((await post('wrong-token-0123456789')).status).toBe(403);
    expect((await post('wrong-token-0123456789')).status).toBe(429);
    expect((await post(TOKEN)).status).toBe(200);
    const failed = logger.entries.filter((e) => e.msg === 'ops server: failed authentication');
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(JSON.stringify(logger.entries)).not.toContain('wrong-token-0123456789');
  });
});

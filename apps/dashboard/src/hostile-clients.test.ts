/**
 * The dashboard under hostile clients (issue #10): read auth decided on the decoded route, a Host allow-list,
 * framework errors in the documented shape, capped streams and connections, and slow sockets destroyed.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_SERVERS, type HttpServersConfig } from '@understudy/core';
import { waitFor } from '@understudy/testkit/wait';
import { SECURITY_HEADERS } from './security.js';
import { auth, startFixture, testConfig, type Fixture } from './test-support/fixture.js';

let f: Fixture | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await f?.close();
  f = undefined;
});

async function start(http: Partial<HttpServersConfig> = {}, readAuth = false): Promise<Fixture> {
  f = await startFixture(
    testConfig({ dashboard: { readAuth }, httpServers: { ...DEFAULT_HTTP_SERVERS, ...http } }),
  );
  return f;
}

/** A request exactly as written: no URL normalisation, any Host. */
function rawGet(
  fx: Fixture,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: fx.server.address.port,
        path,
        method,
        headers: { connection: 'close', ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expectDocumented(
  r: { status: number; headers: Record<string, unknown>; body: string },
  error: string,
) {
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.body)).toEqual({ error, message: expect.any(String) as string });
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(r.headers[k]).toBe(v);
  expect(r.headers['cache-control']).toBe('no-store');
}

function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

function halfOpen(port: number) {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sockets.push(socket);
  const st = { data: '', ended: false };
  socket.on('data', (d: Buffer) => (st.data += d.toString()));
  socket.on('end', () => (st.ended = true));
  socket.on('error', () => undefined);
  return { socket, st, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
}

describe('dashboard: hostile clients', () => {
  it('with readAuth, an encoded path (/%61pi/…) needs the token like /api/…', async () => {
    const fx = await start({}, true);
    for (const path of [
      '/api/v1/status',
      '/%61pi/v1/status',
      '/%61pi/v1/events',
      '/api/v1/%72ecords',
      '/%61pi/v1/stream',
    ]) {
      const r = await rawGet(fx, path);
      expect(r.status, path).toBe(401);
      expectDocumented(r, 'unauthorized');
    }
    expect((await rawGet(fx, '/%61pi/v1/status', {}, 'HEAD')).status).toBe(401);
    expect((await rawGet(fx, '/%61pi/v1/status', auth())).status).toBe(200);
    expect((await rawGet(fx, '/api/v1/openapi.json')).status).toBe(200);
    expect((await rawGet(fx, '/')).status).toBe(200);
  });

  it('answers a Host it does not serve with 421 in the documented shape; loopback and IPs pass', async () => {
    const fx = await start({ allowedHosts: ['dash.example.test'] });
    const bad = await rawGet(fx, '/api/v1/status', { host: 'rebind.attacker.test' });
    expect(bad.status).toBe(421);
    expectDocumented(bad, 'misdirected');
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]', 'dash.example.test'])
      expect((await rawGet(fx, '/api/v1/status', { host })).status, host).toBe(200);
  });

  it('answers a path that does not decode (/%ff) in the documented shape, with the security headers', async () => {
    const fx = await start();
    const r = await rawGet(fx, '/%ff');
    expect(r.status).toBe(400);
    expectDocumented(r, 'bad_request');
  });

  it('caps live streams per client with a 503 in the documented shape', async () => {
    const fx = await start({ maxStreamsPerClient: 2 });
    const streams = await Promise.all([1, 2].map(() => fetch(`${fx.server.url}/api/v1/stream`)));
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const third = await rawGet(fx, '/api/v1/stream');
    expect(third.status).toBe(503);
    expectDocumented(third, 'unavailable');
    await Promise.all(streams.map((s) => s.body!.cancel()));
    await waitFor(
      async () =>
        (await fetch(`${fx.server.url}/api/v1/stream`).then((r) => {
          void r.body?.cancel();
          return r.status;
        })) === 200,
      {
        timeoutMs: 5_000,
        what: 'a stream slot to free up',
      },
    );
  });

  it('closes connections over the per-client cap at once', async () => {
    const fx = await start({ maxConnectionsPerClient: 3 });
    const held = [1, 2, 3].map(() => halfOpen(fx.server.address.port));
    await Promise.all(held.map((h) => h.connected));
    await waitFor(() => fx.server.load().connections === 3, { timeoutMs: 5_000, what: '3 connections' });
    const extra = halfOpen(fx.server.address.port);
    await waitFor(() => extra.st.ended, { timeoutMs: 5_000, what: 'the 4th connection to be closed' });
    expect(extra.st.data).toBe('');
  });

  it('destroys a slow-header socket on its timeout (408 in the documented shape), not half-closes it', async () => {
    const fx = await start({ headersTimeout: 300, requestTimeout: 600 });
    const before = openSockets();
    const c = halfOpen(fx.server.address.port);
    await c.connected;
    c.socket.write('GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await waitFor(() => c.st.ended, { timeoutMs: 10_000, what: 'the server to give up' });
    expect(c.st.data).toMatch(/^HTTP\/1\.1 408 /);
    expect(c.st.data).toContain('"error":"timeout"');
    expect(c.st.data.toLowerCase()).toContain('x-frame-options: deny');
    await waitFor(() => openSockets() === before + 1, {
      timeoutMs: 5_000,
      what: 'the server socket to close',
    });
    expect(fx.server.load().connections).toBe(0);
  });

  it('documents error ranges as 4XX and 5XX in OpenAPI', async () => {
    const fx = await start();
    const doc = (await (await fetch(`${fx.server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const keys = Object.values(doc.paths).flatMap((p) =>
      Object.values(p).flatMap((o) => Object.keys(o.responses)),
    );
    expect(keys).toContain('4XX');
    expect(keys).toContain('5XX');
    expect(keys.filter((k) => /xx$/.test(k))).toEqual([]);
  });
});

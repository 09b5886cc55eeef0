import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from './metrics.js';
import type { OpsServer, Readiness } from './ops-server.js';
import { startOpsServer } from './ops-server.js';
import { parseExposition } from './test-support/exposition.js';
import { recordingLogger } from '@understudy/testkit/logger';

/** Sends raw bytes and returns whatever the server answers before closing. */
function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let out = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.write(payload);
  });
}

describe('startOpsServer', () => {
  let server: OpsServer;
  let base: string;
  let readiness: Readiness | Error;
  let status: unknown;
  let lastQuery: string | null = null;
  const logger = recordingLogger();

  beforeEach(async () => {
    readiness = { ready: true, detail: { serial: 7 } };
    status = { decider: 'leader', serial: 7 };
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    metrics.zoneSerial.set(7);
    server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      logger,
      registry: metrics.registry,
      readiness: () => {
        if (readiness instanceof Error) throw readiness;
        return readiness;
      },
      status: async (query) => {
        lastQuery = query.toString();
        await Promise.resolve();
        if (status instanceof Error) throw status;
        return status;
      },
    });
    base = `http://127.0.0.1:${server.address.port}`;
  });
  afterEach(async () => {
    await server.close();
  });

  it('reports its address', () => {
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
  });

  it('answers /healthz with 200 for GET and HEAD', async () => {
    const get = await fetch(`${base}/healthz`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('ok\n');
    expect(get.headers.get('cache-control')).toBe('no-store');
    const head = await fetch(`${base}/healthz?probe=kubelet`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('3');
    expect(await head.text()).toBe('');
  });

  it('answers /readyz with 200 or 503 and the detail', async () => {
    const ok = await fetch(`${base}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, detail: { serial: 7 } });
    readiness = { ready: false, detail: { reason: 'draining' } };
    const draining = await fetch(`${base}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ ready: false, detail: { reason: 'draining' } });
    readiness = new Error('store unreachable');
    const broken = await fetch(`${base}/readyz`);
    expect(broken.status).toBe(503);
    expect(await broken.json()).toEqual({ ready: false, error: 'store unreachable' });
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parseExposition(await res.text());
    expect(parsed.types.get('understudy_zone_serial')).toBe('gauge');
    expect(parsed.value('understudy_zone_serial', {})).toBe(7);
  });

  it('serves /status as JSON, and 500 when it fails', async () => {
    const res = await fetch(`${base}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ decider: 'leader', serial: 7 });
    expect(lastQuery).toBe('');
    await fetch(`${base}/status?record=www.example.test.%2FA`);
    expect(lastQuery).toBe('record=www.example.test.%2FA');
    status = new Error('boom');
    const failed = await fetch(`${base}/status`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
    expect(logger.entries.some((l) => l.level === 'error' && l.msg === 'ops server: handler failed')).toBe(
      true,
    );
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    expect((await fetch(`${base}/admin`, { method: 'POST' })).status).toBe(404);
    const post = await fetch(`${base}/healthz`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/readyz`, { method: 'DELETE' })).status).toBe(405);
  });

  it('survives malformed and oversized requests', async () => {
    expect(await raw(server.address.port, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await raw(server.address.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 400/);
    const huge = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`;
    expect(await raw(server.address.port, huge)).toMatch(/^HTTP\/1\.1 431/);
    expect(await raw(server.address.port, '\u0000\u0001\u0002\xff\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('closes with a keep-alive connection open, idempotently, and stops listening', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { connection: 'keep-alive' } });
    await res.text();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('answers 404 on /status when no status is provided, and rejects a busy port', async () => {
    const other = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      logger,
      registry: new Registry(),
      readiness: () => ({ ready: true }),
    });
    try {
      expect((await fetch(`http://127.0.0.1:${other.address.port}/status`)).status).toBe(404);
      await expect(
        startOpsServer({
          listen: { host: '127.0.0.1', port: other.address.port },
          logger,
          registry: new Registry(),
          readiness: () => ({ ready: true }),
        }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await other.close();
    }
  });
});

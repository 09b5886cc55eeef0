import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCert } from './certs.js';
import type { CertPair, IssuedCert } from './certs.js';
import { startOrigin } from './origin.js';
import type { Origin } from './origin.js';

type Reply =
  | { kind: 'response'; status: number; body: string; headers: IncomingHttpHeaders }
  | { kind: 'error'; code: string }
  | { kind: 'no-answer' };

/** One fresh-connection GET; 'no-answer' when nothing arrives within waitMs. */
function get(url: string, opts: { ca?: string; path?: string; waitMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve) => {
    const target = new URL(opts.path ?? '/', url);
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { agent: false, ca: opts.ca, servername: 'localhost' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ kind: 'error', code: err.code ?? err.message }),
        );
        res.on('end', () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      resolve({ kind: 'no-answer' });
      req.destroy();
    }, opts.waitMs ?? 5_000);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'error', code: err.code ?? err.message });
    });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

describe('startOrigin', () => {
  let ca: CertPair;
  let leaf: IssuedCert;
  const started: Origin[] = [];
  const start = async (...args: Parameters<typeof startOrigin>) => {
    const o = await startOrigin(...args);
    started.push(o);
    return o;
  };

  beforeAll(async () => {
    ca = await createCa();
    leaf = await issueCert({ ca, commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'] });
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((o) => o.stop()));
  });

  it('answers every path with 200 "ok <name>" over plain HTTP and counts requests', async () => {
    const o = await start({ name: 'alpha' });
    expect(o.url).toBe(`http://127.0.0.1:${o.port}/`);
    expect(o.mode).toBe('up');
    const a = await get(o.url);
    const b = await get(o.url, { path: '/some/where?x=1' });
    expect(a).toMatchObject({ kind: 'response', status: 200, body: 'ok alpha\n' });
    expect(b).toMatchObject({ kind: 'response', status: 200, body: 'ok alpha\n' });
    expect(a.kind === 'response' && a.headers['x-origin']).toBe('alpha');
    expect(o.requests).toBe(2);
  });

  it('serves HTTPS with the given certificate, custom status and body, on IPv6 too', async () => {
    const o = await start({ name: 'beta', tls: leaf, host: '::1', status: 204, body: '' });
    expect(o.url).toBe(`https://[::1]:${o.port}/`);
    expect(await get(o.url, { ca: ca.certPem })).toMatchObject({ kind: 'response', status: 204, body: '' });
    const custom = await start({ name: 'gamma', tls: leaf, status: 418, body: 'teapot' });
    expect(await get(custom.url, { ca: ca.certPem })).toMatchObject({ status: 418, body: 'teapot' });
  });

  it('answers 503 in http-503 mode and recovers in up mode', async () => {
    const o = await start({ name: 'delta', tls: leaf });
    await o.setMode('http-503');
    expect(await get(o.url, { ca: ca.certPem })).toMatchObject({ kind: 'response', status: 503 });
    await o.setMode('up');
    expect(await get(o.url, { ca: ca.certPem })).toMatchObject({ kind: 'response', status: 200 });
  });

  it('accepts and never answers in timeout mode; down drops the held connection', async () => {
    const o = await start({ name: 'eps', tls: leaf });
    await o.setMode('timeout');
    expect(await get(o.url, { ca: ca.certPem, waitMs: 300 })).toEqual({ kind: 'no-answer' });
    expect(o.requests).toBe(1);
    const held = get(o.url, { ca: ca.certPem, waitMs: 5_000 });
    await waitFor(() => o.requests === 2);
    await o.setMode('down');
    expect(await held).toMatchObject({ kind: 'error' });
  });

  it('resets the connection on request in reset mode (HTTP and HTTPS)', async () => {
    const plain = await start({ name: 'zeta' });
    const secure = await start({ name: 'eta', tls: leaf });
    await plain.setMode('reset');
    await secure.setMode('reset');
    expect(await get(plain.url)).toEqual({ kind: 'error', code: 'ECONNRESET' });
    expect(await get(secure.url, { ca: ca.certPem })).toEqual({ kind: 'error', code: 'ECONNRESET' });
    expect(secure.requests).toBe(1);
  });

  it('refuses connections when down and listens again on the same port', async () => {
    const o = await start({ name: 'theta', tls: leaf });
    const port = o.port;
    await o.setMode('down');
    expect(o.mode).toBe('down');
    expect(await get(o.url, { ca: ca.certPem })).toEqual({ kind: 'error', code: 'ECONNREFUSED' });
    await o.setMode('up');
    expect(o.port).toBe(port);
    expect(await get(o.url, { ca: ca.certPem })).toMatchObject({ kind: 'response', status: 200 });
  });

  it('restart() drops connections and comes back up on the same port, from any mode', async () => {
    const o = await start({ name: 'iota' });
    const port = o.port;
    await o.setMode('timeout');
    const held = get(o.url, { waitMs: 5_000 });
    await waitFor(() => o.requests === 1);
    await o.restart();
    expect(await held).toMatchObject({ kind: 'error' });
    expect(o.mode).toBe('up');
    expect(o.port).toBe(port);
    expect(await get(o.url)).toMatchObject({ kind: 'response', status: 200 });
    await o.setMode('down');
    await o.restart();
    expect(await get(o.url)).toMatchObject({ kind: 'response', status: 200 });
  });

  it('stops for good: refused afterwards, mode changes rejected, stop idempotent', async () => {
    const o = await start({ name: 'kappa' });
    await o.stop();
    expect(await get(o.url)).toEqual({ kind: 'error', code: 'ECONNREFUSED' });
    await expect(o.setMode('up')).rejects.toThrow(/stopped/);
    await expect(o.restart()).rejects.toThrow(/stopped/);
    await expect(o.stop()).resolves.toBeUndefined();
  });

  it('rejects an unknown mode and reports a taken port clearly', async () => {
    const o = await start({ name: 'lambda' });
    await expect(o.setMode('sideways' as never)).rejects.toThrow(/unknown mode/);
    await expect(startOrigin({ name: 'clash', port: o.port })).rejects.toThrow(/cannot listen/);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

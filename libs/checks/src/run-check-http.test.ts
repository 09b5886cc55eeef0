import { startOrigin } from '@understudy/origins/origin';
import type { Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupFn } from './lookup.js';
import { runCheck } from './run-check.js';
import { httpCheckConfig, rawServer, recordingServer } from './test-support/fixtures.js';
import type { RecordingServer } from './test-support/fixtures.js';

const loopback: LookupFn = () => Promise.resolve({ address: '127.0.0.1', family: 4 });

describe('runCheck http', () => {
  let origin: Origin;
  let statusServer: RecordingServer;

  beforeAll(async () => {
    origin = await startOrigin({ name: 'web', body: 'hello from web: all systems nominal\n' });
    // Answers with the status named in the path: /status/301 → 301.
    statusServer = await recordingServer({
      handler: (req, res) => {
        const code = Number(/^\/status\/(\d{3})$/.exec(req.url ?? '')?.[1] ?? 500);
        res.writeHead(code, code >= 300 && code < 400 ? { location: '/elsewhere' } : {});
        res.end();
      },
    });
  });

  afterAll(async () => {
    await origin.stop();
    await statusServer.close();
  });

  const web = (over: Parameters<typeof httpCheckConfig>[0] = {}) =>
    httpCheckConfig({ port: origin.port, ...over });
  const status = (code: number, expectStatus = [{ from: 200, to: 299 }]) =>
    runCheck(httpCheckConfig({ port: statusServer.port, path: `/status/${code}`, expectStatus }));

  it('passes on a 200, timing connect and first byte but no tls', async () => {
    const out = await runCheck(web());
    expect(out).toMatchObject({ ok: true, status: 200 });
    expect(out.timings.connect).toBeGreaterThanOrEqual(0);
    expect(out.timings.firstByte).toBeGreaterThanOrEqual(0);
    expect(out.timings.tls).toBeUndefined();
    expect(out.certExpiresAt).toBeUndefined();
  });

  it('fails with status outside expectStatus and honours several ranges', async () => {
    await origin.setMode('http-503');
    try {
      const out = await runCheck(web());
      expect(out).toMatchObject({
        ok: false,
        reason: 'status',
        status: 503,
        message: 'HTTP 503 (expected 200-299)',
      });
    } finally {
      await origin.setMode('up');
    }
    const ranges = [
      { from: 200, to: 299 },
      { from: 301, to: 301 },
    ];
    expect(await status(204, ranges)).toMatchObject({ ok: true, status: 204 });
    expect(await status(301, ranges)).toMatchObject({ ok: true, status: 301 });
    expect(await status(302, ranges)).toMatchObject({ ok: false, reason: 'status', status: 302 });
  });

  it('does not follow redirects', async () => {
    const before = statusServer.seen.length;
    expect(await status(302)).toMatchObject({ ok: false, reason: 'status', status: 302 });
    expect(statusServer.seen.length).toBe(before + 1);
  });

  it('matches the body by substring and by regex, within maxBodyBytes', async () => {
    expect(await runCheck(web({ body: { contains: 'all systems' } }))).toMatchObject({ ok: true });
    expect(await runCheck(web({ body: { regex: '^hello from \\w+:' } }))).toMatchObject({ ok: true });
    const missing = await runCheck(web({ body: { contains: 'degraded' } }));
    expect(missing).toMatchObject({ ok: false, reason: 'body', status: 200 });
    expect(missing.message).toMatch(/does not contain "degraded" within the first 65536 bytes/);
    const regexMiss = await runCheck(web({ body: { regex: 'nominal$' } }));
    expect(regexMiss).toMatchObject({ ok: false, reason: 'body' });
    const beyondCap = await runCheck(web({ body: { contains: 'nominal' }, maxBodyBytes: 10 }));
    expect(beyondCap).toMatchObject({ ok: false, reason: 'body' });
  });

  it('reads only maxBodyBytes of a large body', async () => {
    // Keeps writing for as long as the client reads; the check must stop at the cap.
    const endless = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
      const chunk = Buffer.alloc(16_384, 'x');
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', pump);
      socket.write('needle ');
      pump();
    });
    try {
      const out = await runCheck(
        httpCheckConfig({ port: endless.port, body: { contains: 'needle' }, maxBodyBytes: 1_000 }),
      );
      expect(out).toMatchObject({ ok: true, status: 200 });
    } finally {
      await endless.close();
    }
  });

  it('times out when headers never come, with total close to the timeout', async () => {
    await origin.setMode('timeout');
    try {
      const out = await runCheck(web({ timeout: 400 }));
      expect(out).toMatchObject({ ok: false, reason: 'timeout' });
      expect(out.message).toMatch(/400 ms \(during request\)/);
      expect(out.timings.total).toBeGreaterThanOrEqual(390);
      expect(out.timings.total).toBeLessThan(2_000);
      expect(out.timings.connect).toBeGreaterThanOrEqual(0);
      expect(out.timings.firstByte).toBeUndefined();
    } finally {
      await origin.setMode('up');
    }
  });

  it('fails with connect on a closed port', async () => {
    const port = await freePort();
    const out = await runCheck(httpCheckConfig({ port }));
    expect(out).toMatchObject({ ok: false, reason: 'connect' });
    expect(out.message).toMatch(/ECONNREFUSED/);
    expect(out.timings.firstByte).toBeUndefined();
  });

  it('fails with dns, fast, for a name that does not resolve', async () => {
    const invalid = await runCheck(web({ host: 'nothing-here.invalid' }));
    expect(invalid).toMatchObject({ ok: false, reason: 'dns' });
    expect(invalid.message).toMatch(/ENOTFOUND nothing-here\.invalid/);
    expect(invalid.timings.total).toBeLessThan(500);
    const injected: LookupFn = (host) =>
      Promise.reject(Object.assign(new Error(`queryA ESERVFAIL ${host}`), { code: 'ESERVFAIL' }));
    const failed = await runCheck(web({ host: 'app.example.test' }), { lookup: injected });
    expect(failed).toMatchObject({ ok: false, reason: 'dns', message: 'queryA ESERVFAIL app.example.test' });
    expect(failed.timings.connect).toBeUndefined();
  });

  it('resolves names through the injected lookup and sends the name (without the root dot) as Host', async () => {
    const check = httpCheckConfig({
      host: 'app.example.test.',
      port: statusServer.port,
      path: '/status/200',
    });
    const out = await runCheck(check, { lookup: loopback });
    expect(out).toMatchObject({ ok: true });
    expect(out.timings.dns).toBeGreaterThanOrEqual(0);
    expect(statusServer.seen.at(-1)!.headers.host).toBe(`app.example.test:${statusServer.port}`);
  });

  it('times out when resolution hangs', async () => {
    const hang: LookupFn = () => new Promise(() => undefined);
    const out = await runCheck(web({ host: 'slow.example.test', timeout: 150 }), { lookup: hang });
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    expect(out.message).toMatch(/during dns/);
  });

  it('reports reset when the connection drops mid-response or before the headers', async () => {
    const truncating = await rawServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    try {
      const out = await runCheck(httpCheckConfig({ port: truncating.port, body: { contains: 'complete' } }));
      expect(out).toMatchObject({ ok: false, reason: 'reset', status: 200 });
      expect(out.message).toMatch(/while reading the body/);
    } finally {
      await truncating.close();
    }
    await origin.setMode('reset');
    try {
      const out = await runCheck(web());
      expect(out).toMatchObject({ ok: false, reason: 'reset' });
      expect(out.message).toMatch(/before the response headers/);
    } finally {
      await origin.setMode('up');
    }
  });

  it('reports protocol on garbage instead of HTTP', async () => {
    const garbage = await rawServer((socket) => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    });
    try {
      const out = await runCheck(httpCheckConfig({ port: garbage.port }));
      expect(out).toMatchObject({ ok: false, reason: 'protocol' });
      expect(out.message).toMatch(/malformed HTTP response/);
    } finally {
      await garbage.close();
    }
  });

  it('sends Host with the port when non-default, and the hostHeader override as is', async () => {
    await runCheck(httpCheckConfig({ port: statusServer.port, path: '/status/200' }));
    expect(statusServer.seen.at(-1)!.headers.host).toBe(`127.0.0.1:${statusServer.port}`);
    await runCheck(
      httpCheckConfig({ port: statusServer.port, path: '/status/200', hostHeader: 'vhost.test' }),
    );
    expect(statusServer.seen.at(-1)!.headers.host).toBe('vhost.test');
  });

  it('honours the caller abort signal', async () => {
    await origin.setMode('timeout');
    try {
      const timeout = AbortSignal.timeout(100);
      expect(await runCheck(web(), { signal: timeout })).toMatchObject({ ok: false, reason: 'timeout' });
      const shutdown = new AbortController();
      shutdown.abort(new Error('probe stopping'));
      const out = await runCheck(web(), { signal: shutdown.signal });
      expect(out).toMatchObject({ ok: false, reason: 'probe-error' });
      expect(out.message).toMatch(/probe stopping/);
    } finally {
      await origin.setMode('up');
    }
  });

  it('never rejects: an unknown check type or an invalid regex is a probe-error (it does not vote)', async () => {
    const weird = { ...web(), type: 'gopher' } as unknown as Parameters<typeof runCheck>[0];
    expect(await runCheck(weird)).toMatchObject({
      ok: false,
      reason: 'probe-error',
      message: 'unknown check type "gopher"',
    });
    const badRegex = await runCheck(web({ body: { regex: '(' } }));
    expect(badRegex).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(badRegex.message).toMatch(/invalid body regex/);
    expect(await runCheck(null as never)).toMatchObject({ ok: false, reason: 'probe-error' });
  });
});

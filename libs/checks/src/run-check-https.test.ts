import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpCheckConfig } from '@understudy/core';
import { createCa, issueCert, selfSigned } from '@understudy/origins/certs';
import type { CertPair, IssuedCert } from '@understudy/origins/certs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from './run-check.js';
import { httpCheckConfig, rawServer, recordingServer } from './test-support/fixtures.js';
import type { RecordingServer } from './test-support/fixtures.js';

const DAY = 86_400_000;
const NAMES = ['localhost', '127.0.0.1', '::1', 'app.example.test', 'sni.example.test'];

describe('runCheck https', () => {
  let dir: string;
  let caFile: string;
  let ca: CertPair;
  let leaf: IssuedCert;
  let good: RecordingServer;
  let selfSignedServer: RecordingServer;
  let expiringServer: RecordingServer;
  let expiredServer: RecordingServer;
  let expiring: IssuedCert;
  let expired: IssuedCert;

  const https = (server: RecordingServer, over: Partial<HttpCheckConfig> = {}) =>
    httpCheckConfig({
      type: 'https',
      port: server.port,
      ...over,
      tls: { verify: true, caFile, minCertDays: null, ...over.tls },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checks-https-'));
    ca = await createCa();
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.certPem);
    leaf = await issueCert({ ca, commonName: 'localhost', altNames: NAMES });
    expiring = await issueCert({ ca, commonName: 'localhost', altNames: NAMES, days: 2 });
    expired = await issueCert({
      ca,
      commonName: 'localhost',
      altNames: NAMES,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - 3 * DAY),
    });
    const self = await selfSigned({ commonName: 'localhost', altNames: NAMES });
    good = await recordingServer({ tls: leaf });
    selfSignedServer = await recordingServer({ tls: self });
    expiringServer = await recordingServer({ tls: expiring });
    expiredServer = await recordingServer({ tls: expired });
  });

  afterAll(async () => {
    await Promise.all([good, selfSignedServer, expiringServer, expiredServer].map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('passes with verification on against a CA-signed certificate, with sane timings', async () => {
    const out = await runCheck(https(good, { sni: 'localhost' }));
    expect(out).toMatchObject({ ok: true, status: 200, certExpiresAt: leaf.notAfter.getTime() });
    expect(out.reason).toBeUndefined();
    const t = out.timings;
    expect(t.dns).toBeUndefined(); // IP literal
    for (const phase of [t.connect, t.tls, t.firstByte]) {
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(2_000);
    }
    expect(t.total).toBeGreaterThanOrEqual(t.connect! + t.tls! + t.firstByte!);
    expect(t.total).toBeLessThan(3_000);
  });

  it('times the dns phase when the host is a name', async () => {
    const lookup = (host: string) =>
      host === 'app.example.test'
        ? Promise.resolve({ address: '127.0.0.1', family: 4 as const })
        : Promise.reject(new Error(host));
    const out = await runCheck(https(good, { host: 'app.example.test' }), { lookup });
    expect(out.ok).toBe(true);
    expect(out.timings.dns).toBeGreaterThanOrEqual(0);
    expect(good.seen.at(-1)).toMatchObject({ servername: 'app.example.test' });
    expect(good.seen.at(-1)!.headers.host).toBe(`app.example.test:${good.port}`);
  });

  it('fails with tls on a self-signed certificate when verifying, and passes with verify off', async () => {
    const strict = await runCheck(https(selfSignedServer, { sni: 'localhost' }));
    expect(strict).toMatchObject({ ok: false, reason: 'tls' });
    expect(strict.message).toMatch(/SELF_SIGNED/);
    expect(strict.certExpiresAt).toBeGreaterThan(Date.now());
    expect(selfSignedServer.seen).toHaveLength(0); // nothing is sent on a rejected connection
    const lax = await runCheck(
      https(selfSignedServer, { tls: { verify: false, caFile: null, minCertDays: null } }),
    );
    expect(lax).toMatchObject({ ok: true, status: 200 });
  });

  it('fails with tls when the certificate does not cover the name', async () => {
    const out = await runCheck(https(good, { sni: 'wrong.example.test' }));
    expect(out).toMatchObject({ ok: false, reason: 'tls', certExpiresAt: leaf.notAfter.getTime() });
    expect(out.message).toMatch(/wrong\.example\.test.*ALTNAME/);
  });

  it('fails with tls when the issuing CA is not trusted (system roots only)', async () => {
    const out = await runCheck(https(good, { tls: { verify: true, caFile: null, minCertDays: null } }));
    expect(out).toMatchObject({ ok: false, reason: 'tls' });
  });

  it('reports cert-expiring within minCertDays, with certExpiresAt', async () => {
    const soon = await runCheck(https(expiringServer, { tls: { verify: true, caFile, minCertDays: 7 } }));
    expect(soon).toMatchObject({
      ok: false,
      reason: 'cert-expiring',
      certExpiresAt: expiring.notAfter.getTime(),
    });
    expect(soon.message).toMatch(/expires in 2\.0 days.*minimum is 7 days/);
    const fine = await runCheck(https(expiringServer, { tls: { verify: true, caFile, minCertDays: 1 } }));
    expect(fine.ok).toBe(true);
  });

  it('judges expiry by the injected clock', async () => {
    const clock = { now: () => leaf.notAfter.getTime() - 3 * DAY };
    const out = await runCheck(https(good, { tls: { verify: true, caFile, minCertDays: 7 } }), { clock });
    expect(out).toMatchObject({ ok: false, reason: 'cert-expiring' });
  });

  it('treats an expired certificate as tls when verifying, cert-expiring when not', async () => {
    const strict = await runCheck(https(expiredServer, { tls: { verify: true, caFile, minCertDays: 7 } }));
    expect(strict).toMatchObject({ ok: false, reason: 'tls', certExpiresAt: expired.notAfter.getTime() });
    expect(strict.message).toMatch(/CERT_HAS_EXPIRED/);
    const lax = await runCheck(
      https(expiredServer, { tls: { verify: false, caFile: null, minCertDays: 0 } }),
    );
    expect(lax).toMatchObject({ ok: false, reason: 'cert-expiring' });
    expect(lax.message).toMatch(/expired 3\.0 days ago/);
    const ignored = await runCheck(
      https(expiredServer, { tls: { verify: false, caFile: null, minCertDays: null } }),
    );
    expect(ignored.ok).toBe(true);
  });

  it("reports an unreadable or empty caFile as a probe-error (the probe's own fault), naming the path", async () => {
    const missing = join(dir, 'missing.pem');
    const out = await runCheck(https(good, { tls: { verify: true, caFile: missing, minCertDays: null } }));
    expect(out).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(out.message).toContain(missing);
    const empty = join(dir, 'empty.pem');
    await writeFile(empty, 'not a certificate\n');
    const bad = await runCheck(https(good, { tls: { verify: true, caFile: empty, minCertDays: null } }));
    expect(bad).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(bad.message).toMatch(/no PEM certificate/);
  });

  it('sends the Host header and SNI overrides', async () => {
    const vhost = await runCheck(https(good, { hostHeader: 'app.example.test' }));
    expect(vhost.ok).toBe(true);
    expect(good.seen.at(-1)).toMatchObject({ servername: 'app.example.test' });
    expect(good.seen.at(-1)!.headers.host).toBe('app.example.test');

    const split = await runCheck(
      https(good, { hostHeader: 'app.example.test:8443', sni: 'sni.example.test' }),
    );
    expect(split.ok).toBe(true);
    expect(good.seen.at(-1)).toMatchObject({ servername: 'sni.example.test' });
    expect(good.seen.at(-1)!.headers.host).toBe('app.example.test:8443');
  });

  it('never sends an IP literal as SNI, and verifies the IP against the certificate instead', async () => {
    const out = await runCheck(https(good));
    expect(out.ok).toBe(true);
    expect(good.seen.at(-1)).toMatchObject({ servername: false });
    expect(good.seen.at(-1)!.headers.host).toBe(`127.0.0.1:${good.port}`);
    const v6 = await recordingServer({ tls: leaf, host: '::1' });
    try {
      const out6 = await runCheck(https(v6, { host: '::1' }));
      expect(out6.ok).toBe(true);
      expect(v6.seen[0]).toMatchObject({ servername: false });
      expect(v6.seen[0]!.headers.host).toBe(`[::1]:${v6.port}`);
    } finally {
      await v6.close();
    }
  });

  it('sends the configured method and headers, with our User-Agent unless overridden', async () => {
    await runCheck(https(good, { method: 'OPTIONS', path: '/ready?x=1', headers: { 'X-Probe': 'yes' } }));
    const first = good.seen.at(-1)!;
    expect(first).toMatchObject({ method: 'OPTIONS', url: '/ready?x=1' });
    expect(first.headers).toMatchObject({
      'x-probe': 'yes',
      'user-agent': 'Understudy-Probe/0.1',
      connection: 'close',
    });
    await runCheck(https(good, { headers: { 'User-Agent': 'custom/1' } }));
    expect(good.seen.at(-1)!.headers['user-agent']).toBe('custom/1');
  });

  it('times out during tls when the server accepts but never handshakes, or fails tls when it hangs up', async () => {
    const silent = await rawServer(() => undefined);
    const hangUp = await rawServer((socket) => socket.once('data', () => socket.destroy()));
    try {
      const out = await runCheck(https(silent, { timeout: 200 }));
      expect(out).toMatchObject({ ok: false, reason: 'timeout' });
      expect(out.message).toMatch(/during tls/);
      expect(out.timings.connect).toBeGreaterThanOrEqual(0);
      expect(out.timings.tls).toBeUndefined();
      expect(await runCheck(https(hangUp))).toMatchObject({ ok: false, reason: 'tls' });
    } finally {
      await silent.close();
      await hangUp.close();
    }
  });
});

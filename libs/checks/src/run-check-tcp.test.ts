import { freePort } from '@understudy/testkit/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupFn } from './lookup.js';
import { runCheck } from './run-check.js';
import { rawServer, tcpCheckConfig } from './test-support/fixtures.js';
import type { RecordingServer } from './test-support/fixtures.js';

describe('runCheck tcp', () => {
  let server: RecordingServer;
  let accepted = 0;

  beforeAll(async () => {
    server = await rawServer(() => {
      accepted++;
    });
  });

  afterAll(() => server.close());

  it('passes when the port accepts, timing connect without dns', async () => {
    const out = await runCheck(tcpCheckConfig({ port: server.port }));
    expect(out).toMatchObject({ ok: true });
    expect(out.timings.dns).toBeUndefined();
    expect(out.timings.connect).toBeGreaterThanOrEqual(0);
    expect(out.timings.total).toBeGreaterThanOrEqual(out.timings.connect!);
    expect(out.status).toBeUndefined();
    await expect.poll(() => accepted).toBeGreaterThan(0);
  });

  it('resolves names, timing dns', async () => {
    const lookup: LookupFn = () => Promise.resolve({ address: '::1', family: 6 });
    const port = server.port;
    const ok = await runCheck(tcpCheckConfig({ host: 'db.example.test', port }), {
      lookup: () => Promise.resolve({ address: '127.0.0.1', family: 4 }),
    });
    expect(ok).toMatchObject({ ok: true });
    expect(ok.timings.dns).toBeGreaterThanOrEqual(0);
    // Nothing listens on ::1 at that port: the resolved address is what gets dialled.
    const refused = await runCheck(tcpCheckConfig({ host: 'db.example.test', port }), { lookup });
    expect(refused).toMatchObject({ ok: false, reason: 'connect' });
  });

  it('fails with connect when the port is closed', async () => {
    const out = await runCheck(tcpCheckConfig({ port: await freePort() }));
    expect(out).toMatchObject({ ok: false, reason: 'connect' });
    expect(out.message).toMatch(/ECONNREFUSED/);
  });

  it('fails with dns for an unresolvable name, and times out when resolution hangs', async () => {
    expect(await runCheck(tcpCheckConfig({ host: 'db.invalid' }))).toMatchObject({
      ok: false,
      reason: 'dns',
    });
    const hang: LookupFn = () => new Promise(() => undefined);
    const out = await runCheck(tcpCheckConfig({ host: 'db.example.test', timeout: 100 }), { lookup: hang });
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    expect(out.timings.total).toBeGreaterThanOrEqual(95);
  });

  it('accepts a bracketed IPv6 literal', async () => {
    const out = await runCheck(tcpCheckConfig({ host: '[::1]', port: await freePort('::1') }));
    expect(out).toMatchObject({ ok: false, reason: 'connect' });
    expect(out.message).toMatch(/::1/);
  });
});

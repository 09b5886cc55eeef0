/** AXFR and IXFR from a real DnsServer, read by BIND's dig over TCP: ACL, TSIG, journal, multi-message. */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { OverlayUpdate } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { DnsServer } from './server.js';
import type { DnsServerOptions } from './server.js';
import { APEX, APP, fixtureBase, overlay } from './test-support/base.js';

const SECRET = Buffer.from('understudy-transfer-test-secret!').toString('base64');
const KEY = { name: 'xfr-key.', secret: Buffer.from(SECRET, 'base64') };

let server: DnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(
  opts: Partial<DnsServerOptions>,
  extraNames = 0,
): Promise<{ port: number; logger: ReturnType<typeof recordingLogger> }> {
  const logger = recordingLogger();
  server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger, ...opts });
  expect(server.setBase(fixtureBase(extraNames), overlay(100)).ok).toBe(true);
  await server.start();
  return { port: server.addresses().tcp[0]!.port, logger };
}

/** dig's answer lines (+onesoa off: every SOA shown), and its status line, for a transfer. */
function digXfr(port: number, type: string, extra: string[] = []): Promise<{ lines: string[]; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'dig',
      ['-r', '@127.0.0.1', '-p', String(port), APEX, type, '+tries=1', '+time=5', '+nocmd', ...extra],
      { timeout: 15_000 },
      (_err, stdout) => {
        const lines = stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
        resolve({ lines, out: stdout });
      },
    );
  });
}

const delta = (base: number, serial: number, records: Record<string, string[]>): OverlayUpdate => ({
  kind: 'delta',
  delta: { base, serial, epoch: 1, generatedAt: 0, records },
});

describe('zone transfers', () => {
  it('refuses AXFR by default, and from an address no rule allows', async () => {
    const { port } = await start({});
    expect((await digXfr(port, 'AXFR')).out).toMatch(/Transfer failed|REFUSED/);
    await server!.close();
    const s2 = await start({ transfer: { allow: [{ network: '192.0.2.0/24', key: null }], keys: [] } });
    const r = await digXfr(s2.port, 'AXFR');
    expect(r.out).toMatch(/Transfer failed/);
    expect(s2.logger.messages('warn').includes('dns: zone transfer refused')).toBe(true);
  });

  it('serves AXFR with SOA first and last, base plus overlay, over many messages for a big zone', async () => {
    const { port } = await start(
      { transfer: { allow: [{ network: '127.0.0.0/8', key: null }], keys: [] } },
      3000,
    );
    expect(server!.applyUpdate(delta(100, 101, { [APP]: ['203.0.113.7'] })).ok).toBe(true);
    const { lines, out } = await digXfr(port, 'AXFR');
    expect(lines[0]).toMatch(/\tSOA\t.* 101 /);
    expect(lines.at(-1)).toMatch(/\tSOA\t.* 101 /);
    expect(lines.filter((l) => /\tSOA\t/.test(l))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith(`app.${APEX}`) && l.endsWith('203.0.113.7'))).toBe(true);
    expect(lines.some((l) => l.startsWith(`h2999.${APEX}`))).toBe(true);
    // Other TCP queries on the same listener still take the query path.
    const tcp = await new Promise<string>((resolve) =>
      execFile(
        'dig',
        ['-r', '@127.0.0.1', '-p', String(port), `www.${APEX}`, 'A', '+tcp', '+short'],
        (_e, out) => resolve(out.trim()),
      ),
    );
    expect(tcp).toBe('192.0.2.1');
    const messages = Number(/XFR size: \d+ records \(messages (\d+)/.exec(out)?.[1] ?? out);
    expect(messages).toBeGreaterThan(1);
  });

  it('serves IXFR as the difference from the journal, and the whole zone when the serial is older', async () => {
    const { port } = await start({ transfer: { allow: [{ network: '127.0.0.1', key: null }], keys: [] } });
    // The client holds serial 100 from this server (see the next test for one that got it elsewhere).
    expect((await digXfr(port, 'AXFR')).lines[0]).toMatch(/ 100 /);
    expect(server!.applyUpdate(delta(100, 101, { [APP]: ['203.0.113.7'] })).ok).toBe(true);
    expect(server!.applyUpdate(delta(101, 102, { [APP]: ['203.0.113.8'] })).ok).toBe(true);
    const ixfr = (await digXfr(port, 'IXFR=100')).lines;
    expect(ixfr.map((l) => l.split('\t').at(-1))).toEqual([
      expect.stringMatching(/ 102 /),
      expect.stringMatching(/ 100 /),
      '198.51.100.1',
      expect.stringMatching(/ 102 /),
      '203.0.113.8',
      expect.stringMatching(/ 102 /),
    ]);
    expect((await digXfr(port, 'IXFR=102')).lines).toHaveLength(1);
    const old = (await digXfr(port, 'IXFR=50')).lines;
    expect(old.length).toBeGreaterThan(6);
    expect(old.some((l) => l.startsWith(`www.${APEX}`))).toBe(true);
  });

  it('sends the whole zone to a secondary whose serial is the base serial but not from this base', async () => {
    // A DNS process restarted with a changed static config serves its new base under the stored serial
    // (100): a secondary holding 100 got it from the old base, so the first delta alone would leave the
    // static change out of it forever. It gets the whole zone instead.
    const { port, logger } = await start({
      transfer: { allow: [{ network: '127.0.0.1', key: null }], keys: [] },
    });
    // Asking at the same serial changes nothing: the answer is the SOA alone, the client keeps its copy.
    expect((await digXfr(port, 'IXFR=100')).lines).toHaveLength(1);
    expect(server!.applyUpdate(delta(100, 101, { [APP]: ['203.0.113.7'] })).ok).toBe(true);
    const lines = (await digXfr(port, 'IXFR=100')).lines;
    expect(lines.some((l) => l.startsWith(`www.${APEX}`))).toBe(true);
    expect(lines.filter((l) => /\tSOA\t/.test(l))).toHaveLength(2);
    const served = logger.entries.filter((e) => e.msg === 'dns: zone transfer served');
    expect(served.map((e) => e.obj.type)).toEqual(['IXFR', 'IXFR-AXFR']);
  });

  it('requires the key a rule names; a wrong secret is BADSIG, refused and logged', async () => {
    const { port, logger } = await start(
      {
        transfer: { allow: [{ network: '127.0.0.0/8', key: 'xfr-key.' }], keys: [KEY] },
      },
      3000,
    );
    expect((await digXfr(port, 'AXFR')).out).toMatch(/Transfer failed/);
    const good = await digXfr(port, 'AXFR', ['-y', `hmac-sha256:xfr-key:${SECRET}`]);
    expect(good.lines[0]).toMatch(/\tSOA\t/);
    // Many messages, each signed on the chain of the previous MAC: dig checks every one.
    expect(good.lines.filter((l) => /\tSOA\t/.test(l))).toHaveLength(2);
    expect(good.out).toMatch(/messages [2-9]\d*|messages \d{2,}/);
    expect(good.out).not.toMatch(/failed|BADSIG|tsig verify failure/i);
    const wrong = Buffer.from('another-secret-entirely-wrong!!!').toString('base64');
    const bad = await digXfr(port, 'AXFR', ['-y', `hmac-sha256:xfr-key:${wrong}`]);
    expect(bad.lines.filter((l) => /\tSOA\t/.test(l))).toHaveLength(0);
    expect(logger.entries.some((l) => l.msg === 'dns: zone transfer refused' && l.obj.tsigError === 16)).toBe(
      true,
    );
  });
});

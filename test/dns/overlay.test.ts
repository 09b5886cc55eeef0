/** Overlay updates on a live DnsServer, checked with real dig: the serial and the failover answers follow. */
import { DnsServer } from '@understudy/dns-server';
import type { ApplyInfo } from '@understudy/dns-server';
import { dig } from '@understudy/testkit/dig';
import type { DigResult } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import type { SetZoneStateResult } from '@understudy/dns-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, APP, CUT_APEX, delta, overlay, overlayBase } from './overlay-base.js';

const applied: ApplyInfo[] = [];
let server: DnsServer;
let port: number;

beforeAll(async () => {
  server = new DnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: recordingLogger(),
    onApplied: (i) => applied.push(i),
  });
  expect(server.setBase(overlayBase(), overlay(100))).toEqual({ ok: true, serial: 100 });
  await server.start();
  port = server.addresses().udp[0]!.port;
});
afterAll(async () => server.close());

const q = (name: string, type = 'A', flags: string[] = []): Promise<DigResult> =>
  dig({ server: '127.0.0.1', port, name, type, flags: ['+norec', ...flags] });

/** The SOA serial of a reply: in the answer for an SOA query, else in the authority section. */
const serialOf = (r: DigResult): number => {
  const soa = [...r.answer, ...r.authority].find((x) => x.type === 'SOA');
  if (!soa) throw new Error(`no SOA in ${r.raw}`);
  return Number(soa.data.split(/\s+/)[2]);
};

/** SOA, NODATA and NXDOMAIN in the plain zone (UDP fast path), the delegating zone (slow path) and TCP. */
async function serials(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const tcp of [false, true]) {
    const f = tcp ? ['+tcp'] : [];
    const t = tcp ? 'tcp' : 'udp';
    out[`${t} soa`] = serialOf(await q(APEX, 'SOA', f));
    out[`${t} nodata`] = serialOf(await q(`www.${APEX}`, 'MX', f));
    const nx = await q(`nope.${APEX}`, 'A', f);
    expect(nx.status).toBe('NXDOMAIN');
    out[`${t} nxdomain`] = serialOf(nx);
    const slowNx = await q(`nope.${CUT_APEX}`, 'A', f);
    expect(slowNx.status).toBe('NXDOMAIN');
    out[`${t} nxdomain (slow path zone)`] = serialOf(slowNx);
    out[`${t} nodata (slow path zone)`] = serialOf(await q(`www.${CUT_APEX}`, 'TXT', f));
  }
  return out;
}

const all = (serial: number, keys: string[]): Record<string, number> =>
  Object.fromEntries(keys.map((k) => [k, serial]));

const errorOf = (r: SetZoneStateResult): string => (r.ok ? 'accepted' : r.error);

describe('DnsServer.applyUpdate', () => {
  it('moves the SOA serial of SOA, NODATA and NXDOMAIN answers on the fast path, the slow path and TCP', async () => {
    const first = await serials();
    expect(first).toEqual(all(100, Object.keys(first)));
    expect(server.applyUpdate(delta(100, 101))).toEqual({ ok: true, serial: 101 });
    expect(await serials()).toEqual(all(101, Object.keys(first)));
    expect(server.applyUpdate({ kind: 'full', overlay: overlay(150) })).toEqual({ ok: true, serial: 150 });
    expect(await serials()).toEqual(all(150, Object.keys(first)));
  });

  it('a static CNAME to a failover name follows its change, over UDP and TCP', async () => {
    const alias = async (f: string[] = []): Promise<string[]> =>
      (await q(`alias.${APEX}`, 'A', f)).answer.map((a) => a.data);
    expect(await alias()).toEqual([`app.${APEX}`, '198.51.100.1']);
    const before = applied.length;
    expect(server.applyUpdate(delta(150, 151, { [APP]: ['203.0.113.7'] })).ok).toBe(true);
    expect(await alias()).toEqual([`app.${APEX}`, '203.0.113.7']);
    expect(await alias(['+tcp'])).toEqual([`app.${APEX}`, '203.0.113.7']);
    expect(applied.slice(before)).toEqual([
      expect.objectContaining({ serial: 151, kind: 'delta', names: 1 }),
    ]);
  });

  it('refuses a delta that skips a serial or carries a bad value, and keeps answering as before', async () => {
    const gap = server.applyUpdate(delta(140, 152, { [APP]: ['203.0.113.8'] }));
    expect(errorOf(gap)).toMatch(/serving serial 151; send the full overlay/);
    const bad = server.applyUpdate(delta(151, 152, { [APP]: ['203.0.113.8', '300.1.1.1'] }));
    expect(errorOf(bad)).toContain(APP);
    expect(server.serial).toBe(151);
    expect((await q(`app.${APEX}`)).answer.map((a) => a.data)).toEqual(['203.0.113.7']);
    expect(serialOf(await q(APEX, 'SOA'))).toBe(151);
  });
});

/** Transports and robustness with real dig: IPv6, TCP, malformed datagrams, snapshot swaps. */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, startHarness, zoneState } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

/** Sends one datagram and returns the reply, or null when none arrives within `ms`. */
function rawUdp(port: number, msg: Buffer, ms = 400): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', () => undefined);
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, ms);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

const header = (id: number): Buffer => Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);

describe('transports', () => {
  it('serves UDP and TCP on ::1', async () => {
    const udp = await h.dig(`www.${APEX}`, 'AAAA', ['+norec'], true);
    expect(udp.answer.map((a) => a.data)).toEqual(['2001:db8::1']);
    expect(udp.raw).toMatch(/SERVER: ::1#\d+\(::1\) \(UDP\)/);
    const tcp = await h.dig(`www.${APEX}`, 'A', ['+norec', '+tcp'], true);
    expect(tcp.answer.map((a) => a.data)).toEqual(['192.0.2.1']);
    expect(tcp.raw).toMatch(/\(TCP\)/);
  });

  it('keeps serving after malformed datagrams: FORMERR where a header is readable, silence otherwise', async () => {
    expect(await rawUdp(h.port, Buffer.from([1, 2, 3, 4, 5]))).toBeNull();
    const loop = await rawUdp(h.port, Buffer.concat([header(0x4242), Buffer.from([0xc0, 12, 0, 1, 0, 1])]));
    expect(loop).not.toBeNull();
    expect(loop!.readUInt16BE(0)).toBe(0x4242);
    expect(loop![3]! & 0x0f).toBe(1);
    const truncated = await rawUdp(h.port, Buffer.concat([header(7), Buffer.from([3, 0x77, 0x77])]));
    expect(truncated![3]! & 0x0f).toBe(1);
    let seed = 12345;
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(5 + (i % 60));
      for (let j = 0; j < bytes.length; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        bytes[j] = seed >>> 24;
      }
      await new Promise<void>((resolve) => {
        const s = dgram.createSocket('udp4');
        s.send(bytes, h.port, '127.0.0.1', () => {
          s.close();
          resolve();
        });
      });
    }
    const r = await h.dig(`www.${APEX}`, 'A', ['+norec']);
    expect(r.status).toBe('NOERROR');
    expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.1']);
  });

  it('serves the new data right after a swap, and keeps the old data when a swap is invalid', async () => {
    expect((await h.dig(`app.${APEX}`)).answer.map((a) => a.data)).toEqual(['198.51.100.1']);
    expect(h.server.setZoneState(zoneState(2, '198.51.100.2'))).toEqual({ ok: true, serial: 2 });
    const after = await h.dig(`app.${APEX}`);
    expect(after.answer.map((a) => `${a.data} ${a.ttl}`)).toEqual(['198.51.100.2 30']);
    const soa = await h.dig(APEX, 'SOA');
    expect(soa.answer[0]!.data).toMatch(/ 2 3600 600 86400 120$/);
    const broken = zoneState(3, '198.51.100.3');
    broken.zones[0]!.rrsets.push({ name: `bad.${APEX}`, type: 'AAAA', ttl: 30, values: ['not-an-address'] });
    expect(h.server.setZoneState(broken).ok).toBe(false);
    expect((await h.dig(`app.${APEX}`)).answer.map((a) => a.data)).toEqual(['198.51.100.2']);
    expect(h.server.serial).toBe(2);
  });
});

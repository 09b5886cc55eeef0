/**
 * The serial a secondary serves: the per-zone model, a real SOA query against a real DnsServer playing the
 * secondary, and the polling after a NOTIFY ack (with an injected query so the answers can be scripted).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { SecondarySerials, SecondaryWatch } from './secondary-watch.js';
import { DnsServer } from './server.js';
import { querySoaSerial, soaQuery, soaSerialOf } from './soa-query.js';
import { APEX, fixtureBase, overlay } from './test-support/base.js';
import { udpExchange } from './test-support/client.js';

let server: DnsServer | null = null;
let watch: SecondaryWatch | null = null;
afterEach(async () => {
  watch?.close();
  await server?.close();
  server = null;
});

describe('SecondarySerials', () => {
  it('is the oldest serial over every zone, and unknown until each zone answered', () => {
    const m = new SecondarySerials(['a.test.', 'b.test.']);
    expect(m.observe('ns1:53', 'a.test.', 12)).toBeNull();
    expect(m.observe('ns1:53', 'b.test.', 11)).toBe(11);
    expect(m.observe('ns1:53', 'b.test.', 13)).toBe(12);
    expect(m.serial('ns2:53')).toBeNull();
  });

  it('compares serials with RFC 1982 arithmetic across the wrap', () => {
    const m = new SecondarySerials(['a.test.', 'b.test.']);
    m.observe('ns1:53', 'a.test.', 0xfffffff0);
    // 5 is after 0xfffffff0 once serials wrapped: the older one is still the big number.
    expect(m.observe('ns1:53', 'b.test.', 5)).toBe(0xfffffff0);
  });
});

describe('SOA query', () => {
  it('reads the serial a real server answers', async () => {
    server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger: recordingLogger() });
    expect(server.setBase(fixtureBase(), overlay(4242)).ok).toBe(true);
    await server.start();
    const port = server.addresses().udp[0]!.port;
    expect(await querySoaSerial('127.0.0.1', port, APEX, 2000)).toBe(4242);
    // A zone it does not serve (REFUSED): no serial.
    expect(await querySoaSerial('127.0.0.1', port, 'other.test.', 500)).toBeNull();
  });

  it('ignores a reply with another ID or question', async () => {
    server = new DnsServer({ listen: [{ host: '127.0.0.1', port: 0 }], logger: recordingLogger() });
    expect(server.setBase(fixtureBase(), overlay(77)).ok).toBe(true);
    await server.start();
    const port = server.addresses().udp[0]!.port;
    const q = soaQuery(0x1234, APEX);
    const reply = await udpExchange('127.0.0.1', port, q);
    expect(soaSerialOf(q, reply)).toBe(77);
    expect(soaSerialOf(soaQuery(0x1235, APEX), reply)).toBeNull();
    expect(soaSerialOf(soaQuery(0x1234, 'other.test.'), reply)).toBeNull();
    expect(soaSerialOf(q, reply.subarray(0, 20))).toBeNull();
  });

  it('gives null for a secondary that does not answer', async () => {
    expect(await querySoaSerial('127.0.0.1', 9, APEX, 300)).toBeNull();
  });
});

describe('SecondaryWatch', () => {
  it('asks after a NOTIFY ack until the secondary serves the serial, reporting it when first seen', async () => {
    const answers = [10, 10, 12, 12];
    let asked = 0;
    const seen: [string, number][] = [];
    watch = new SecondaryWatch({
      targets: [{ host: '192.0.2.53', port: 53 }],
      zones: [APEX],
      now: Date.now,
      onServing: (address, serial) => seen.push([address, serial]),
      pollMs: 10,
      pollMaxMs: 20,
      query: () => Promise.resolve(answers[Math.min(asked++, answers.length - 1)]!),
    });
    watch.expect('192.0.2.53:53', APEX, 12);
    await waitFor(() => seen.length === 2, { timeoutMs: 5000, what: 'serial 12' });
    expect(seen).toEqual([
      ['192.0.2.53:53', 10],
      ['192.0.2.53:53', 12],
    ]);
    // Once it serves the serial the polling stops.
    await waitFor(() => watch!.polling === 0, { timeoutMs: 5000, what: 'the polling to stop' });
    const n = asked;
    await watch.check();
    expect(asked).toBe(n + 1);
    expect(seen.at(-1)).toEqual(['192.0.2.53:53', 12]);
  });

  it('does not report a secondary that stopped answering on check()', async () => {
    let up = true;
    const seen: number[] = [];
    watch = new SecondaryWatch({
      targets: [{ host: '192.0.2.53', port: 53 }],
      zones: [APEX],
      now: Date.now,
      onServing: (_a, serial) => seen.push(serial),
      query: () => Promise.resolve(up ? 5 : null),
    });
    await watch.check();
    up = false;
    await watch.check();
    expect(seen).toEqual([5, 5]);
  });

  it('gives up polling after pollForMs', async () => {
    let asked = 0;
    let now = 0;
    watch = new SecondaryWatch({
      targets: [{ host: '192.0.2.53', port: 53 }],
      zones: [APEX],
      now: () => now,
      onServing: () => undefined,
      pollMs: 1,
      pollMaxMs: 1,
      pollForMs: 100,
      // Each query takes 30 ms of the injected clock and answers the old serial.
      query: () => {
        asked++;
        now += 30;
        return Promise.resolve(1);
      },
    });
    watch.expect('192.0.2.53:53', APEX, 2);
    await waitFor(() => watch!.polling === 0, { timeoutMs: 5000, what: 'the polling to give up' });
    // Asked at 0 (→30), 30 (→60), 60 (→90), 90 (→120: past 100, stop).
    expect(asked).toBe(4);
  });
});

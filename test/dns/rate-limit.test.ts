/** UDP response-rate limiting with real sockets: per client network, slip as TC=1, TCP untouched. */
import dgram from 'node:dgram';
import { DnsServer } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneState } from './harness.js';

let server: DnsServer;
let port: number;
beforeAll(async () => {
  server = new DnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: recordingLogger(),
    rateLimit: { responsesPerSecond: 5, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
  });
  server.setZoneState(zoneState());
  await server.start();
  port = server.addresses().udp[0]!.port;
});
afterAll(async () => server.close());

const query = (id: number): Buffer => {
  const name = Buffer.from([3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0]);
  return Buffer.concat([
    Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    name,
    Buffer.from([0, 1, 0, 1]),
  ]);
};

/** Sends `n` queries at once from `localAddress` and collects replies for `ms`. */
function burst(localAddress: string, n: number, ms = 1000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    sock.bind(0, localAddress, () => {
      for (let i = 0; i < n; i++) sock.send(query(i), port, '127.0.0.1');
      setTimeout(() => {
        sock.close();
        resolve(replies);
      }, ms);
    });
  });
}

describe('response-rate limiting', () => {
  it('answers a network up to its rate, then drops or truncates (every 2nd), while another network is answered', async () => {
    const replies = await burst('127.0.0.1', 25, 1500);
    const full = replies.filter((r) => (r[2]! & 0x02) === 0);
    const tc = replies.filter((r) => (r[2]! & 0x02) !== 0);
    // 5 tokens, plus what refills (5/s) while a loaded machine reads the burst: at most a second's worth.
    expect(full.length).toBeGreaterThanOrEqual(5);
    expect(full.length).toBeLessThanOrEqual(10);
    expect(full.every((r) => r.readUInt16BE(6) === 1)).toBe(true);
    // Every 2nd limited reply slips out truncated; the rest are dropped.
    expect(tc.length).toBeGreaterThanOrEqual(Math.floor((25 - full.length) / 2));
    expect(tc.every((r) => r.readUInt16BE(6) === 0 && r.length === query(0).length)).toBe(true);
    expect(replies.length).toBeLessThan(25);
    const other = await burst('127.0.1.1', 3);
    expect(other.filter((r) => (r[2]! & 0x02) === 0)).toHaveLength(3);
    expect(server.abuseCounts().rateLimited.slipped).toBe(tc.length);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { TransientError } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { queryUdp } from './query-udp.js';
import { DnsServer } from './server.js';
import { fixtureZoneState } from './test-support/zones.js';

let server: DnsServer;
let port: number;
beforeAll(async () => {
  server = new DnsServer({
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 0 },
    ],
    logger: recordingLogger(),
  });
  server.setZoneState(fixtureZoneState(1, '192.0.2.77'));
  await server.start();
  port = server.addresses().udp[0]!.port;
});
afterAll(() => server.close());

describe('queryUdp', () => {
  it('returns the served values of the asked type in canonical form', async () => {
    const at = { host: '127.0.0.1', port };
    expect(await queryUdp(at, 'www.example.test.', 'A')).toEqual(['192.0.2.77']);
    expect(await queryUdp(at, 'WWW.example.test', 'AAAA')).toEqual(['2001:db8::1']);
    expect(await queryUdp(at, 'alias.example.test.', 'CNAME')).toEqual(['www.example.test.']);
    // A CNAME chased to an A: only the A values count.
    expect(await queryUdp(at, 'alias.example.test.', 'A')).toEqual(['192.0.2.77']);
    expect(await queryUdp(at, 'nothere.example.test.', 'A')).toEqual([]);
    expect(await queryUdp(at, 'empty.example.test.', 'A')).toEqual([]);
  });

  it('reaches a wildcard or bracketed listen address over loopback', async () => {
    const v6 = server.addresses().udp[1]!.port;
    expect(await queryUdp({ host: '[::1]', port: v6 }, 'www.example.test.', 'A')).toEqual(['192.0.2.77']);
    expect(await queryUdp({ host: '0.0.0.0', port }, 'www.example.test.', 'A')).toEqual(['192.0.2.77']);
  });

  it('fails with a TransientError on REFUSED and on silence', async () => {
    await expect(queryUdp({ host: '127.0.0.1', port }, 'www.example.com.', 'A')).rejects.toThrow(/REFUSED/);
    const silent = dgram.createSocket('udp4');
    silent.on('error', () => undefined);
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const err = await queryUdp(
        { host: '127.0.0.1', port: silent.address().port },
        'www.example.test.',
        'A',
        200,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).message).toMatch(/no reply .* within 200 ms/);
    } finally {
      silent.close();
    }
  });
});

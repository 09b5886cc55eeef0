/**
 * Issue 14 part 3: steering by client location on a live DnsServer, seen by real dig and kdig with
 * +subnet (EDNS Client Subnet, RFC 7871): two client subnets get two answers, and the reply's scope is
 * the prefix of the network the answer was chosen by (0 for answers that do not depend on the client).
 * Operator networks keep most results independent of the database's data; one query reads a
 * well-known range from the bundled database.
 */
import type { ZoneOverlay } from '@understudy/core';
import { DnsServer } from '@understudy/dns-server';
import type { ZoneBase } from '@understudy/dns-server';
import { dig, kdig } from '@understudy/testkit/dig';
import type { DigResult } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedIo } from '../../libs/dns-server/src/test-support/udp-addon.js';

const APEX = 'geo.test.';
const APP = `app.${APEX}/A`;

const base: ZoneBase = {
  zones: [
    {
      apex: APEX,
      rrsets: [
        {
          name: APEX,
          type: 'SOA',
          ttl: 3600,
          values: [`ns1.${APEX} hostmaster.${APEX} 0 3600 600 86400 60`],
        },
        { name: APEX, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`] },
        { name: `ns1.${APEX}`, type: 'A', ttl: 3600, values: ['192.0.2.53'] },
        { name: `www.${APEX}`, type: 'A', ttl: 300, values: ['192.0.2.1'] },
      ],
    },
  ],
  slots: [
    {
      id: APP,
      zone: APEX,
      name: `app.${APEX}`,
      type: 'A',
      ttl: 30,
      values: ['198.51.100.1'],
      steering: [
        { countries: ['DE'], continents: [] },
        { countries: [], continents: ['NA'] },
        { countries: [], continents: ['EU'] },
      ],
    },
  ],
};

const overlay: ZoneOverlay = {
  serial: 7,
  epoch: 1,
  generatedAt: 0,
  records: { [APP]: ['198.51.100.1'] },
  steered: { [APP]: [['203.0.113.49'], ['203.0.113.1'], ['203.0.113.44']] },
};

let server: DnsServer;
let port: number;

function geoServer(udpIo: 'dgram' | 'batched'): DnsServer {
  return new DnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: recordingLogger(),
    udpIo,
    geo: {
      ecs: true,
      database: 'bundled',
      networks: [
        { prefix: '10.1.0.0/16', country: 'DE' },
        { prefix: '10.2.0.0/16', country: 'US' },
        { prefix: '127.0.0.0/8', country: 'BR' },
        { prefix: '127.0.0.2/32', country: 'CA' },
      ],
    },
  });
}

beforeAll(async () => {
  server = geoServer('dgram');
  expect(server.setBase(base, overlay)).toEqual({ ok: true, serial: 7 });
  await server.start();
  port = server.addresses().udp[0]!.port;
});
afterAll(async () => server.close());

type Tool = typeof dig;
const ask = (tool: Tool, name: string, flags: string[]): Promise<DigResult> =>
  tool({ server: '127.0.0.1', port, name, flags: ['+norec', ...flags] });

/** The reply's ECS option as both tools print it: address/source/scope. */
const subnet = (r: DigResult): string | null => /CLIENT-SUBNET: (\S+)/.exec(r.raw)?.[1] ?? null;
const values = (r: DigResult): string[] => r.answer.map((a) => a.data);

describe.each([
  ['dig', dig],
  ['kdig', kdig],
] as const)('%s +subnet', (_name, tool) => {
  it('two client subnets get their own answers, with the matched network as the scope', async () => {
    for (const transport of [[], ['+tcp']]) {
      const de = await ask(tool, `app.${APEX}`, ['+subnet=10.1.7.0/24', ...transport]);
      expect(values(de)).toEqual(['203.0.113.49']);
      expect(subnet(de)).toBe('10.1.7.0/24/16');
      const us = await ask(tool, `app.${APEX}`, ['+subnet=10.2.9.0/24', ...transport]);
      expect(values(us)).toEqual(['203.0.113.1']);
      expect(subnet(us)).toBe('10.2.9.0/24/16');
    }
  });

  it('an answer that does not depend on the client echoes scope 0', async () => {
    const www = await ask(tool, `www.${APEX}`, ['+subnet=10.1.7.0/24']);
    expect(values(www)).toEqual(['192.0.2.1']);
    expect(subnet(www)).toBe('10.1.7.0/24/0');
  });
});

describe('location from the database and from the resolver', () => {
  it('a well-known range read from the bundled database: RIPE NCC (NL, Europe) and 8.8.8.0/24 (US)', async () => {
    const ripe = await ask(dig, `app.${APEX}`, ['+subnet=193.0.6.0/24']);
    expect(values(ripe)).toEqual(['203.0.113.44']);
    const [, , scope] = subnet(ripe)!.split('/');
    expect(Number(scope)).toBeGreaterThan(0);
    const google = await ask(kdig, `app.${APEX}`, ['+subnet=8.8.8.0/24']);
    expect(values(google)).toEqual(['203.0.113.1']);
  });

  it('without ECS the resolver address decides (127.0.0.1: BR, no rule: the default) and no option comes back', async () => {
    const r = await ask(dig, `app.${APEX}`, []);
    expect(values(r)).toEqual(['198.51.100.1']);
    expect(subnet(r)).toBeNull();
  });

  it('the batched UDP path reads the resolver address too (127.0.0.2: CA, the North America rule)', async () => {
    const batched = geoServer(expectedIo('batched'));
    try {
      expect(batched.setBase(base, overlay).ok).toBe(true);
      await batched.start();
      const p = batched.addresses().udp[0]!.port;
      const r = await dig({
        server: '127.0.0.1',
        port: p,
        name: `app.${APEX}`,
        flags: ['+norec', '-b', '127.0.0.2'],
      });
      expect(values(r)).toEqual(['203.0.113.1']);
    } finally {
      await batched.close();
    }
  });
});

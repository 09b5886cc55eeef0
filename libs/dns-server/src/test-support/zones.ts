/** A zone state exercising every answer shape: ENTs, CNAME chains, NODATA, wildcards, delegations. */
import type { RRset, ZoneState } from '@understudy/core';

export const APEX = 'example.test.';
const n = (label: string): string => (label === '@' ? APEX : `${label}.${APEX}`);
const soa = (apex: string, serial: number): RRset => ({
  name: apex,
  type: 'SOA',
  ttl: 3600,
  values: [`ns1.${apex} hostmaster.${apex} ${serial} 3600 600 86400 300`],
});

export function bigTxt(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `"record ${i} ${'x'.repeat(60)}"`);
}

export function fixtureZoneState(serial = 1, wwwAddress = '192.0.2.1'): ZoneState {
  return {
    serial,
    epoch: 1,
    generatedAt: 0,
    zones: [
      {
        apex: APEX,
        rrsets: [
          soa(APEX, serial),
          { name: APEX, type: 'NS', ttl: 3600, values: [n('ns1')] },
          { name: APEX, type: 'MX', ttl: 300, values: [`10 ${n('mail')}`] },
          { name: n('ns1'), type: 'A', ttl: 3600, values: ['192.0.2.53'] },
          { name: n('www'), type: 'A', ttl: 300, values: [wwwAddress] },
          { name: n('www'), type: 'AAAA', ttl: 300, values: ['2001:db8::1'] },
          { name: n('app'), type: 'A', ttl: 30, values: ['198.51.100.7'] },
          { name: n('a.b.c'), type: 'A', ttl: 300, values: ['192.0.2.2'] },
          { name: n('empty'), type: 'A', ttl: 300, values: [] },
          { name: n('alias'), type: 'CNAME', ttl: 300, values: [n('www')] },
          { name: n('chain1'), type: 'CNAME', ttl: 300, values: [n('chain2')] },
          { name: n('chain2'), type: 'CNAME', ttl: 300, values: [n('www')] },
          { name: n('out'), type: 'CNAME', ttl: 300, values: ['www.elsewhere.example.'] },
          { name: n('dangling'), type: 'CNAME', ttl: 300, values: [n('nothere')] },
          { name: n('loop1'), type: 'CNAME', ttl: 300, values: [n('loop2')] },
          { name: n('loop2'), type: 'CNAME', ttl: 300, values: [n('loop1')] },
          { name: n('cross'), type: 'CNAME', ttl: 300, values: ['www.other.test.'] },
          { name: n('big'), type: 'TXT', ttl: 300, values: bigTxt(12) },
          { name: n('txt'), type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
          { name: n('svc'), type: 'SRV', ttl: 300, values: [`10 5 443 ${n('www')}`] },
          { name: n('caa'), type: 'CAA', ttl: 300, values: ['0 issue "ca.example"'] },
        ],
      },
      {
        apex: 'other.test.',
        rrsets: [
          soa('other.test.', serial),
          { name: 'other.test.', type: 'NS', ttl: 3600, values: ['ns1.example.test.'] },
          { name: 'www.other.test.', type: 'A', ttl: 300, values: ['203.0.113.9'] },
        ],
      },
      {
        apex: 'sub.example.test.',
        rrsets: [
          soa('sub.example.test.', serial),
          { name: 'sub.example.test.', type: 'NS', ttl: 3600, values: ['ns1.example.test.'] },
          { name: 'host.sub.example.test.', type: 'A', ttl: 300, values: ['192.0.2.77'] },
        ],
      },
    ],
  };
}

/** A zone with a wildcard and a delegation: names outside the table need the slow path. */
export function complexZoneState(): ZoneState {
  const apex = 'complex.test.';
  return {
    serial: 7,
    epoch: 1,
    generatedAt: 0,
    zones: [
      {
        apex,
        rrsets: [
          soa(apex, 7),
          { name: apex, type: 'NS', ttl: 3600, values: [`ns1.${apex}`] },
          { name: `ns1.${apex}`, type: 'A', ttl: 3600, values: ['192.0.2.53'] },
          { name: `*.${apex}`, type: 'A', ttl: 60, values: ['192.0.2.99'] },
          { name: `*.${apex}`, type: 'TXT', ttl: 60, values: ['"wild"'] },
          { name: `deleg.${apex}`, type: 'NS', ttl: 3600, values: [`ns.deleg.${apex}`] },
          { name: `ns.deleg.${apex}`, type: 'A', ttl: 3600, values: ['192.0.2.88'] },
          { name: `real.${apex}`, type: 'A', ttl: 300, values: ['192.0.2.5'] },
        ],
      },
    ],
  };
}

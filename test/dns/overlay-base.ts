/** A zone base with a failover record and names that read it, for the overlay tests over real sockets. */
import type { ZoneOverlay } from '@understudy/core';
import type { ZoneBase } from '@understudy/dns-server';

export const APEX = 'example.test.';
/** A zone with a delegation: "not in the table" is not NXDOMAIN there, so its negatives take the slow path. */
export const CUT_APEX = 'cut.test.';
export const APP = `app.${APEX}/A`;

const soa = (apex: string) => ({
  name: apex,
  type: 'SOA' as const,
  ttl: 3600,
  values: [`ns1.${APEX} hostmaster.${APEX} 0 3600 600 86400 120`],
});

export function overlayBase(): ZoneBase {
  return {
    zones: [
      {
        apex: APEX,
        rrsets: [
          soa(APEX),
          { name: APEX, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`] },
          { name: `ns1.${APEX}`, type: 'A', ttl: 3600, values: ['192.0.2.53'] },
          { name: `www.${APEX}`, type: 'A', ttl: 300, values: ['192.0.2.1'] },
          { name: `alias.${APEX}`, type: 'CNAME', ttl: 300, values: [`app.${APEX}`] },
        ],
      },
      {
        apex: CUT_APEX,
        rrsets: [
          soa(CUT_APEX),
          { name: CUT_APEX, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`] },
          { name: `deleg.${CUT_APEX}`, type: 'NS', ttl: 3600, values: [`ns1.${APEX}`] },
          { name: `www.${CUT_APEX}`, type: 'A', ttl: 300, values: ['192.0.2.2'] },
        ],
      },
    ],
    slots: [{ id: APP, zone: APEX, name: `app.${APEX}`, type: 'A', ttl: 30, values: ['198.51.100.1'] }],
  };
}

export function overlay(serial: number, records: Record<string, string[]> = {}): ZoneOverlay {
  return { serial, epoch: 1, generatedAt: 0, records };
}

export function delta(base: number, serial: number, records: Record<string, string[]> = {}) {
  return { kind: 'delta' as const, delta: { base, serial, epoch: 1, generatedAt: 0, records } };
}

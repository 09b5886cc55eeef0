/** Starts a DnsServer in-process on random loopback ports (IPv4 and IPv6) and wraps dig/kdig for it. */
import type { RRset, ZoneState } from '@understudy/core';
import { DnsServer } from '@understudy/dns-server';
import type { DnsServerOptions } from '@understudy/dns-server';
import { dig, kdig } from '@understudy/testkit/dig';
import type { DigResult } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import type { RecordingLogger } from '@understudy/testkit/logger';

export const APEX = 'example.test.';

const n = (label: string): string => (label === '@' ? APEX : `${label}.${APEX}`);

export function zoneState(serial = 1, appAddress = '198.51.100.1'): ZoneState {
  const rrsets: RRset[] = [
    {
      name: APEX,
      type: 'SOA',
      ttl: 3600,
      values: [`ns1.${APEX} hostmaster.${APEX} ${serial} 3600 600 86400 120`],
    },
    { name: APEX, type: 'NS', ttl: 3600, values: [n('ns1')] },
    { name: n('ns1'), type: 'A', ttl: 3600, values: ['192.0.2.53'] },
    { name: n('www'), type: 'A', ttl: 300, values: ['192.0.2.1'] },
    { name: n('www'), type: 'AAAA', ttl: 300, values: ['2001:db8::1'] },
    { name: n('app'), type: 'A', ttl: 30, values: [appAddress] },
    { name: n('host.ent'), type: 'A', ttl: 300, values: ['192.0.2.3'] },
    { name: n('empty'), type: 'A', ttl: 30, values: [] },
    { name: n('alias'), type: 'CNAME', ttl: 300, values: [n('hop')] },
    { name: n('hop'), type: 'CNAME', ttl: 300, values: [n('www')] },
    { name: n('away'), type: 'CNAME', ttl: 300, values: ['www.elsewhere.example.'] },
    { name: n('dangling'), type: 'CNAME', ttl: 300, values: [n('missing')] },
    {
      name: n('big'),
      type: 'TXT',
      ttl: 300,
      values: Array.from({ length: 12 }, (_, i) => `"line ${i} ${'y'.repeat(60)}"`),
    },
    { name: n('mail'), type: 'MX', ttl: 300, values: [`10 ${n('www')}`] },
  ];
  return { serial, epoch: 1, generatedAt: 0, zones: [{ apex: APEX, rrsets }] };
}

export interface Harness {
  server: DnsServer;
  /** What the server logged. */
  logger: RecordingLogger;
  port: number;
  port6: number;
  /** dig against 127.0.0.1 (or ::1 with v6). */
  dig(name: string, type?: string, flags?: string[], v6?: boolean): Promise<DigResult>;
  kdig(name: string, type?: string, flags?: string[]): Promise<DigResult>;
  close(): Promise<void>;
}

export async function startHarness(
  zs: ZoneState = zoneState(),
  extra: Partial<DnsServerOptions> = {},
): Promise<Harness> {
  const logger = recordingLogger();
  const server = new DnsServer({
    ...extra,
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '::1', port: 0 },
    ],
    logger,
  });
  const res = server.setZoneState(zs);
  if (!res.ok) throw new Error(res.error);
  await server.start();
  const udp = server.addresses().udp;
  const port = udp.find((a) => a.family === 'IPv4')!.port;
  const port6 = udp.find((a) => a.family === 'IPv6')!.port;
  return {
    server,
    logger,
    port,
    port6,
    dig: (name, type = 'A', flags = [], v6 = false) =>
      dig({ server: v6 ? '::1' : '127.0.0.1', port: v6 ? port6 : port, name, type, flags }),
    kdig: (name, type = 'A', flags = []) => kdig({ server: '127.0.0.1', port, name, type, flags }),
    close: () => server.close(),
  };
}

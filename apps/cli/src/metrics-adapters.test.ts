import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@understudy/observability';
import { dnsQueryCounter } from './metrics-adapters.js';

describe('dnsQueryCounter', () => {
  it('adds the DNS server batches to understudy_dns_queries_total by rcode name and transport', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const { onQueries } = dnsQueryCounter(m);
    onQueries([
      { transport: 'udp', rcode: 0, n: 1440 },
      { transport: 'udp', rcode: 3, n: 160 },
    ]);
    onQueries([
      { transport: 'tcp', rcode: 5, n: 1 },
      { transport: 'udp', rcode: 0, n: 1 },
      { transport: 'udp', rcode: 16, n: 2 },
    ]);
    const text = await m.registry.metrics();
    const value = (labels: string) =>
      Number(new RegExp(`understudy_dns_queries_total\\{${labels}\\} (\\d+)`).exec(text)?.[1]);
    expect(value('rcode="NOERROR",transport="udp"')).toBe(1441);
    expect(value('rcode="NXDOMAIN",transport="udp"')).toBe(160);
    expect(value('rcode="REFUSED",transport="tcp"')).toBe(1);
    expect(value('rcode="BADVERS",transport="udp"')).toBe(2);
  });
});

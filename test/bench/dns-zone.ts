/** The benchmark zone: a dozen names, A/AAAA/MX/TXT and a failover-style A with TTL 30. */
import { parseRdata, type ZoneState } from '@understudy/core';

export const BENCH_APEX = 'bench.test.';

export function benchZoneState(serial = 1): ZoneState {
  const n = (label: string): string => (label === '@' ? BENCH_APEX : `${label}.${BENCH_APEX}`);
  return {
    serial,
    epoch: 1,
    generatedAt: 0,
    zones: [
      {
        apex: BENCH_APEX,
        rrsets: [
          {
            name: n('@'),
            type: 'SOA',
            ttl: 3600,
            values: [`ns1.${BENCH_APEX} hostmaster.${BENCH_APEX} ${serial} 3600 600 86400 60`],
          },
          { name: n('@'), type: 'NS', ttl: 3600, values: [`ns1.${BENCH_APEX}`, `ns2.${BENCH_APEX}`] },
          { name: n('@'), type: 'MX', ttl: 300, values: [`10 mail.${BENCH_APEX}`] },
          { name: n('@'), type: 'TXT', ttl: 300, values: ['"v=spf1 mx -all"'] },
          { name: n('ns1'), type: 'A', ttl: 3600, values: ['192.0.2.53'] },
          { name: n('ns2'), type: 'A', ttl: 3600, values: ['192.0.2.54'] },
          { name: n('www'), type: 'A', ttl: 300, values: ['192.0.2.10', '192.0.2.11'] },
          { name: n('www'), type: 'AAAA', ttl: 300, values: ['2001:db8::10'] },
          { name: n('app'), type: 'A', ttl: 30, values: ['198.51.100.7'] },
          { name: n('api'), type: 'A', ttl: 300, values: ['192.0.2.20'] },
          { name: n('api'), type: 'AAAA', ttl: 300, values: ['2001:db8::20'] },
          { name: n('mail'), type: 'A', ttl: 300, values: ['192.0.2.25'] },
          { name: n('mail'), type: 'AAAA', ttl: 300, values: ['2001:db8::25'] },
          { name: n('cdn'), type: 'A', ttl: 300, values: ['203.0.113.5'] },
          { name: n('static'), type: 'A', ttl: 300, values: ['203.0.113.6'] },
          { name: n('vpn'), type: 'A', ttl: 300, values: ['192.0.2.30'] },
          { name: n('git'), type: 'A', ttl: 300, values: ['192.0.2.31'] },
          { name: n('docs'), type: 'TXT', ttl: 300, values: ['"docs site" "second string"'] },
        ],
      },
    ],
  };
}

/** dnsperf input: mostly hits, like a real resolver population (names and types that exist). */
export const BENCH_QUERIES = [
  'www A',
  'www AAAA',
  'app A',
  'api A',
  'api AAAA',
  'mail A',
  'mail AAAA',
  '@ MX',
  '@ TXT',
  'cdn A',
  'static A',
  'vpn A',
  'git A',
  'docs TXT',
  'ns1 A',
  'ns2 A',
].map((q) => {
  const [label, type] = q.split(' ') as [string, string];
  return `${label === '@' ? BENCH_APEX : `${label}.${BENCH_APEX}`} ${type}`;
});

/**
 * The same zone as an Understudy config, so the benchmark runs the real `understudy dns` command.
 * The failover-style `app` record is a failover record; `understudy dns` serves its primary.
 */
export function benchConfigYaml(port: number, workers: number, udpIo?: string): string {
  const zone = benchZoneState().zones[0]!;
  const records: string[] = [];
  for (const rr of zone.rrsets) {
    if (rr.name === BENCH_APEX && (rr.type === 'SOA' || rr.type === 'NS')) continue;
    if (rr.name === `app.${BENCH_APEX}`) continue;
    const values =
      rr.type === 'TXT'
        ? rr.values.map((v) => {
            const parsed = parseRdata('TXT', v);
            return parsed.ok && parsed.rdata.type === 'TXT' ? parsed.rdata.strings : [];
          })
        : rr.values;
    records.push(
      `      - { name: "${rr.name}", type: ${rr.type}, ttl: ${rr.ttl}, values: ${JSON.stringify(values)} }`,
    );
  }
  return `regions: [bench]
listen: { dns: ["127.0.0.1:${port}"], http: null }
dns: { workers: ${workers}${udpIo ? `, udpIo: ${udpIo}` : ''} }
logging: { level: warn }
checks:
  app: { type: tcp, host: 127.0.0.1, port: 9 }
zones:
  - apex: ${BENCH_APEX}
    ttl: 3600
    ns: [ns1.${BENCH_APEX}, ns2.${BENCH_APEX}]
    soa: { mname: ns1.${BENCH_APEX}, rname: hostmaster.${BENCH_APEX}, refresh: 3600, retry: 600, expire: 86400, minimum: 60, ttl: 3600 }
    records:
${records.join('\n')}
    failover:
      - name: app
        type: A
        ttl: 30
        answers:
          - { name: primary, values: [198.51.100.7], check: app }
`;
}

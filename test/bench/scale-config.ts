/**
 * The generated configs of bench:scale (and bench:validate): `size` records in one zone, 10 % of them
 * failover records whose primaries share CHECKS TCP checks.
 */
import { join } from 'node:path';

export const CHECKS = 10;
export const APEX = 'scale.test.';

export const ip = (base: number, i: number) => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export interface Zone {
  statics: number;
  failovers: number;
}

export function zoneOf(size: number): Zone {
  const failovers = Math.round(size / 10);
  return { statics: size - failovers, failovers };
}

export function configYaml(
  z: Zone,
  dnsPort: number,
  httpPort: number,
  checkPorts: number[],
  dir: string,
): string {
  const lines: string[] = [
    'regions: [bench]',
    `listen: { dns: ["127.0.0.1:${dnsPort}"], http: "127.0.0.1:${httpPort}" }`,
    'dns: { workers: 2 }',
    `state: { file: ${join(dir, 'state.json')} }`,
    'logging: { level: warn }',
    'checks:',
    ...checkPorts.map(
      (port, k) =>
        `  c${k}: { type: tcp, host: 127.0.0.1, port: ${port}, interval: 1s, timeout: 500ms, fall: 1, rise: 1 }`,
    ),
    'zones:',
    `  - apex: ${APEX}`,
    `    ns: [ns1.${APEX}]`,
    '    records:',
    '      - { name: ns1, type: A, values: [127.0.0.1] }',
  ];
  for (let i = 0; i < z.statics; i++) lines.push(`      - { name: s${i}, type: A, values: [${ip(10, i)}] }`);
  lines.push(z.failovers ? '    failover:' : '    failover: []');
  for (let i = 0; i < z.failovers; i++)
    lines.push(
      `      - { name: f${i}, type: A, ttl: 30, failbackAfter: 2s, flapDamping: false, answers: [` +
        `{ name: primary, values: [${ip(172, i)}], check: c${i % CHECKS} }, ` +
        `{ name: secondary, values: [${ip(100, i)}] }] }`,
    );
  return `${lines.join('\n')}\n`;
}

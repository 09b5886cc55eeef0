/** A small config and overlays for the DNS role's tests. */
import { parseConfig, type LoadedConfig } from '@understudy/config';
import type { OverlayUpdate, ZoneOverlay } from '@understudy/core';

export const PRIMARY = '192.0.2.10';
export const SECONDARY = '198.51.100.10';

export function fixtureConfig(dnsPort = 0, apex = 'example.test'): LoadedConfig {
  return parseConfig(`regions: [r1]
listen: { dns: ["127.0.0.1:${dnsPort}"] }
dns: { workers: 1 }
checks:
  primary: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
zones:
  - apex: ${apex}
    ns: [ns1.${apex}]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [${PRIMARY}], check: primary }
          - { name: secondary, values: [${SECONDARY}] }
`);
}

/** The config's overlay at `serial`, with app on the named answer. */
export function zoneAt(loaded: LoadedConfig, serial: number, answer: 'primary' | 'secondary'): ZoneOverlay {
  const id = loaded.config.zones[0]!.failover[0]!.id;
  return {
    serial,
    epoch: 1,
    generatedAt: 1000,
    records: { [id]: answer === 'primary' ? [PRIMARY] : [SECONDARY] },
  };
}

/** The same as an overlay update for a store: the whole overlay at `serial`, app on the named answer. */
export function overlayAt(serial: number, answer: 'primary' | 'secondary'): OverlayUpdate {
  const values = answer === 'primary' ? [PRIMARY] : [SECONDARY];
  return {
    kind: 'full',
    overlay: { serial, epoch: 1, generatedAt: 1000, records: { 'app.example.test./A': values } },
  };
}

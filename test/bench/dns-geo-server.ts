/**
 * The server side of the steering benchmark (BENCH_MODE=geo npm run bench:dns): one DnsServer process
 * serving the bench zone with `app` as a failover record, steered by location (`steered`) or not
 * (`plain`), until SIGTERM. Run as a child so its CPU is measured alone.
 *
 *   tsx test/bench/dns-geo-server.ts <port> plain|steered
 */
import { silentLogger } from '@understudy/backends';
import type { ZoneOverlay } from '@understudy/core';
import { DnsServer } from '@understudy/dns-server';
import type { ZoneBase } from '@understudy/dns-server';
import { BENCH_APEX, benchZoneState } from './dns-zone.js';

const [portArg, mode] = process.argv.slice(2);
const APP = `app.${BENCH_APEX}/A`;
const zone = benchZoneState().zones[0]!;
const steered = mode === 'steered';
const base: ZoneBase = {
  zones: [{ apex: BENCH_APEX, rrsets: zone.rrsets.filter((r) => r.name !== `app.${BENCH_APEX}`) }],
  slots: [
    {
      id: APP,
      zone: BENCH_APEX,
      name: `app.${BENCH_APEX}`,
      type: 'A',
      ttl: 30,
      values: ['198.51.100.7'],
      ...(steered
        ? {
            steering: [
              { countries: ['DE'], continents: [] },
              { countries: [], continents: ['NA'] },
            ],
          }
        : {}),
    },
  ],
};
const overlay: ZoneOverlay = {
  serial: 1,
  epoch: 1,
  generatedAt: 0,
  records: { [APP]: ['198.51.100.7'] },
  ...(steered ? { steered: { [APP]: [['203.0.113.49'], ['203.0.113.1']] } } : {}),
};
const server = new DnsServer({
  listen: [{ host: '127.0.0.1', port: Number(portArg) }],
  logger: silentLogger,
  geo: {
    ecs: true,
    database: 'bundled',
    networks: [
      { prefix: '10.1.0.0/16', country: 'DE' },
      { prefix: '127.0.0.0/8', country: 'US' },
    ],
  },
});
const res = server.setBase(base, overlay);
if (!res.ok) throw new Error(res.error);
await server.start();
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));

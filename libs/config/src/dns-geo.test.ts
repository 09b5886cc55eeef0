import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';

const config = (geo: string | null): string => `regions: [r1]
checks:
  web: { type: tcp, host: 127.0.0.1, port: 9 }
zones:
  - apex: example.test
    ns: [ns1.example.test.]
    records:
      - { name: www, type: A, values: [192.0.2.1] }
${geo === null ? '' : `dns:\n  geo: ${geo}\n`}`;

const geoOf = (geo: string | null) =>
  parseConfig(config(geo), { baseDir: '/etc/understudy', env: {}, source: 't.yaml' }).config.dns.geo;

describe('dns.geo (issue 14 part 3)', () => {
  it('defaults to ECS on, the bundled database, no operator networks', () => {
    expect(geoOf(null)).toEqual({ ecs: true, database: 'bundled', networks: [] });
  });

  it('takes a path relative to the config file, null, and networks with upper-cased countries', () => {
    expect(
      geoOf('{ ecs: false, database: geo/country.mmdb, networks: [{ prefix: 10.1.0.0/16, country: de }] }'),
    ).toEqual({
      ecs: false,
      database: '/etc/understudy/geo/country.mmdb',
      networks: [{ prefix: '10.1.0.0/16', country: 'DE' }],
    });
    expect(geoOf('{ database: null }')?.database).toBeNull();
  });

  it('names a network that is not a CIDR prefix and a country code that is not assigned', () => {
    expect(() => geoOf('{ networks: [{ prefix: 10.1.0.0, country: DE }] }')).toThrow(
      /dns\.geo\.networks\[0\]\.prefix.*not a CIDR prefix/s,
    );
    expect(() => geoOf('{ networks: [{ prefix: 10.1.0.0/33, country: DE }] }')).toThrow(
      /dns\.geo\.networks\[0\]\.prefix.*0\.\.32/s,
    );
    expect(() => geoOf('{ networks: [{ prefix: 10.1.0.0/16, country: XX }] }')).toThrow(
      /dns\.geo\.networks\[0\]\.country.*ISO 3166-1/s,
    );
  });
});

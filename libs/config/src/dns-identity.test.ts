import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';

const config = (records: string, failover = ''): string => `regions: [r1]
checks:
  web: { type: tcp, host: 127.0.0.1, port: 9 }
zones:
  - apex: example.test
    ns: [ns1.example.test.]
    records:
${records}
${failover}`;

describe('dns.identity (issue 15)', () => {
  const withIdentity = (identity: string, env: Record<string, string> = {}) =>
    parseConfig(
      `${config('      - { name: www, type: A, values: [192.0.2.1] }')}dns:\n  identity: ${identity}\n`,
      {
        baseDir: '/tmp',
        env,
        source: 't.yaml',
      },
    ).config.dns.identity;

  it('is all off by default, and takes text per server from the environment', () => {
    expect(withIdentity('{}')).toEqual({ id: null, nsid: null, version: null });
    expect(withIdentity('{ id: "${HOST}", nsid: "${HOST}" }', { HOST: 'dns-b' })).toEqual({
      id: 'dns-b',
      nsid: 'dns-b',
      version: null,
    });
  });

  it('refuses a text longer than a TXT string holds (255 octets), naming the key', () => {
    expect(() => withIdentity(`{ version: "${'é'.repeat(200)}" }`)).toThrow(
      /dns\.identity\.version.*255 octets/s,
    );
    expect(() => withIdentity(`{ id: "${'x'.repeat(256)}" }`)).toThrow(/dns\.identity\.id/);
  });
});

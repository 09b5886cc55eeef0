import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './index.js';
import { problemsOf } from './test-support/problems-of.js';

describe('parseListenAddress', () => {
  it('reads IPv4, bracketed IPv6 (canonicalised) and localhost, with ports 0..65535', () => {
    expect(parseListenAddress('127.0.0.1:5300')).toEqual({ host: '127.0.0.1', port: 5300 });
    expect(parseListenAddress(' [0:0::1]:53 ')).toEqual({ host: '::1', port: 53 });
    expect(parseListenAddress('[2001:DB8::a]:0')).toEqual({ host: '2001:db8::a', port: 0 });
    expect(parseListenAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
  });

  it('throws an Error naming the problem', () => {
    expect(() => parseListenAddress('127.0.0.1')).toThrow(
      '"127.0.0.1" is not host:port with a port in 0..65535 (IPv6 in brackets)',
    );
    expect(() => parseListenAddress('127.0.0.1:65536')).toThrow(/port in 0\.\.65535/);
    expect(() => parseListenAddress('::1:53')).toThrow(/IPv6 in brackets/);
    expect(() => parseListenAddress('[::g]:53')).toThrow('"::g" is not an IPv6 address');
    expect(() => parseListenAddress('example.test:53')).toThrow(
      '"example.test" must be an IP address (or localhost)',
    );
    expect(() => parseListenAddress('')).toThrow(Error);
  });

  it('is what the config uses for listen addresses', () => {
    const problems = problemsOf('regions: [a]\nlisten: { dns: ["[::g]:53"], http: "example.test:80" }\n');
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['listen.dns[0]', '"::g" is not an IPv6 address'],
      ['listen.http', '"example.test" must be an IP address (or localhost)'],
    ]);
  });
});

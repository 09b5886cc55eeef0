import { describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_SERVERS } from '@understudy/core';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

describe('httpServers', () => {
  it('has defaults that fit a 1,024-descriptor process', () => {
    const c = parseConfig('regions: [a]\n').config.httpServers;
    expect(c).toEqual(DEFAULT_HTTP_SERVERS);
    expect(2 * c.maxConnections).toBeLessThan(1024 / 2);
  });

  it('reads names, proxies (canonical), caps and durations', () => {
    const c = parseConfig(
      [
        'regions: [a]',
        'httpServers:',
        '  allowedHosts: [Dash.Example.TEST., "*.internal.test", "*"]',
        '  trustedProxies: [10.0.0.5, "2001:DB8:0:0::1"]',
        '  maxConnections: 500',
        '  maxStreams: 20',
        '  headersTimeout: 5s',
        '  keepAliveTimeout: 2s',
        '',
      ].join('\n'),
    ).config.httpServers;
    expect(c).toMatchObject({
      allowedHosts: ['dash.example.test', '*.internal.test', '*'],
      trustedProxies: ['10.0.0.5', '2001:db8::1'],
      maxConnections: 500,
      maxStreams: 20,
      headersTimeout: 5000,
      requestTimeout: 30_000,
      keepAliveTimeout: 2000,
    });
  });

  it('reports bad names, proxies and inconsistent limits at their paths', () => {
    const problems = problemsOf(
      [
        'regions: [a]',
        'httpServers:',
        '  allowedHosts: ["bad name!"]',
        '  trustedProxies: [proxy.example.test]',
        '  maxConnections: 10',
        '  maxStreams: 10',
        '  headersTimeout: 40s',
        '',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['httpServers.allowedHosts[0]']).toContain('not a host name');
    expect(byPath['httpServers.trustedProxies[0]']).toContain('not an IP address');
    expect(byPath['httpServers.maxStreams']).toContain('below httpServers.maxConnections');
    expect(byPath['httpServers.requestTimeout']).toContain('at least httpServers.headersTimeout');
  });
});

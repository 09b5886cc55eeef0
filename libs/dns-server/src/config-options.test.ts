import { describe, expect, it } from 'vitest';
import { dnsServerOptions } from './config-options.js';

describe('dnsServerOptions', () => {
  it('maps every dns knob onto the server option that enforces it', () => {
    const limits = {
      tcpFrameTimeout: 1500,
      tcpMaxConnections: 1024,
      tcpMaxConnectionsPerClient: 8,
      rateLimit: { responsesPerSecond: 200, slip: 3, ipv4PrefixLength: 22, ipv6PrefixLength: 48 },
    };
    expect(dnsServerOptions({ workers: 1, udpPayloadSize: 1400, tcpIdleTimeout: 30_000, limits })).toEqual({
      udpPayloadSize: 1400,
      tcpIdleTimeoutMs: 30_000,
      tcpFrameTimeoutMs: 1500,
      tcpMaxConnections: 1024,
      tcpMaxConnectionsPerClient: 8,
      rateLimit: { responsesPerSecond: 200, slip: 3, ipv4PrefixLength: 22, ipv6PrefixLength: 48 },
    });
  });

  it('passes dns.geo on (issue 14 part 3), copied', () => {
    const geo = { ecs: false, database: null, networks: [{ prefix: '10.0.0.0/8', country: 'DE' }] };
    const limits = {
      tcpFrameTimeout: 1500,
      tcpMaxConnections: 1024,
      tcpMaxConnectionsPerClient: 8,
      rateLimit: { responsesPerSecond: 0, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
    };
    const o = dnsServerOptions({ workers: 1, udpPayloadSize: 1232, tcpIdleTimeout: 10_000, limits, geo });
    expect(o.geo).toEqual(geo);
    expect(o.geo!.networks).not.toBe(geo.networks);
  });
});

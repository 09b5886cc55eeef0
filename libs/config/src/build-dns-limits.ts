/** dns.limits: the DNS server's hostile-traffic limits (issue #10 §2), defaults filled. */
import type { DnsLimitsConfig } from '@understudy/core';
import type { Problems } from './problems.js';
import { duration, int, isObj } from './read.js';
import type { Obj } from './read.js';

export function buildDnsLimits(raw: unknown, problems: Problems): DnsLimitsConfig {
  const o: Obj = isObj(raw) ? raw : {};
  const rl: Obj = isObj(o.rateLimit) ? o.rateLimit : {};
  return {
    tcpFrameTimeout: duration(o.tcpFrameTimeout, ['dns', 'limits', 'tcpFrameTimeout'], 3000, problems, {
      min: 100,
    }),
    tcpMaxConnections: int(o.tcpMaxConnections, 1, 65535) ?? 256,
    tcpMaxConnectionsPerClient: int(o.tcpMaxConnectionsPerClient, 1, 65535) ?? 16,
    rateLimit: {
      responsesPerSecond: int(rl.responsesPerSecond, 0, 1_000_000) ?? 0,
      slip: int(rl.slip, 0, 10) ?? 2,
      ipv4PrefixLength: int(rl.ipv4PrefixLength, 8, 32) ?? 24,
      ipv6PrefixLength: int(rl.ipv6PrefixLength, 16, 128) ?? 56,
    },
  };
}

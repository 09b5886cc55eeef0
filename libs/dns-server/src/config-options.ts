/**
 * The server options a `dns:` config section sets. apps/dns spreads this into its DnsServerOptions,
 * so a knob added here reaches the server without the app knowing it.
 */
import type { DnsServerConfig } from '@understudy/core';
import type { DnsServerOptions } from './server.js';

export type ConfiguredDnsOptions = Pick<
  DnsServerOptions,
  | 'udpPayloadSize'
  | 'tcpIdleTimeoutMs'
  | 'tcpFrameTimeoutMs'
  | 'tcpMaxConnections'
  | 'tcpMaxConnectionsPerClient'
  | 'rateLimit'
  | 'identity'
>;

export function dnsServerOptions(dns: DnsServerConfig): ConfiguredDnsOptions {
  const l = dns.limits;
  return {
    udpPayloadSize: dns.udpPayloadSize,
    tcpIdleTimeoutMs: dns.tcpIdleTimeout,
    tcpFrameTimeoutMs: l.tcpFrameTimeout,
    tcpMaxConnections: l.tcpMaxConnections,
    tcpMaxConnectionsPerClient: l.tcpMaxConnectionsPerClient,
    rateLimit: { ...l.rateLimit },
    ...(dns.identity ? { identity: { ...dns.identity } } : {}),
  };
}

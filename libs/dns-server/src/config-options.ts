/**
 * The server options a `dns:` config section sets. apps/dns spreads this into its DnsServerOptions,
 * so a knob added here reaches the server without the app knowing it.
 */
import type { DnsServerConfig } from '@understudy/core';
import type { DnsServerOptions } from './server.js';
import type { TransferSettings } from './transfer-server.js';

export type ConfiguredDnsOptions = Pick<
  DnsServerOptions,
  | 'udpPayloadSize'
  | 'tcpIdleTimeoutMs'
  | 'tcpFrameTimeoutMs'
  | 'tcpMaxConnections'
  | 'tcpMaxConnectionsPerClient'
  | 'rateLimit'
  | 'identity'
  | 'transfer'
  | 'udpIo'
  | 'geo'
>;

/** dns.transfer → the server's transfer settings (absent when nothing may transfer), secrets decoded. */
export function transferSettings(t: DnsServerConfig['transfer']): TransferSettings | undefined {
  if (!t || t.allow.length === 0) return undefined;
  return {
    allow: t.allow.map((a) => ({ ...a })),
    keys: t.keys.map((k) => ({ name: k.name, secret: Buffer.from(k.secret, 'base64') })),
    journalSize: t.journalSize,
  };
}

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
    ...(transferSettings(dns.transfer) ? { transfer: transferSettings(dns.transfer)! } : {}),
    ...(dns.udpIo ? { udpIo: dns.udpIo } : {}), // issue 11: batched UDP I/O
    ...(dns.geo ? { geo: { ...dns.geo, networks: dns.geo.networks.map((n) => ({ ...n })) } } : {}), // issue 14 part 3
  };
}

/**
 * Reload for the DNS role (issue 13): which parts of a new config a running DNS server can take, and which
 * need a restart. Zones, records, SOA/NS, TTLs and the NOTIFY targets are taken live (the base is rebuilt
 * and swapped); what binds sockets or is fixed in each worker at start (listen addresses, worker count,
 * socket limits, identity, transfer ACL and keys) is not.
 */
import { sameJson, type UnderstudyConfig } from '@understudy/core';

/** What a reload hands a role: LoadedConfig from @understudy/config fits. */
export interface ConfigUpdate {
  config: UnderstudyConfig;
  hash: string;
}

/** Config paths that changed but only take effect at the next restart. */
export function dnsRestartNeeded(before: UnderstudyConfig, after: UnderstudyConfig): string[] {
  const out: string[] = [];
  if (!sameJson(before.listen.dns, after.listen.dns)) out.push('listen.dns');
  const a = before.dns;
  const b = after.dns;
  // dns.geo (issue 14 part 3): each DNS process reads it once, with the first steered record.
  for (const k of ['workers', 'udpPayloadSize', 'tcpIdleTimeout', 'limits', 'identity', 'geo'] as const)
    if (!sameJson(a[k], b[k])) out.push(`dns.${k}`);
  const fixed = (t: typeof a.transfer) => t && { allow: t.allow, keys: t.keys, journalSize: t.journalSize };
  if (!sameJson(fixed(a.transfer), fixed(b.transfer))) out.push('dns.transfer (allow, keys, journalSize)');
  return out;
}

/** NOTIFY senders and secondary watches depend on the zones and the notify settings. */
export function notifyChanged(before: UnderstudyConfig, after: UnderstudyConfig): boolean {
  const apexes = (c: UnderstudyConfig) => c.zones.map((z) => z.apex);
  return !sameJson(before.dns.transfer, after.dns.transfer) || !sameJson(apexes(before), apexes(after));
}

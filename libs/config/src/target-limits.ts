/**
 * Issue 17: what a provider target can hold, checked at load so a sync never sends what the vendor
 * refuses. Kept in its own file (the lead merges several branches into build-integrations.ts).
 */
import type { CloudflareTargetConfig, Route53TargetConfig, ZoneConfig } from '@understudy/core';
import type { Problems } from './problems.js';

/** DNS limits (RFC 1035 §2.3.4): 63 octets a label, 255 octets a name on the wire (253 in text). */
export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_TEXT_OCTETS = 253;

const octets = (s: string): number => new TextEncoder().encode(s).length;

/**
 * The Route 53 ownership marker's name for a record (same formula as libs/provider-route53 marker.ts,
 * which config cannot import): `_understudy-<type>.` before the name, `-wildcard` for `*.` names.
 */
export function route53MarkerName(name: string, type: string): string {
  const t = type.toLowerCase();
  return name.startsWith('*.') ? `_understudy-${t}-wildcard.${name.slice(2)}` : `_understudy-${t}.${name}`;
}

/** Why a name cannot exist in DNS (too long a label or name), or null. */
export function nameLengthProblem(name: string): string | null {
  const text = name.replace(/\.$/, '');
  const long = text.split('.').find((l) => octets(l) > MAX_LABEL_OCTETS);
  if (long !== undefined) return `label "${long}" is ${octets(long)} octets, over ${MAX_LABEL_OCTETS}`;
  if (octets(text) > MAX_NAME_TEXT_OCTETS)
    return `${octets(text)} octets, over ${MAX_NAME_TEXT_OCTETS} (255 on the wire)`;
  return null;
}

/** Every failover record a Route 53 target syncs must leave room for its marker's name. */
export function checkRoute53MarkerNames(
  t: Route53TargetConfig,
  i: number,
  zones: readonly ZoneConfig[],
  problems: Problems,
): void {
  const synced = new Set(t.zones.map((z) => z.apex));
  for (const zone of zones) {
    if (!synced.has(zone.apex)) continue;
    for (const rec of zone.failover) {
      const marker = route53MarkerName(rec.name, rec.type);
      const problem = nameLengthProblem(marker);
      if (problem === null) continue;
      problems.error(
        ['targets', i, 'zones'],
        `record ${rec.id}: target "${t.name}" (route53) writes an ownership marker ${marker} next to it, and that name would be ${problem}; shorten the record's name`,
      );
    }
  }
}

/**
 * Cloudflare refuses any other type at a name with NS records below the apex (a delegation, error
 * 81056). A failover record at a name the zone's own records delegate can never be synced there.
 */
export function checkCloudflareDelegations(
  t: CloudflareTargetConfig,
  i: number,
  zones: readonly ZoneConfig[],
  problems: Problems,
): void {
  const synced = new Set(t.zones.map((z) => z.apex));
  for (const zone of zones) {
    if (!synced.has(zone.apex)) continue;
    const delegated = new Set(
      zone.records.filter((r) => r.type === 'NS' && r.name !== zone.apex).map((r) => r.name),
    );
    for (const rec of zone.failover) {
      if (!delegated.has(rec.name)) continue;
      problems.error(
        ['targets', i, 'zones'],
        `record ${rec.id}: ${rec.name} also has NS records in zone ${zone.apex}, and target "${t.name}" (cloudflare) refuses any other type at a delegated name; move the failover record or the delegation`,
      );
    }
  }
}

// --- issue 14: health per address (i14addr) ---
/**
 * The healthy set of a per-address tier is published as one RRset, which every provider holds; what
 * Cloudflare cannot hold is a degraded TTL below its minimum, or any TTL but 300 s on proxied records.
 */
export function warnCloudflareDegradedTtls(
  t: CloudflareTargetConfig,
  i: number,
  zones: readonly ZoneConfig[],
  problems: Problems,
): void {
  const synced = new Set(t.zones.map((z) => z.apex));
  for (const zone of zones) {
    if (!synced.has(zone.apex)) continue;
    for (const rec of zone.failover) {
      const d = rec.degradedTtl ?? null;
      if (d === null || (!t.proxied && d >= t.minTtl)) continue;
      problems.warn(
        ['targets', i, t.proxied ? 'proxied' : 'minTtl'],
        t.proxied
          ? `record ${rec.id} has degradedTtl ${d}s, but proxied Cloudflare records always have 300s: target "${t.name}" does not shorten it`
          : `record ${rec.id} has degradedTtl ${d}s, below Cloudflare's minimum of ${t.minTtl}s: target "${t.name}" serves ${t.minTtl}s while degraded`,
      );
    }
  }
}
// --- end issue 14 ---

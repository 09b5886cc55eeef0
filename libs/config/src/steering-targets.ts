/**
 * Issue 14 part 3: Route 53 and Cloudflare get plain records, so a steered record reaches them as its
 * default decision (what clients no rule matches get); only the built-in DNS server answers by client
 * location. One warning for the whole config, with a count, rather than one per record.
 */
import type { TargetConfig, ZoneConfig } from '@understudy/core';
import type { Problems } from './problems.js';

export function warnSteeredOnProviders(
  targets: readonly TargetConfig[],
  zones: readonly ZoneConfig[],
  problems: Problems,
): void {
  const synced = new Map<string, string[]>();
  for (const t of targets)
    for (const z of t.zones) synced.set(z.apex, [...(synced.get(z.apex) ?? []), t.name]);
  const steered = zones.flatMap((z) =>
    synced.has(z.apex) ? z.failover.filter((r) => r.steering?.rules.length) : [],
  );
  if (!steered.length) return;
  const names = [...new Set(steered.flatMap((r) => synced.get(r.zone)!))];
  problems.warn(
    ['targets'],
    `${steered.length} steered record(s) (e.g. ${steered[0]!.id}) are synced to provider target(s) ${names.map((n) => `"${n}"`).join(', ')}, which get each record's default answer: steering by client location is served only by the built-in DNS server`,
  );
}

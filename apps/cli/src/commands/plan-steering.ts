/**
 * Issue 14 part 3: a provider target holds plain records, so a steered failover record reaches it as its
 * default decision (what clients no steering rule matches get). `plan` says so per record and target;
 * `validate` warns once for the whole config (libs/config steering-targets.ts).
 */
import type { UnderstudyConfig } from '@understudy/core';

/** Per target name: one note per steered record in the zones it syncs. */
export function steeringNotes(config: UnderstudyConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of config.targets) {
    const synced = new Set(t.zones.map((z) => z.apex));
    const notes = config.zones
      .filter((z) => synced.has(z.apex))
      .flatMap((z) => z.failover.filter((r) => r.steering?.rules.length))
      .map(
        (r) =>
          `${r.id} is steered by client location (${r.steering!.rules.length} rule(s)): only the built-in DNS server serves that; this target gets the record's default answer`,
      );
    if (notes.length) out.set(t.name, notes);
  }
  return out;
}

/** What a provider target should hold: the failover records of one zone, with the values served now. */
import type { UnderstudyConfig } from '../config-types.js';
import type { ProviderRecord } from '../provider-types.js';
import type { ZoneState } from '../state-types.js';
import { recordKey, sortRecords } from './records.js';

/**
 * The failover records of `zoneApex` (only those: static records stay the operator's at the provider)
 * with the values `zoneState` serves. A record that serves no values now (whenAllDown: none) is left
 * out, because a provider cannot hold an empty RRset: the plan then deletes it, which plan safety
 * reports as removing the last answer. A zone unknown to the config yields no records.
 */
export function desiredRecords(
  config: UnderstudyConfig,
  zoneState: ZoneState,
  zoneApex: string,
): ProviderRecord[] {
  const apex = zoneApex.toLowerCase();
  const zone = config.zones.find((z) => z.apex === apex);
  if (!zone) return [];
  const served = new Map(
    (zoneState.zones.find((z) => z.apex === apex)?.rrsets ?? []).map((rr) => [recordKey(rr), rr]),
  );
  const out: ProviderRecord[] = [];
  for (const rec of zone.failover) {
    // Before the first zone state that carries the record, PRIMARY is what every server would serve.
    const values = served.get(recordKey(rec))?.values ?? rec.answers[0]?.values ?? [];
    if (values.length > 0) out.push({ name: rec.name, type: rec.type, ttl: rec.ttl, values: [...values] });
  }
  return sortRecords(out);
}

/** Keys (`name/type`) of every failover record configured in `zoneApex`: plan safety's protected names. */
export function failoverKeys(config: UnderstudyConfig, zoneApex: string): string[] {
  const apex = zoneApex.toLowerCase();
  return (config.zones.find((z) => z.apex === apex)?.failover ?? []).map((r) => recordKey(r)).sort();
}

/**
 * For each failover record of `zoneApex` (by key), the value sets of its configured answers: an update
 * to one of them is the decider switching answers, which plan safety does not count as a mass change.
 */
export function failoverAnswerValues(config: UnderstudyConfig, zoneApex: string): Map<string, string[][]> {
  const apex = zoneApex.toLowerCase();
  const out = new Map<string, string[][]>();
  for (const rec of config.zones.find((z) => z.apex === apex)?.failover ?? [])
    out.set(
      recordKey(rec),
      rec.answers.map((a) => [...a.values]),
    );
  return out;
}

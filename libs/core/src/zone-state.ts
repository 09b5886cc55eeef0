/** Builds the full ZoneState (SOA, apex NS, static records, failover answers) from config and record states. */
import type { RRset, UnderstudyConfig, ZoneConfig } from './config-types.js';
import type { RecordState, ZoneData, ZoneState } from './state-types.js';

export function soaValue(zone: ZoneConfig, serial: number): string {
  const s = zone.soa;
  return `${s.mname} ${s.rname} ${serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
}

export function buildZoneData(
  zone: ZoneConfig,
  valuesOf: (recordId: string) => readonly string[] | undefined,
  serial: number,
  /** Issue 14: a record's TTL when it differs from its configured one (adaptive TTL). */
  ttlOf: (recordId: string) => number | undefined = () => undefined,
): ZoneData {
  const rrsets: RRset[] = [
    { name: zone.apex, type: 'SOA', ttl: zone.soa.ttl, values: [soaValue(zone, serial)] },
    { name: zone.apex, type: 'NS', ttl: zone.defaultTtl, values: [...zone.ns] },
    ...zone.records,
  ];
  for (const rec of zone.failover) {
    rrsets.push({
      name: rec.name,
      type: rec.type,
      ttl: ttlOf(rec.id) ?? rec.ttl,
      values: [...(valuesOf(rec.id) ?? rec.answers[0]!.values)],
    });
  }
  return { apex: zone.apex, rrsets };
}

export function buildZoneState(
  config: UnderstudyConfig,
  records: Record<string, RecordState>,
  serial: number,
  epoch: number,
  now: number,
): ZoneState {
  return {
    serial,
    epoch,
    generatedAt: now,
    zones: config.zones.map((z) => buildZoneData(z, (id) => records[id]?.values, serial)),
  };
}

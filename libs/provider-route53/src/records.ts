/** Route 53 RRsets ↔ ProviderRecords, and normalize(): what Route 53 can hold, in canonical form. */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { NormalizeResult, ProviderRecord, RecordType } from '@understudy/core';
import { canonicalRdata, canonicalRecord } from '@understudy/core';

export const MAX_TTL = 2_147_483_647;
/** ResourceRecord.Value in the SDK's Route 53 model: at most 4,000 characters. */
export const MAX_VALUE_LENGTH = 4000;

const TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA', 'SOA']);

/** Route 53 returns names with special characters as 3-digit octal escapes (`\052` for `*`). */
export function decodeName(name: string): string {
  const plain = name.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  const lower = plain.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** A listed RRset exactly as Route 53 holds it: what a DELETE must repeat. */
export interface WireRecord {
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** Routing-policy and alias sets: the set as listed (identifier, policy, alias target), sent back as is. */
  set?: ResourceRecordSet;
}

/** A routing-policy (SetIdentifier) or alias set: never ours, and a plain record cannot sit beside it. */
export const isSpecialSet = (rrs: ResourceRecordSet): boolean =>
  rrs.AliasTarget !== undefined || rrs.SetIdentifier !== undefined;

/** One line per routing-policy or alias set, for plans: what a takeover would replace. */
export function describeSet(rrs: ResourceRecordSet): string {
  const policy =
    rrs.Failover !== undefined
      ? `failover ${rrs.Failover}`
      : rrs.Weight !== undefined
        ? `weighted ${rrs.Weight}`
        : rrs.Region !== undefined
          ? `latency ${rrs.Region}`
          : rrs.GeoLocation !== undefined
            ? `geolocation ${Object.values(rrs.GeoLocation).join('/')}`
            : rrs.MultiValueAnswer !== undefined
              ? 'multivalue'
              : rrs.SetIdentifier !== undefined
                ? 'routing-policy'
                : '';
  const id = rrs.SetIdentifier === undefined ? '' : ` set "${rrs.SetIdentifier}"`;
  const data = rrs.AliasTarget
    ? `alias to ${rrs.AliasTarget.DNSName ?? '?'}`
    : (rrs.ResourceRecords ?? []).map((r) => r.Value ?? '').join(' ');
  const hc = rrs.HealthCheckId === undefined ? '' : ` health check ${rrs.HealthCheckId}`;
  return `<${policy}${id}${policy || id ? ': ' : ''}${data}${hc}>`;
}

/**
 * A listed RRset, or null for an unknown type. Alias and routing-policy sets are foreign by nature:
 * their record carries one description per set instead of values, so a plan shows what it replaces.
 */
export function fromWire(rrs: ResourceRecordSet): { wire: WireRecord; record: ProviderRecord } | null {
  if (!rrs.Name || !rrs.Type || !TYPES.has(rrs.Type)) return null;
  const name = decodeName(rrs.Name);
  const raw = (rrs.ResourceRecords ?? []).map((r) => r.Value ?? '');
  const special = isSpecialSet(rrs);
  const wire: WireRecord = {
    name,
    type: rrs.Type,
    ttl: rrs.TTL ?? 0,
    values: raw,
    ...(special ? { set: rrs } : {}),
  };
  const type = rrs.Type as RecordType;
  // A special set's "values" describe it (for the plan); they are never compared with desired data.
  const values = special ? [describeSet(rrs)] : raw.map((v) => canonicalValue(type, v));
  return { wire, record: canonicalRecord({ name, type, ttl: wire.ttl, values }) };
}

function canonicalValue(type: RecordType, v: string): string {
  const c = canonicalRdata(type, v);
  return c.ok ? c.value : v;
}

export function toWire(r: WireRecord): ResourceRecordSet {
  if (r.set) return r.set;
  return {
    Name: r.name,
    Type: r.type as ResourceRecordSet['Type'],
    TTL: r.ttl,
    ResourceRecords: r.values.map((Value) => ({ Value })),
  };
}

/**
 * Canonical names and values, TTLs within Route 53's range. Records Route 53 cannot hold (no values,
 * a value that does not parse) are dropped with a warning rather than sent to fail the whole batch.
 */
export function normalizeRecords(desired: readonly ProviderRecord[]): NormalizeResult {
  const warnings: string[] = [];
  const records: ProviderRecord[] = [];
  for (const r of desired) {
    const name = decodeName(r.name.trim());
    const where = `${name} ${r.type}`;
    if (r.values.length === 0) {
      warnings.push(`${where}: Route 53 cannot hold a record without values; left out`);
      continue;
    }
    const values: string[] = [];
    let bad: string | null = null;
    for (const v of r.values) {
      const c = canonicalRdata(r.type, v);
      if (c.ok) values.push(c.value);
      else bad = c.error;
    }
    const long = values.find((v) => v.length > MAX_VALUE_LENGTH);
    if (long !== undefined) bad = `a value is ${long.length} characters, over Route 53's ${MAX_VALUE_LENGTH}`;
    if (bad !== null) {
      warnings.push(`${where}: ${bad}; left out`);
      continue;
    }
    let ttl = Math.round(r.ttl);
    if (!(ttl >= 0)) {
      warnings.push(`${where}: TTL ${r.ttl} raised to 0`);
      ttl = 0;
    } else if (ttl > MAX_TTL) {
      warnings.push(`${where}: TTL ${r.ttl} lowered to Route 53's maximum ${MAX_TTL}`);
      ttl = MAX_TTL;
    } else if (ttl !== r.ttl) {
      warnings.push(`${where}: TTL ${r.ttl} rounded to ${ttl}`);
    }
    records.push(canonicalRecord({ name, type: r.type, ttl, values }));
  }
  return { records, warnings };
}

/** Identity, equality and ordering of provider records: the vocabulary every plan is written in. */
import type { ProviderRecord } from '../provider-types.js';

/** `name/type`: one RRset per key in a zone. Names are compared lower-case. */
export function recordKey(r: Pick<ProviderRecord, 'name' | 'type'>): string {
  return `${r.name.toLowerCase()}/${r.type}`;
}

/** Values sorted and de-duplicated, name lower-cased: the form plans compare and carry. */
export function canonicalRecord(r: ProviderRecord): ProviderRecord {
  return { name: r.name.toLowerCase(), type: r.type, ttl: r.ttl, values: [...new Set(r.values)].sort() };
}

/** Same name, type, TTL and value set (order and duplicates do not matter). */
export function sameRecord(a: ProviderRecord, b: ProviderRecord): boolean {
  if (recordKey(a) !== recordKey(b) || a.ttl !== b.ttl) return false;
  const av = canonicalRecord(a).values;
  const bv = canonicalRecord(b).values;
  return av.length === bv.length && av.every((v, i) => v === bv[i]);
}

export function compareRecords(
  a: Pick<ProviderRecord, 'name' | 'type'>,
  b: Pick<ProviderRecord, 'name' | 'type'>,
): number {
  const ka = recordKey(a);
  const kb = recordKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Canonical copies in key order (a deterministic order for plans, reports and comparisons). */
export function sortRecords(records: readonly ProviderRecord[]): ProviderRecord[] {
  return records.map(canonicalRecord).sort(compareRecords);
}

/** Index by key; a later record with the same key replaces an earlier one. */
export function indexRecords(records: readonly ProviderRecord[]): Map<string, ProviderRecord> {
  return new Map(records.map((r) => [recordKey(r), canonicalRecord(r)]));
}

/**
 * What Cloudflare can publish: TTL between the plan minimum (60 s, 30 s on Enterprise) and one day,
 * proxied records at a fixed 300 s, no SOA and no apex NS (Cloudflare serves its own).
 */
import {
  canonicalRdata,
  normalizeName,
  recordKey,
  type CloudflareTargetConfig,
  type NormalizeResult,
  type ProviderRecord,
  type RecordType,
} from '@understudy/core';
import { AUTO_TTL_SECONDS, MAX_TTL, PROXIABLE } from './record-map.js';

export type CloudflareTtlTarget = Pick<CloudflareTargetConfig, 'name' | 'minTtl' | 'proxied'>;

/** The TTL Cloudflare will actually serve for a record, and why it differs when it does. */
function effectiveTtl(
  type: RecordType | undefined,
  ttl: number,
  target: CloudflareTtlTarget,
): { ttl: number; reason: string | null } {
  if (target.proxied && (type === undefined || PROXIABLE.has(type)))
    return ttl === AUTO_TTL_SECONDS
      ? { ttl, reason: null }
      : {
          ttl: AUTO_TTL_SECONDS,
          reason: `proxied records are served with a fixed ${AUTO_TTL_SECONDS} s TTL`,
        };
  if (ttl < target.minTtl)
    return { ttl: target.minTtl, reason: `the provider minimum TTL is ${target.minTtl} s` };
  if (ttl > MAX_TTL) return { ttl: MAX_TTL, reason: `the provider maximum TTL is ${MAX_TTL} s` };
  return { ttl, reason: null };
}

/** Canonical, provider-ready records plus a warning for everything that had to change or be left out. */
export function normalizeForCloudflare(
  desired: readonly ProviderRecord[],
  target: CloudflareTtlTarget & Pick<CloudflareTargetConfig, 'zones'>,
): NormalizeResult {
  const warnings: string[] = [];
  const warn = (msg: string): void => {
    warnings.push(`cloudflare target "${target.name}": ${msg}`);
  };
  const apexes = new Set(target.zones.map((z) => z.apex.toLowerCase()));
  const records: ProviderRecord[] = [];
  for (const rec of desired) {
    const n = normalizeName(rec.name);
    if (!n.ok) {
      warn(`${rec.name}/${rec.type} left out: ${n.error}`);
      continue;
    }
    const key = recordKey({ name: n.name, type: rec.type });
    if (rec.type === 'SOA' || (rec.type === 'NS' && apexes.has(n.name))) {
      warn(`${key} left out: Cloudflare serves its own apex SOA and NS`);
      continue;
    }
    const values = new Set<string>();
    const errors: string[] = [];
    for (const v of rec.values) {
      const c = canonicalRdata(rec.type, v);
      if (c.ok) values.add(c.value);
      else errors.push(c.error);
    }
    // A record without values would plan as a create that no API call carries out, forever.
    if (values.size === 0) {
      warn(`${key} left out: ${[...errors, 'no valid values'].join('; ')}`);
      continue;
    }
    for (const e of errors) warn(`${key}: value left out: ${e}`);
    const e = effectiveTtl(rec.type, rec.ttl, target);
    if (e.reason !== null) warn(`${key}: TTL ${rec.ttl} s published as ${e.ttl} s (${e.reason})`);
    records.push({ name: n.name, type: rec.type, ttl: e.ttl, values: [...values].sort() });
  }
  return { records, warnings };
}

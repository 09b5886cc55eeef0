/** A fingerprint of the config that roles compare to notice they run with different configs. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { UnderstudyConfig } from '@understudy/core';

/** JSON with object keys sorted at every level, so key order and formatting never change the text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 over what every role must agree on. Host-local sections (listen, dns, state, logging) are left out,
 * checks are keyed by id rather than written order, and caFile is taken relative to the config directory
 * so a probe and a decider that mount the same file at different paths still match.
 */
export function configHash(config: UnderstudyConfig, baseDir: string): string {
  const checks = [...config.checks]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) =>
      'tls' in c && c.tls.caFile !== null
        ? { ...c, tls: { ...c.tls, caFile: path.relative(baseDir, c.tls.caFile) } }
        : c,
    );
  const shared = {
    regions: config.regions,
    quorum: config.quorum,
    checks,
    zones: config.zones,
    decider: config.decider,
    probe: config.probe,
  };
  return createHash('sha256').update(canonicalJson(shared)).digest('hex');
}

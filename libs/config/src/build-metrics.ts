/** `metrics`: how much of the config shows up as label values on /metrics (issue 11). */
import { PER_RECORD_METRICS_AUTO_LIMIT } from '@understudy/core';
import type { MetricsConfig, ZoneConfig } from '@understudy/core';
import type { Problems } from './problems.js';
import { obj } from './read.js';

/**
 * Per-record series cost about 130 bytes of exposition per record and scrape (1.36 MB at 10,000 failover
 * records), so `auto` keeps them only for configs small enough to read them one by one.
 */
export function buildMetrics(raw: unknown, zones: readonly ZoneConfig[], problems: Problems): MetricsConfig {
  const perRecord = obj(raw).perRecord;
  if (typeof perRecord === 'boolean') return { perRecord };
  const records = zones.reduce((n, z) => n + z.failover.length, 0);
  if (records <= PER_RECORD_METRICS_AUTO_LIMIT) return { perRecord: true };
  const limit = PER_RECORD_METRICS_AUTO_LIMIT.toLocaleString('en-US');
  problems.warn(
    ['metrics', 'perRecord'],
    `auto: with ${records.toLocaleString('en-US')} failover records (more than ${limit}) /metrics has no ` +
      'per-record series, only totals; set `metrics.perRecord: true` to have them',
  );
  return { perRecord: false };
}

/** Per (check, region) hysteresis: `fall` failures in a row to go down, `rise` successes to come up. */
import { isProbeError, type ProbeResult } from './results.js';
import type { RegionHealth } from './state-types.js';

export function newRegionHealth(): RegionHealth {
  return {
    state: 'unknown',
    consecutiveOk: 0,
    consecutiveFail: 0,
    lastObservedAt: 0,
    lastSeq: -1,
    lastProbeId: '',
    lastReceivedAt: 0,
    changedAt: null,
    last: null,
  };
}

/**
 * A result is new when it was observed later than the last one we applied, or at the same millisecond by
 * the same probe with a higher sequence. Duplicates and late deliveries never move state backwards.
 */
export function isNewer(h: RegionHealth, r: ProbeResult): boolean {
  if (r.observedAt > h.lastObservedAt) return true;
  return r.observedAt === h.lastObservedAt && r.probeId === h.lastProbeId && r.seq > h.lastSeq;
}

/** Applies one result in place. Returns whether it was accepted and whether the region's state changed. */
export function applyResult(
  h: RegionHealth,
  r: ProbeResult,
  thresholds: { fall: number; rise: number },
  receivedAt: number,
): { accepted: boolean; changed: boolean } {
  if (!isNewer(h, r)) return { accepted: false, changed: false };
  h.lastObservedAt = r.observedAt;
  h.lastSeq = r.seq;
  h.lastProbeId = r.probeId;
  // A probe-error is kept for the evidence (and ordering) only: it is neither a failure nor a success,
  // so counters and state stay as they were, and it does not refresh the region's vote either: a region
  // that only produces probe-errors goes stale, exactly like a silent one.
  if (!isProbeError(r)) h.lastReceivedAt = receivedAt;
  h.last = {
    ok: r.ok,
    timings: r.timings,
    observedAt: r.observedAt,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.message === undefined ? {} : { message: r.message }),
    ...(r.status === undefined ? {} : { status: r.status }),
    ...(r.certExpiresAt === undefined ? {} : { certExpiresAt: r.certExpiresAt }),
  };
  if (isProbeError(r)) return { accepted: true, changed: false };
  const before = h.state;
  if (r.ok) {
    h.consecutiveOk++;
    h.consecutiveFail = 0;
    if (h.state !== 'up' && h.consecutiveOk >= thresholds.rise) h.state = 'up';
  } else {
    h.consecutiveFail++;
    h.consecutiveOk = 0;
    if (h.state !== 'down' && h.consecutiveFail >= thresholds.fall) h.state = 'down';
  }
  const changed = h.state !== before;
  if (changed) h.changedAt = receivedAt;
  return { accepted: true, changed };
}

/**
 * A region back from staleness must earn its vote again: its old state is evidence from before it went
 * quiet (for example, before its network failed), so it restarts from unknown with zeroed counters.
 */
export function resetVotes(h: RegionHealth, at: number): void {
  if (h.state !== 'unknown') h.changedAt = at;
  h.state = 'unknown';
  h.consecutiveOk = 0;
  h.consecutiveFail = 0;
}

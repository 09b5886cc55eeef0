/**
 * Judging a probe's report about itself (issue #10). A probe out of descriptors or with a stalled event
 * loop fails checks for its own reasons; its region stops voting until it reports healthy again.
 */
import type { ProbeHealthConfig } from './config-types.js';
import type { ProbeHealth } from './results.js';

/** Why this health makes the region stop voting, or null when it may vote. */
export function probeHealthProblem(h: ProbeHealth, cfg: ProbeHealthConfig): string | null {
  if (h.eventLoopDelay > cfg.maxEventLoopDelay) {
    return `probe event loop stalled ${Math.round(h.eventLoopDelay)} ms (limit ${cfg.maxEventLoopDelay} ms)`;
  }
  if (h.openFds !== null && h.fdLimit !== null && h.fdLimit > 0) {
    // Keep a few spare even under a generous share: a small table fills up before the share is reached.
    const threshold = Math.min(h.fdLimit * cfg.maxFdShare, h.fdLimit - 4);
    if (h.openFds >= threshold) {
      return `probe uses ${h.openFds} of ${h.fdLimit} file descriptors (limit ${Math.round(cfg.maxFdShare * 100)}%)`;
    }
  }
  return null;
}

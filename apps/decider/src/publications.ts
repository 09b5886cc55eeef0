/**
 * Publications from several instances of one target (two DNS servers, say) folded into one per target.
 * A change is published to a target only once its slowest live instance serves it, so the target's serial
 * is the lowest among instances that reported recently, and its time the latest of theirs (when the last of
 * them started serving: each one's `since`, else its report's time, an upper bound). Instances re-report
 * periodically; one that stopped (crashed, scaled down) drops out after `maxAge` instead of holding every
 * later change unpublished forever.
 */
import type { Publication } from '@understudy/core';

export interface TargetPublication {
  target: string;
  serial: number;
  at: number;
  instances: number;
}

export function foldPublications(
  pubs: readonly Publication[],
  now: number,
  maxAge: number,
): TargetPublication[] {
  const byTarget = new Map<string, TargetPublication>();
  for (const p of pubs) {
    if (now - p.at > maxAge) continue;
    const since = Math.min(p.since ?? p.at, p.at);
    const t = byTarget.get(p.target);
    if (!t) {
      byTarget.set(p.target, { target: p.target, serial: p.serial, at: since, instances: 1 });
      continue;
    }
    t.serial = Math.min(t.serial, p.serial);
    t.at = Math.max(t.at, since);
    t.instances++;
  }
  return [...byTarget.values()];
}

/**
 * Which regions' probes said they are unhealthy (issue #10): a region whose probe is out of descriptors or
 * stalls its event loop stops voting, as if it were stale, and must earn its votes again once healthy.
 * Kept per probe, since a region may run several: one unhealthy probe taints the region's shared counters.
 * Held in memory only: every batch carries the health again, and health is judged before its results.
 */
import type { ProbeHealthConfig } from './config-types.js';
import type { Operation } from './operation.js';
import { probeHealthProblem } from './probe-health.js';
import type { ResultBatch } from './results.js';

interface Report {
  region: string;
  problem: string;
  at: number;
}

export class ProbeHealthTracker {
  /** probe id → its latest unhealthy report. Healthy probes are absent. */
  private readonly probes = new Map<string, Report>();
  /** region → why it does not vote; what VerdictContext.unhealthy reads. */
  readonly regions = new Map<string, string>();

  constructor(private readonly config: ProbeHealthConfig) {}

  /**
   * Judges a batch's health report. Returns the regions whose voting status changed: their checks must be
   * re-evaluated, and a region back to health must have its votes reset by the caller.
   */
  update(batch: ResultBatch, op: Operation): { region: string; healthy: boolean } | null {
    const problem = batch.health ? probeHealthProblem(batch.health, this.config) : null;
    if (problem === null) this.probes.delete(batch.probeId);
    else this.probes.set(batch.probeId, { region: batch.region, problem, at: op.now });
    return this.refresh(batch.region, op, batch.probeId);
  }

  /** Forgets reports older than `maxAge(region)`: a probe that went silent no longer blocks its region. */
  expire(now: number, maxAge: (region: string) => number, op: Operation): string[] {
    const touched = new Set<string>();
    for (const [id, r] of this.probes) {
      if (now - r.at <= maxAge(r.region)) continue;
      this.probes.delete(id);
      touched.add(r.region);
    }
    const healed: string[] = [];
    for (const region of touched) if (this.refresh(region, op, null)?.healthy) healed.push(region);
    return healed;
  }

  private refresh(
    region: string,
    op: Operation,
    probe: string | null,
  ): { region: string; healthy: boolean } | null {
    let problem: string | undefined;
    for (const r of this.probes.values()) if (r.region === region) problem ??= r.problem;
    const before = this.regions.get(region);
    if (problem === before) return null;
    if (problem === undefined) {
      this.regions.delete(region);
      op.emit({
        type: 'probe-healthy',
        severity: 'info',
        region,
        ...(probe === null ? {} : { probe }),
        message: `Region ${region}'s probe is healthy again; its votes count once earned anew`,
        evidence: {},
      });
      return { region, healthy: true };
    }
    this.regions.set(region, problem);
    // Only the transition into unhealthy is an event: a changing figure while unhealthy is not news.
    if (before !== undefined) return null;
    op.emit({
      type: 'probe-unhealthy',
      severity: 'warning',
      region,
      ...(probe === null ? {} : { probe }),
      message: `Region ${region} stops voting: ${problem}`,
      evidence: { problem },
    });
    return { region, healthy: false };
  }
}

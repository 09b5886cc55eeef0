/**
 * Drills started from the API: validated at once (so a bad request is a 404, not a failed drill), run
 * in the background, kept (the most recent `limit`) for GET /api/v1/drills/:id. One drill per record
 * at a time: two would fight over the same override.
 */
import { StateConflictError, type Logger } from '@understudy/core';
import { planDrill } from './plan.js';
import { newDrillId, runDrill } from './run-drill.js';
import type { DrillDeps, DrillReport, DrillRequest } from './types.js';

export interface DrillRegistryOptions {
  deps: DrillDeps;
  logger: Logger;
  /** Reports kept; the oldest finished ones go first. Default 50. */
  limit?: number;
  /** understudy_drills_total (UnderstudyMetrics fits). */
  metrics?: { drills: { inc(labels: { outcome: string }): void } };
  /** Every report change, e.g. to emit drill-started / drill-finished events. */
  onReport?: (report: DrillReport) => void;
}

export class DrillRegistry {
  private readonly reports = new Map<string, DrillReport>();
  private readonly running = new Map<string, Promise<DrillReport>>();

  constructor(private readonly opts: DrillRegistryOptions) {}

  /** Throws NotFoundError (unknown record/target) or StateConflictError (a drill on it is running). */
  start(req: DrillRequest): { id: string } {
    const plan = planDrill(this.opts.deps.config, req.recordId, req.target, this.opts.deps.dnsServers);
    const { record } = plan;
    for (const r of this.reports.values())
      if (r.status === 'running' && r.record === record.id)
        throw new StateConflictError(`drill ${r.id} on ${record.id} is still running`);
    const id = newDrillId();
    const run = runDrill({
      ...req,
      recordId: record.id,
      id,
      plan,
      deps: this.opts.deps,
      onUpdate: (r) => this.updated(r),
    }).catch((err: unknown) => {
      this.opts.logger.error({ err, id }, 'drill: failed unexpectedly');
      const r = this.reports.get(id)!;
      return this.updated({
        ...r,
        status: 'failed',
        finishedAt: this.opts.deps.clock.now(),
        error: String(err),
      });
    });
    this.running.set(id, run);
    void run.finally(() => this.running.delete(id));
    return { id };
  }

  get(id: string): DrillReport | null {
    const r = this.reports.get(id);
    return r ? structuredClone(r) : null;
  }

  /** Newest first. */
  list(): DrillReport[] {
    return [...this.reports.values()].reverse().map((r) => structuredClone(r));
  }

  /** Waits for running drills to finish (each restores its override); they are bounded by timeoutMs. */
  async close(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private updated(r: DrillReport): DrillReport {
    this.reports.set(r.id, r);
    this.trim();
    if (r.status !== 'running') {
      this.opts.metrics?.drills.inc({ outcome: r.status === 'done' ? 'passed' : 'failed' });
      this.opts.logger.info({ drill: r }, `drill ${r.id} on ${r.record}: ${r.status}`);
    }
    try {
      this.opts.onReport?.(structuredClone(r));
    } catch (err) {
      this.opts.logger.warn({ err }, 'drill: onReport hook threw');
    }
    return r;
  }

  private trim(): void {
    const limit = this.opts.limit ?? 50;
    for (const [id, r] of this.reports) {
      if (this.reports.size <= limit) break;
      if (r.status !== 'running') this.reports.delete(id);
    }
  }
}

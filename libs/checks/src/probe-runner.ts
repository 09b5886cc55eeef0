/**
 * The probe side of the pipeline: runs this region's checks and publishes their results in batches.
 * It knows nothing of queues: `publish` is whatever transport the app wires in.
 *
 * Pending results are kept per check, latest only, so memory stays bounded however long publishing
 * fails; the decider then sees the newest fact per check once the transport recovers.
 */
import { probedChecks } from '@understudy/core';
import type {
  CheckConfig,
  ProbedCheckConfig,
  CheckOutcome,
  Clock,
  Logger,
  ProbeHealthConfig,
  ProbeResult,
  Random,
  ResultBatch,
} from '@understudy/core';
import type { LookupFn } from './lookup.js';
import type { ProbeHealthMonitor } from './probe-health.js';
import type { RunCheckFn } from './run-check.js';
import { CheckScheduler, type RescheduleReport } from './scheduler.js';

export interface ProbeRunnerOptions {
  region: string;
  probeId: string;
  /** All configured checks; only those whose `regions` include `region` run here. */
  checks: readonly CheckConfig[];
  publish: (batch: ResultBatch) => Promise<void>;
  /** One batch per this many ms; 0 publishes as soon as results arrive (same-tick results coalesced). */
  flushInterval: number;
  jitter: number;
  clock: Clock;
  random: Random;
  logger: Logger;
  configHash?: string;
  runCheck?: RunCheckFn;
  lookup?: LookupFn;
  /** With flushInterval 0, how long to wait before retrying a failed publish. Default 1000. */
  retryDelay?: number;
  /** At most one publish-failure warning per this many ms. Default 30000. */
  warnEvery?: number;
  /** Upper bound on close(). Default 5000. */
  closeTimeout?: number;
  /** First sequence number. Default 1. */
  firstSeq?: number;
  /** Limits beyond which a failure is the probe's own (probe-error). Default DEFAULT_PROBE_HEALTH. */
  health?: ProbeHealthConfig;
  /** The process's health monitor (shared by every region): each batch carries its snapshot. */
  monitor?: ProbeHealthMonitor;
}

export interface ProbeRunnerStats {
  checks: number;
  batchesPublished: number;
  resultsPublished: number;
  publishFailures: number;
  /** Results that were the probe's own failure (probe-error): they do not vote. */
  probeErrors: number;
  /** Results waiting to be published (at most one per check). */
  pending: number;
  lastPublishError: string | null;
  lastPublishAt: number | null;
}

function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  return Promise.race([work.then(() => undefined), limit]).finally(() => clearTimeout(timer));
}

export class ProbeRunner {
  private readonly scheduler: CheckScheduler;
  private readonly logger: Logger;
  private readonly pending = new Map<string, ProbeResult>();
  private checkCount: number;
  /** Stamped on every batch; a reload replaces it. */
  private configHash: string | undefined;
  private nextSeq: number;
  private inFlight: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;
  private started = false;
  private lastWarnAt: number | undefined;
  private suppressedWarnings = 0;
  private failureStreak = 0;
  private readonly counters = {
    batchesPublished: 0,
    resultsPublished: 0,
    publishFailures: 0,
    probeErrors: 0,
  };
  /** probe-errors since the last batch went out, reported in its health. */
  private probeErrorsUnsent = 0;
  private lastProbeErrorWarnAt: number | undefined;
  private lastPublishError: string | null = null;
  private lastPublishAt: number | null = null;

  constructor(private readonly opts: ProbeRunnerOptions) {
    this.logger = opts.logger.child({
      component: 'probe-runner',
      region: opts.region,
      probeId: opts.probeId,
    });
    // Composite checks are the decider's: only probed kinds are scheduled here.
    const mine = probedChecks(opts.checks, opts.region);
    this.checkCount = mine.length;
    this.configHash = opts.configHash;
    this.nextSeq = opts.firstSeq ?? 1;
    this.scheduler = new CheckScheduler({
      checks: mine,
      onOutcome: (check, outcome, finishedAt) => this.accept(check, outcome, finishedAt),
      clock: opts.clock,
      random: opts.random,
      jitter: opts.jitter,
      logger: this.logger,
      runCheck: opts.runCheck,
      lookup: opts.lookup,
      ...(opts.health ? { health: opts.health } : {}),
    });
  }

  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    if (this.checkCount === 0) this.logger.warn('no checks configured for this region');
    this.scheduler.start();
    if (this.opts.flushInterval > 0) this.armFlush();
  }

  stats(): ProbeRunnerStats {
    return {
      checks: this.checkCount,
      ...this.counters,
      pending: this.pending.size,
      lastPublishError: this.lastPublishError,
      lastPublishAt: this.lastPublishAt,
    };
  }

  /**
   * Reload (issue 13): this region's share of `checks` (all configured checks) replaces the running ones:
   * unchanged checks keep their schedule, removed ones stop, changed and new ones start afresh. Results not
   * yet published for a removed or changed check are dropped (they are about what is no longer probed).
   * Later batches carry `configHash`.
   */
  reconfigure(checks: readonly CheckConfig[], configHash?: string): RescheduleReport {
    const mine = probedChecks(checks, this.opts.region);
    const report = this.scheduler.reschedule(mine);
    for (const id of [...report.removed, ...report.changed]) this.pending.delete(id);
    this.checkCount = mine.length;
    if (configHash !== undefined) this.configHash = configHash;
    return report;
  }

  /** Stops the checks (letting in-flight runs finish briefly), then makes one last publish attempt. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const deadline = this.opts.clock.now() + (this.opts.closeTimeout ?? 5_000);
    const left = () => deadline - this.opts.clock.now();
    clearInterval(this.flushTimer);
    clearTimeout(this.retryTimer);
    if (this.immediate) clearImmediate(this.immediate);
    await bounded(this.scheduler.stop(), left());
    if (this.inFlight) await bounded(this.inFlight, left());
    if (!this.inFlight && this.pending.size > 0 && left() > 0) await bounded(this.flush(), left());
    if (this.pending.size > 0) {
      this.logger.warn({ pending: this.pending.size }, 'closing with unpublished results');
    }
  }

  private accept(check: ProbedCheckConfig, outcome: CheckOutcome, finishedAt: number): void {
    const result: ProbeResult = {
      ...outcome,
      checkId: check.id,
      region: this.opts.region,
      probeId: this.opts.probeId,
      seq: this.nextSeq++,
      observedAt: finishedAt,
    };
    if (outcome.reason === 'probe-error') {
      this.counters.probeErrors++;
      this.probeErrorsUnsent++;
      // Rate-limited: under descriptor exhaustion every check of every region fails at once.
      const every = this.opts.warnEvery ?? 30_000;
      if (this.lastProbeErrorWarnAt === undefined || finishedAt - this.lastProbeErrorWarnAt >= every) {
        this.logger.warn(
          { checkId: check.id, message: outcome.message, probeErrors: this.counters.probeErrors },
          'probe-error: the probe failed, not the origin; the result does not vote',
        );
        this.lastProbeErrorWarnAt = finishedAt;
      }
    }
    this.pending.set(check.id, result);
    if (this.opts.flushInterval <= 0) this.requestImmediateFlush();
  }

  private armFlush(): void {
    // A fixed cadence; a tick that finds a publish still in flight is skipped (one publish at a time).
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushInterval);
  }

  private requestImmediateFlush(): void {
    if (this.closing || this.immediate || this.inFlight || this.retryTimer) return;
    // setImmediate runs after the current I/O phase, so results finishing in the same tick share a batch.
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    if (this.inFlight || this.pending.size === 0) return this.inFlight ?? Promise.resolve();
    const results = [...this.pending.values()].sort((a, b) => a.seq - b.seq);
    this.pending.clear();
    const batch: ResultBatch = {
      probeId: this.opts.probeId,
      region: this.opts.region,
      sentAt: this.opts.clock.now(),
      results,
    };
    if (this.configHash !== undefined) batch.configHash = this.configHash;
    if (this.opts.monitor) {
      batch.health = this.opts.monitor.snapshot(this.probeErrorsUnsent);
      this.probeErrorsUnsent = 0;
    }
    const attempt = (async () => {
      try {
        await this.opts.publish(batch);
        this.published(results.length);
      } catch (err) {
        this.failed(err, results);
      }
    })();
    this.inFlight = attempt.finally(() => {
      this.inFlight = undefined;
      this.afterPublish();
    });
    return this.inFlight;
  }

  private afterPublish(): void {
    if (this.closing || this.opts.flushInterval > 0) return;
    if (this.failureStreak > 0) {
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        void this.flush();
      }, this.opts.retryDelay ?? 1_000);
    } else if (this.pending.size > 0) {
      this.requestImmediateFlush();
    }
  }

  private published(count: number): void {
    this.counters.batchesPublished++;
    this.counters.resultsPublished += count;
    this.lastPublishAt = this.opts.clock.now();
    if (this.failureStreak > 0) {
      this.logger.info({ failures: this.failureStreak }, 'publishing results recovered');
    }
    this.failureStreak = 0;
  }

  private failed(err: unknown, results: ProbeResult[]): void {
    // Put them back unless a newer result for the same check arrived meanwhile.
    for (const r of results) {
      const newer = this.pending.get(r.checkId);
      if (!newer || newer.seq < r.seq) this.pending.set(r.checkId, r);
    }
    this.counters.publishFailures++;
    this.failureStreak++;
    this.lastPublishError = err instanceof Error ? err.message : String(err);
    const now = this.opts.clock.now();
    const every = this.opts.warnEvery ?? 30_000;
    if (this.lastWarnAt !== undefined && now - this.lastWarnAt < every) {
      this.suppressedWarnings++;
      return;
    }
    this.logger.warn(
      { err, pending: this.pending.size, suppressed: this.suppressedWarnings },
      'publishing results failed; keeping the latest result per check and retrying',
    );
    this.lastWarnAt = now;
    this.suppressedWarnings = 0;
  }
}

/**
 * One target's reconcile loop. Reconciles run one at a time and at most one waits, and the waiting one
 * takes the newest zone state when it starts: a burst of changes coalesces into one apply of the latest
 * state, never a backlog of stale plans. Failures back off with jitter on this target only.
 */
import {
  planIsEmpty,
  retryDelay,
  SerialQueue,
  TransientError,
  summarizePlan,
  UnsafePlanError,
  type ApplyReport,
  type BackoffOptions,
  type Clock,
  type DnsProvider,
  type Logger,
  type NewEvent,
  type Random,
  type StateStore,
  type TargetSyncStatus,
  type UnderstudyConfig,
  type ZoneState,
} from '@understudy/core';
import { planTarget, type TargetPlan } from './plan-target.js';
import type { SyncTimers, TimerHandle } from './timers.js';

export type SyncOutcome = 'applied' | 'in-sync' | 'refused' | 'failed';

export interface SyncResult extends TargetPlan {
  outcome: SyncOutcome;
  reports: ApplyReport[];
  /** The target held changes it should not have while its applied serial was current. */
  drift: boolean;
  error?: string;
}

export interface WorkerDeps {
  provider: DnsProvider;
  config: UnderstudyConfig;
  store: StateStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  timers: SyncTimers;
  retry: BackoffOptions;
  onEvent: (e: NewEvent) => void;
  onPublished: (target: string, serial: number, at: number) => void;
  epoch: () => number;
}

export function initialStatus(provider: DnsProvider): TargetSyncStatus {
  return {
    target: provider.name,
    type: provider.type,
    appliedSerial: null,
    lastPlan: null,
    lastAppliedAt: null,
    lastError: null,
    nextRetryAt: null,
    attempts: 0,
    inSync: false,
    lastReconcileAt: null,
  };
}

export class TargetWorker {
  readonly name: string;
  status: TargetSyncStatus;
  private readonly queue = new SerialQueue();
  private readonly log: Logger;
  private latest: ZoneState | null = null;
  private queued = false;
  private started = false;
  private closed = false;
  private retryTimer: TimerHandle | null = null;
  private reported = { conflicts: '', refused: '' };

  constructor(private readonly d: WorkerDeps) {
    this.name = d.provider.name;
    this.status = initialStatus(d.provider);
    this.log = d.logger.child({ target: this.name });
  }

  /** Start reconciling, from the status persisted by a previous decider (if any). */
  start(saved: TargetSyncStatus | undefined): void {
    if (saved) this.status = { ...saved, type: this.d.provider.type };
    this.started = true;
    this.kick();
  }

  /** A new desired state. While a retry backs off, the retry picks it up instead. */
  notify(zs: ZoneState): void {
    if (this.latest && zs.serial < this.latest.serial) return;
    this.latest = zs;
    if (this.retryTimer === null) this.kick();
  }

  /** The drift check: reconcile the latest state again. */
  periodic(): void {
    if (this.retryTimer === null) this.kick();
  }

  /** Reconcile now, in turn with the loop (CLI `sync --once`, a forced apply). */
  run(zs: ZoneState, force: boolean): Promise<SyncResult> {
    return this.queue.push(() => this.attempt(zs, force));
  }

  /** Resolves when no reconcile is running or waiting. */
  async idle(): Promise<void> {
    do await this.queue.drain();
    while (this.queued);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) this.d.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.queue.drain();
  }

  private kick(): void {
    if (!this.started || this.closed || this.queued || this.latest === null) return;
    this.queued = true;
    this.queue
      .push(() => {
        this.queued = false;
        return this.latest && !this.closed ? this.attempt(this.latest, false) : null;
      })
      .catch((err: unknown) => this.log.error({ err }, 'sync loop failed'));
  }

  private async attempt(zs: ZoneState, force: boolean): Promise<SyncResult> {
    let tp: TargetPlan = {
      target: this.name,
      serial: zs.serial,
      plans: [],
      safety: { safe: true, violations: [] },
      warnings: [],
    };
    let result: SyncResult;
    try {
      tp = await planTarget(this.d.provider, this.d.config, zs);
      result = await this.execute(tp, zs, force);
    } catch (err) {
      result = this.failed(tp, err);
    }
    this.status.lastReconcileAt = this.d.clock.now();
    await this.persist();
    return result;
  }

  private async execute(tp: TargetPlan, zs: ZoneState, force: boolean): Promise<SyncResult> {
    this.reportConflicts(tp);
    for (const w of tp.warnings) this.log.debug({ warning: w }, 'provider cannot honour a record exactly');
    const changing = tp.plans.filter((p) => !planIsEmpty(p));
    const drift = changing.length > 0 && this.status.appliedSerial === zs.serial;
    this.status.lastPlan = tp.plans;
    if (!tp.safety.safe && !force && !this.d.config.sync.allowUnsafe) return this.refused(tp, drift);
    if (drift) {
      this.emit(
        'sync-drift',
        'warning',
        zs.serial,
        `${this.name}: records edited outside Understudy; repairing`,
        {
          plans: changing,
        },
      );
    }
    const reports: ApplyReport[] = [];
    for (const plan of changing) {
      const report = await this.d.provider.apply(plan);
      reports.push(report);
      const bad = report.changes.filter((c) => !c.ok);
      if (bad.length > 0) {
        const first = bad[0]!;
        throw new TransientError(
          `${bad.length} of ${report.changes.length} changes failed in ${plan.zone} (${first.name} ${first.type}: ${first.error ?? 'failed'})`,
        );
      }
    }
    this.succeeded(zs, reports, changing.length > 0);
    return { ...tp, outcome: changing.length > 0 ? 'applied' : 'in-sync', reports, drift };
  }

  private succeeded(zs: ZoneState, reports: ApplyReport[], changed: boolean): void {
    const now = this.d.clock.now();
    const newSerial = this.status.appliedSerial !== zs.serial;
    const s = this.status;
    Object.assign(s, {
      appliedSerial: zs.serial,
      lastError: null,
      nextRetryAt: null,
      attempts: 0,
      inSync: true,
    });
    this.reported.refused = '';
    if (changed) {
      s.lastAppliedAt = now;
      const counts = reports.map((r) => ({
        zone: r.zone,
        apiCalls: r.apiCalls,
        batches: r.batches,
        retries: r.retries,
      }));
      const total = (s.lastPlan ?? []).reduce((n, p) => n + summarizePlan(p).changes, 0);
      this.emit(
        'sync-applied',
        'info',
        zs.serial,
        `${this.name}: applied ${total} changes (serial ${zs.serial})`,
        {
          reports: counts,
        },
      );
    }
    // Drift repairs do not re-publish: the target has served this serial since it was first applied.
    if (!newSerial) return;
    const confirmed = reports.every((r) => r.propagated && r.publishedAt !== null);
    if (!confirmed) return;
    const at = reports.reduce((m, r) => Math.max(m, r.publishedAt ?? 0), changed ? 0 : now);
    try {
      this.d.onPublished(this.name, zs.serial, at);
    } catch (err) {
      this.log.error({ err }, 'onPublished failed');
    }
  }

  private refused(tp: TargetPlan, drift: boolean): SyncResult {
    const message = tp.safety.violations.map((v) => v.message).join('; ');
    // Recorded like every other sync error: lastError.kind is the error's class name.
    const err = new UnsafePlanError(
      message,
      tp.safety.violations.map((v) => v.message),
    );
    Object.assign(this.status, {
      lastError: { message: err.message, at: this.d.clock.now(), kind: err.name },
      nextRetryAt: null,
      inSync: false,
    });
    const key = JSON.stringify(tp.plans);
    if (key !== this.reported.refused) {
      this.reported.refused = key;
      this.emit('plan-refused', 'warning', tp.serial, `${this.name}: unsafe plan refused (${message})`, {
        plans: tp.plans,
        violations: tp.safety.violations,
      });
    }
    this.log.warn({ violations: tp.safety.violations }, 'unsafe plan refused; apply it with force');
    return { ...tp, outcome: 'refused', reports: [], drift, error: message };
  }

  private failed(tp: TargetPlan, err: unknown): SyncResult {
    const e = err instanceof Error ? err : new Error(String(err));
    const now = this.d.clock.now();
    const s = this.status;
    const repeated = s.lastError?.message === e.message && s.attempts > 0;
    s.attempts += 1;
    const retryAfter = e instanceof TransientError ? e.retryAfterMs : undefined;
    const delay = retryDelay(s.attempts - 1, this.d.retry, this.d.random.next(), retryAfter);
    Object.assign(s, {
      lastError: { message: e.message, at: now, kind: e.name },
      nextRetryAt: now + delay,
      inSync: false,
    });
    if (tp.plans.length > 0) s.lastPlan = tp.plans;
    // One event per streak and per new error; the retries themselves only go to the log.
    if (!repeated) {
      this.emit('sync-failed', 'critical', tp.serial, `${this.name}: sync failed: ${e.message}`, {
        error: e.message,
        kind: e.name,
        attempts: s.attempts,
        nextRetryAt: s.nextRetryAt,
      });
    }
    this.log.warn({ err: e, attempts: s.attempts, retryInMs: delay }, 'sync failed; retrying');
    if (!this.closed) {
      if (this.retryTimer !== null) this.d.timers.clearTimeout(this.retryTimer);
      this.retryTimer = this.d.timers.setTimeout(() => {
        this.retryTimer = null;
        this.kick();
      }, delay);
    }
    return { ...tp, outcome: 'failed', reports: [], drift: false, error: e.message };
  }

  private reportConflicts(tp: TargetPlan): void {
    const conflicts = tp.plans.flatMap((p) => p.conflicts);
    const key = JSON.stringify(conflicts);
    if (key === this.reported.conflicts) return;
    this.reported.conflicts = key;
    if (conflicts.length === 0) return;
    const names = conflicts.map((c) => `${c.name} ${c.type}`).join(', ');
    this.emit(
      'sync-conflict',
      'warning',
      tp.serial,
      `${this.name}: records exist without our ownership marker: ${names}`,
      {
        conflicts,
      },
    );
  }

  private emit(
    type: NewEvent['type'],
    severity: NewEvent['severity'],
    serial: number,
    message: string,
    evidence: Record<string, unknown>,
  ): void {
    try {
      this.d.onEvent({ type, severity, target: this.name, serial, message, evidence });
    } catch (err) {
      this.log.error({ err }, 'onEvent failed');
    }
  }

  private async persist(): Promise<void> {
    try {
      const out = await this.d.store.saveTargetStatus(structuredClone(this.status), this.d.epoch());
      if (!out.ok) this.log.warn({ outcome: out }, 'target status write refused');
    } catch (err) {
      this.log.warn({ err }, 'saving target status failed');
    }
  }
}

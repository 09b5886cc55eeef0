/**
 * Keeps every provider target on the latest zone state: one TargetWorker per target (a failing target
 * never blocks another), a periodic reconcile that finds and repairs drift, and one-shot plan/sync for
 * the CLI. Only the fenced leader should run one: the decider creates it on leadership and closes it
 * when leadership is lost; status writes carry `epoch()` so a stale leader's writes are refused anyway.
 */
import {
  NotFoundError,
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
  materializeZoneState,
} from '@understudy/core';
import { planTarget, type TargetPlan } from './plan-target.js';
import { TargetWorker, type SyncResult } from './target-worker.js';
import { realTimers, type SyncTimers, type TimerHandle } from './timers.js';

export interface SyncManagerOptions {
  providers: DnsProvider[];
  config: UnderstudyConfig;
  store: StateStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  onEvent: (e: NewEvent) => void;
  /** The target serves `serial` since `at` (the provider confirmed propagation): engine.markPublished. */
  onPublished: (target: string, serial: number, at: number) => void;
  /** The decider's fencing epoch, for status writes. */
  epoch: () => number;
  timers?: SyncTimers;
  /** Retry backoff after a failed sync (default 1 s doubling up to 5 min, full jitter). */
  retry?: BackoffOptions;
}

export type PlanOnceResult = TargetPlan & { error?: string };

export const DEFAULT_RETRY: BackoffOptions = { baseMs: 1000, maxMs: 300_000 };

export class SyncManager {
  private readonly workers: TargetWorker[];
  private readonly timers: SyncTimers;
  private latest: ZoneState | null = null;
  private periodicTimer: TimerHandle | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly opts: SyncManagerOptions) {
    const names = new Set<string>();
    for (const p of opts.providers) {
      if (names.has(p.name)) throw new Error(`sync: two targets are named "${p.name}"`);
      names.add(p.name);
    }
    this.timers = opts.timers ?? realTimers;
    this.workers = opts.providers.map(
      (provider) =>
        new TargetWorker({
          provider,
          config: opts.config,
          store: opts.store,
          clock: opts.clock,
          random: opts.random,
          logger: opts.logger.child({ component: 'sync' }),
          timers: this.timers,
          retry: opts.retry ?? DEFAULT_RETRY,
          onEvent: opts.onEvent,
          onPublished: opts.onPublished,
          epoch: opts.epoch,
        }),
    );
  }

  /** Load the persisted target statuses, start the periodic reconcile and sync anything notified so far. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    const saved = await this.opts.store.readTargetStatuses();
    if (this.closed) return;
    this.started = true;
    for (const w of this.workers) w.start(saved.find((s) => s.target === w.name));
    this.armPeriodic();
  }

  /** A new zone state: every target reconciles towards it (coalesced: only the latest is applied). */
  notify(zs: ZoneState): void {
    if (this.closed) return;
    if (this.latest && zs.serial < this.latest.serial) return;
    this.latest = zs;
    for (const w of this.workers) w.notify(zs);
  }

  /** Each target's plans against `zs` (default: the latest), without applying anything. */
  async planOnce(zs?: ZoneState): Promise<PlanOnceResult[]> {
    const state = await this.zoneState(zs);
    return Promise.all(
      this.workers.map(async (w, i): Promise<PlanOnceResult> => {
        try {
          return await planTarget(this.opts.providers[i]!, this.opts.config, state);
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          return {
            target: w.name,
            serial: state.serial,
            plans: [],
            safety: { safe: true, violations: [] },
            warnings: [],
            error,
          };
        }
      }),
    );
  }

  /** Reconcile now and wait for the outcome (CLI `sync --once`); `force` applies unsafe plans this once. */
  async syncOnce(
    opts: { force?: boolean; target?: string; zoneState?: ZoneState } = {},
  ): Promise<SyncResult[]> {
    const state = await this.zoneState(opts.zoneState);
    const chosen = this.workers.filter((w) => opts.target === undefined || w.name === opts.target);
    if (chosen.length === 0) throw new NotFoundError(`no sync target named "${opts.target}"`);
    return Promise.all(chosen.map((w) => w.run(state, opts.force === true)));
  }

  /** Apply the current plan of one target (or all) even if unsafe, once. */
  force(target?: string): Promise<SyncResult[]> {
    return this.syncOnce({ force: true, ...(target === undefined ? {} : { target }) });
  }

  statuses(): TargetSyncStatus[] {
    return this.workers.map((w) => structuredClone(w.status));
  }

  /** Resolves when no target has a reconcile running or waiting (tests, orderly shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.idle()));
  }

  /** Stop timers and wait for in-flight applies. The providers stay open: their owner closes them. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.periodicTimer !== null) this.timers.clearTimeout(this.periodicTimer);
    this.periodicTimer = null;
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private armPeriodic(): void {
    if (this.closed) return;
    this.periodicTimer = this.timers.setTimeout(() => {
      for (const w of this.workers) w.periodic();
      this.armPeriodic();
    }, this.opts.config.sync.reconcileInterval);
  }

  private async zoneState(given: ZoneState | undefined): Promise<ZoneState> {
    if (given ?? this.latest) return (given ?? this.latest)!;
    const overlay = await this.opts.store.readOverlay();
    if (!overlay) throw new Error('sync: there is no zone state yet');
    return materializeZoneState(this.opts.config, overlay);
  }
}

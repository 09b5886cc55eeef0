/**
 * Runs every check on its own interval. Start times sit on a fixed grid (random phase, then one slot per
 * interval) plus a fresh random jitter per run, so jitter never accumulates into drift. A check never
 * overlaps itself: a run that outlasts its slot pushes the next start to after it finishes. A run that
 * started late (the event loop stalled) starts a fresh grid from its own start, so the next run is a full
 * interval later: catching up at once would let `fall` consecutive failures land within milliseconds.
 * Timers are the global ones, so vitest fake timers drive it in tests.
 */
import { ConfigError, sameJson } from '@understudy/core';
import { DEFAULT_PROBE_HEALTH } from '@understudy/core';
import type {
  ProbedCheckConfig,
  CheckOutcome,
  Clock,
  ConfigProblem,
  Logger,
  ProbeHealthConfig,
  Random,
} from '@understudy/core';
import { fdPressure } from './probe-health.js';
import { stallTolerance } from './run-context.js';
import type { LookupFn } from './lookup.js';
import { runCheck as defaultRunCheck } from './run-check.js';
import type { RunCheckFn } from './run-check.js';

export type OutcomeHandler = (check: ProbedCheckConfig, outcome: CheckOutcome, finishedAt: number) => void;

export interface CheckSchedulerOptions {
  checks: readonly ProbedCheckConfig[];
  onOutcome: OutcomeHandler;
  clock: Clock;
  random: Random;
  /** Share of the interval (0..1) added at random to each start. */
  jitter: number;
  logger: Logger;
  runCheck?: RunCheckFn;
  lookup?: LookupFn;
  /** After a run's timeout aborts it, how long to wait before giving up on a run that ignores the abort. */
  abortGraceMs?: number;
  /** How long stop() lets in-flight runs finish (their outcomes are still delivered) before aborting them. */
  stopGraceMs?: number;
  /** Limits beyond which a failure is the probe's own (probe-error). */
  health?: ProbeHealthConfig;
}

interface Slot {
  readonly check: ProbedCheckConfig;
  /** Grid time of the current run's slot (before jitter), epoch ms. */
  slotAt: number;
  /** When the current run was due (slot + jitter) and when it actually started, epoch ms. */
  dueAt: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  run: Promise<void> | undefined;
  abort: AbortController | undefined;
  /** Stopped by a reload (check removed or changed): never armed or reported again. */
  retired?: boolean;
}

/** What a reload did to the scheduled checks, by id. */
export interface RescheduleReport {
  added: string[];
  removed: string[];
  changed: string[];
  kept: string[];
}

function validate(checks: readonly ProbedCheckConfig[], jitter: number): void {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  checks.forEach((c, i) => {
    if (!(Number.isFinite(c.interval) && c.interval > 0)) {
      problems.push({
        path: `checks[${i}].interval`,
        message: `must be a positive number of ms, got ${c.interval}`,
      });
    }
    if (!(Number.isFinite(c.timeout) && c.timeout > 0)) {
      problems.push({
        path: `checks[${i}].timeout`,
        message: `must be a positive number of ms, got ${c.timeout}`,
      });
    }
    if (seen.has(c.id)) problems.push({ path: `checks[${i}].id`, message: `duplicate check id ${c.id}` });
    seen.add(c.id);
  });
  if (!(jitter >= 0 && jitter <= 1))
    problems.push({ path: 'probe.jitter', message: `must be within 0..1, got ${jitter}` });
  if (problems.length > 0) throw new ConfigError(problems, 'check scheduler');
}

function newSlot(check: ProbedCheckConfig): Slot {
  return { check, slotAt: 0, dueAt: 0, startedAt: 0, timer: undefined, run: undefined, abort: undefined };
}

/** Timer noise, not a stall: a start this much past due keeps the grid. */
function lateTolerance(interval: number): number {
  return Math.min(100, interval / 10);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class CheckScheduler {
  private slots: Slot[];
  /** Slots a reload retired whose last run is still finishing: stop() waits for them too. */
  private readonly retiring = new Set<Slot>();
  private readonly run: RunCheckFn;
  private readonly abortGraceMs: number;
  private readonly stopGraceMs: number;
  private started = false;
  private stopped = false;

  constructor(private readonly opts: CheckSchedulerOptions) {
    validate(opts.checks, opts.jitter);
    this.slots = opts.checks.map((check) => newSlot(check));
    this.run = opts.runCheck ?? defaultRunCheck;
    this.abortGraceMs = opts.abortGraceMs ?? 1_000;
    this.stopGraceMs = opts.stopGraceMs ?? 2_000;
  }

  /** Runs currently in flight. */
  get inFlight(): number {
    return this.slots.filter((s) => s.run !== undefined).length;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.opts.clock.now();
    for (const slot of this.slots) this.startSlot(slot, now);
  }

  private startSlot(slot: Slot, now: number): void {
    // A random phase spreads checks sharing an interval across it instead of firing them together.
    slot.slotAt = now + this.opts.random.next() * slot.check.interval;
    slot.dueAt = slot.slotAt;
    this.arm(slot, slot.slotAt - now);
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    if (!slot.run) return;
    this.retiring.add(slot);
    slot.abort?.abort(new Error('check removed or changed by a reload'));
  }

  /**
   * Reload (issue 13): an unchanged check keeps its slot, so its schedule (grid and phase) goes on as if
   * nothing happened; a removed or changed one stops (a run in flight is aborted and not reported: it
   * probed the old definition); new and changed ones start on a fresh random phase.
   */
  reschedule(checks: readonly ProbedCheckConfig[]): RescheduleReport {
    validate(checks, this.opts.jitter);
    const report: RescheduleReport = { added: [], removed: [], changed: [], kept: [] };
    const wanted = new Map(checks.map((c) => [c.id, c]));
    const kept = new Map<string, Slot>();
    for (const slot of this.slots) {
      const next = wanted.get(slot.check.id);
      if (next && sameJson(next, slot.check)) {
        kept.set(next.id, slot);
        report.kept.push(next.id);
        continue;
      }
      report[next ? 'changed' : 'removed'].push(slot.check.id);
      this.retire(slot);
    }
    const now = this.opts.clock.now();
    this.slots = checks.map((check) => {
      const old = kept.get(check.id);
      if (old) return old;
      if (!report.changed.includes(check.id)) report.added.push(check.id);
      const slot = newSlot(check);
      if (this.started && !this.stopped) this.startSlot(slot, now);
      return slot;
    });
    return report;
  }

  /** Clears timers, lets in-flight runs finish for up to stopGraceMs, then aborts the rest. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
    const pending = () => [...this.slots, ...this.retiring].flatMap((s) => (s.run ? [s.run] : []));
    if (pending().length === 0) return;
    await Promise.race([Promise.all(pending()), sleep(this.stopGraceMs)]);
    for (const slot of [...this.slots, ...this.retiring])
      slot.abort?.abort(new Error('check scheduler stopping'));
    await Promise.race([Promise.all(pending()), sleep(this.abortGraceMs)]);
  }

  private arm(slot: Slot, delay: number): void {
    slot.timer = setTimeout(() => this.fire(slot), Math.max(0, delay));
  }

  private fire(slot: Slot): void {
    slot.timer = undefined;
    if (this.stopped || slot.retired) return;
    slot.run = this.runOnce(slot).finally(() => {
      slot.run = undefined;
      this.retiring.delete(slot);
      if (!this.stopped && !slot.retired) this.planNext(slot);
    });
  }

  private planNext(slot: Slot): void {
    const { interval } = slot.check;
    const now = this.opts.clock.now();
    // Started late (a stalled event loop held the timer): a fresh grid from that start, a full interval on.
    const late = slot.startedAt - slot.dueAt > lateTolerance(interval);
    slot.slotAt = late ? slot.startedAt + interval : slot.slotAt + interval;
    // The run itself overran the next slot: start right after it rather than firing a burst to catch up.
    slot.slotAt = Math.max(slot.slotAt, now);
    slot.dueAt = slot.slotAt + this.opts.random.next() * this.opts.jitter * interval;
    this.arm(slot, slot.dueAt - now);
  }

  private async runOnce(slot: Slot): Promise<void> {
    const { check } = slot;
    const { clock } = this.opts;
    const startedAt = clock.now();
    slot.startedAt = startedAt;
    const abort = new AbortController();
    slot.abort = abort;
    const timer = setTimeout(() => {
      abort.abort(new DOMException(`check ${check.id} timed out after ${check.timeout} ms`, 'TimeoutError'));
    }, check.timeout);
    let outcome: CheckOutcome;
    try {
      outcome = await this.guarded(check, abort.signal, startedAt);
    } finally {
      clearTimeout(timer);
      slot.abort = undefined;
    }
    // An abort by stop() is our own doing, not a fact about the origin: nothing to report. Nor is a run of
    // a definition a reload replaced.
    if (slot.retired || (abort.signal.aborted && !(abort.signal.reason instanceof DOMException))) return;
    try {
      this.opts.onOutcome(check, outcome, clock.now());
    } catch (err) {
      this.opts.logger.error({ err, checkId: check.id }, 'outcome handler threw');
    }
  }

  /** The run's outcome, or a synthesized one if it throws or ignores its abort for longer than the grace. */
  private async guarded(
    check: ProbedCheckConfig,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<CheckOutcome> {
    const { clock, lookup } = this.opts;
    let graceTimer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<CheckOutcome>((resolve) => {
      onAbort = () => {
        graceTimer = setTimeout(() => {
          const reason = signal.reason instanceof DOMException ? 'timeout' : 'probe-error';
          const message = `check did not stop within ${this.abortGraceMs} ms of being aborted`;
          resolve({ ok: false, reason, message, timings: { total: clock.now() - startedAt } });
        }, this.abortGraceMs);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const health = this.opts.health ?? DEFAULT_PROBE_HEALTH;
      const run = this.run(check, {
        signal,
        clock,
        lookup,
        stallTolerance: stallTolerance(check.timeout, health.maxEventLoopDelay),
        selfCheck: () => fdPressure(health.maxFdShare),
      });
      return await Promise.race([run, gaveUp]);
    } catch (err) {
      this.opts.logger.error({ err, checkId: check.id }, 'check run threw; runCheck should never throw');
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'probe-error', message, timings: { total: clock.now() - startedAt } };
    } finally {
      clearTimeout(graceTimer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }
}

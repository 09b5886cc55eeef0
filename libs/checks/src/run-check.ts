/** Runs one check to a CheckOutcome. Never throws: every failure, expected or not, is an outcome. */
import { DEFAULT_PROBE_HEALTH } from '@understudy/core';
import type { CheckOutcome, Clock, ProbedCheckConfig } from '@understudy/core';
import { checkRunner } from './check-runners.js';
import type { CheckDeps } from './check-runners.js';
import { classify } from './classify.js';
import { systemLookup } from './lookup.js';
import type { LookupFn } from './lookup.js';
import { fdPressure } from './probe-health.js';
import { RunContext } from './run-context.js';
import { systemClock } from '@understudy/system';

export interface RunCheckOptions {
  /** Aborting ends the run at once; an abort reason named 'TimeoutError' yields reason `timeout`. */
  signal?: AbortSignal;
  /** Wall clock for certificate expiry. Phase timings always use the monotonic performance clock. */
  clock?: Clock;
  lookup?: LookupFn;
  /** How late the deadline may fire before the run counts as stalled (probe-error). See stallTolerance(). */
  stallTolerance?: number;
  /**
   * Asked after a failure that could be the probe's own doing: a reason the probe cannot be trusted now
   * (e.g. out of descriptors: getaddrinfo then says ENOTFOUND), or null. Default: descriptor pressure.
   */
  selfCheck?: () => string | null;
}

export type RunCheckFn = (check: ProbedCheckConfig, opts?: RunCheckOptions) => Promise<CheckOutcome>;

const defaultSelfCheck = () => fdPressure(DEFAULT_PROBE_HEALTH.maxFdShare);

/**
 * One deadline (`check.timeout`) covers the whole run: dns, connect, tls, response and body. When it
 * passes, every socket of the run is destroyed and the outcome is `timeout`.
 */
export async function runCheck(check: ProbedCheckConfig, opts: RunCheckOptions = {}): Promise<CheckOutcome> {
  let ctx: RunContext | undefined;
  let runner: ReturnType<typeof checkRunner>;
  try {
    runner = checkRunner(check.type);
    if (!runner) throw new Error(`unknown check type ${JSON.stringify(check.type)}`);
    ctx = new RunContext(check.timeout, opts.signal, opts.stallTolerance);
    const deps: CheckDeps = { clock: opts.clock ?? systemClock, lookup: opts.lookup ?? systemLookup };
    return await Promise.race([runner.run(check, ctx, deps), ctx.deadline]);
  } catch (err) {
    if (!ctx) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'probe-error', message, timings: { total: 0 } };
    }
    const { reason, message } = classify(err, ctx.phase);
    if (reason !== 'probe-error' && !runner?.originAnswers.has(reason)) {
      const self = (opts.selfCheck ?? defaultSelfCheck)();
      if (self !== null) return ctx.fail('probe-error', `${message} (not counted: ${self})`);
    }
    return ctx.fail(reason, message);
  } finally {
    ctx?.dispose();
  }
}

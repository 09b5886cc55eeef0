/** Runs one check to a CheckOutcome. Never throws: every failure, expected or not, is an outcome. */
import { DEFAULT_PROBE_HEALTH } from '@understudy/core';
import type { CheckConfig, CheckOutcome, Clock, FailureReason, TcpCheckConfig } from '@understudy/core';
import { classify } from './classify.js';
import { connectTcp, resolveHost } from './connect.js';
import { httpCheck } from './http-check.js';
import type { CheckDeps } from './http-check.js';
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

/** Failures that carry the origin's own answer; no local shortage can produce them. */
const ORIGIN_ANSWERS = new Set<FailureReason>(['status', 'body', 'cert-expiring', 'probe-error']);

export type RunCheckFn = (check: CheckConfig, opts?: RunCheckOptions) => Promise<CheckOutcome>;

const defaultSelfCheck = () => fdPressure(DEFAULT_PROBE_HEALTH.maxFdShare);

async function tcpCheck(check: TcpCheckConfig, ctx: RunContext, deps: CheckDeps): Promise<CheckOutcome> {
  const address = await resolveHost(ctx, check.host.replace(/^\[(.*)\]$/, '$1'), deps.lookup);
  await connectTcp(ctx, address, check.port);
  return ctx.ok();
}

function runByType(check: CheckConfig, ctx: RunContext, deps: CheckDeps): Promise<CheckOutcome> {
  switch (check.type) {
    case 'http':
    case 'https':
      return httpCheck(check, ctx, deps);
    case 'tcp':
      return tcpCheck(check, ctx, deps);
    default: {
      const type = (check as { type?: unknown }).type;
      return Promise.reject(new Error(`unknown check type ${JSON.stringify(type)}`));
    }
  }
}

/**
 * One deadline (`check.timeout`) covers the whole run: dns, connect, tls, response and body. When it
 * passes, every socket of the run is destroyed and the outcome is `timeout`.
 */
export async function runCheck(check: CheckConfig, opts: RunCheckOptions = {}): Promise<CheckOutcome> {
  let ctx: RunContext | undefined;
  try {
    ctx = new RunContext(check.timeout, opts.signal, opts.stallTolerance);
    const deps: CheckDeps = { clock: opts.clock ?? systemClock, lookup: opts.lookup ?? systemLookup };
    return await Promise.race([runByType(check, ctx, deps), ctx.deadline]);
  } catch (err) {
    if (!ctx) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'probe-error', message, timings: { total: 0 } };
    }
    const { reason, message } = classify(err, ctx.phase);
    if (!ORIGIN_ANSWERS.has(reason)) {
      const self = (opts.selfCheck ?? defaultSelfCheck)();
      if (self !== null) return ctx.fail('probe-error', `${message} (not counted: ${self})`);
    }
    return ctx.fail(reason, message);
  } finally {
    ctx?.dispose();
  }
}

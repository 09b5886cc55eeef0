/** Runs one check to a CheckOutcome. Never throws: every failure, expected or not, is an outcome. */
import type { CheckConfig, CheckOutcome, Clock, TcpCheckConfig } from '@understudy/core';
import { classify } from './classify.js';
import { connectTcp, resolveHost } from './connect.js';
import { httpCheck } from './http-check.js';
import type { CheckDeps } from './http-check.js';
import { systemLookup } from './lookup.js';
import type { LookupFn } from './lookup.js';
import { RunContext } from './run-context.js';

export interface RunCheckOptions {
  /** Aborting ends the run at once; an abort reason named 'TimeoutError' yields reason `timeout`. */
  signal?: AbortSignal;
  /** Wall clock for certificate expiry. Phase timings always use the monotonic performance clock. */
  clock?: Clock;
  lookup?: LookupFn;
}

export type RunCheckFn = (check: CheckConfig, opts?: RunCheckOptions) => Promise<CheckOutcome>;

const systemClock: Clock = { now: () => Date.now() };

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
    ctx = new RunContext(check.timeout, opts.signal);
    const deps: CheckDeps = { clock: opts.clock ?? systemClock, lookup: opts.lookup ?? systemLookup };
    return await Promise.race([runByType(check, ctx, deps), ctx.deadline]);
  } catch (err) {
    if (!ctx) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'internal', message, timings: { total: 0 } };
    }
    const { reason, message } = classify(err, ctx.phase);
    return ctx.fail(reason, message);
  } finally {
    ctx?.dispose();
  }
}

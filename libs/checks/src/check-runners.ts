/**
 * The registry of check runners: which function probes a check of a given type. A new kind of check
 * registers its runner here (and its config reading in libs/config's check-kinds, its display in
 * libs/core's check-kinds); runCheck only looks it up.
 */
import type { CheckOutcome, FailureReason, ProbedCheckConfig, TcpCheckConfig } from '@understudy/core';
import { connectTcp, resolveHost } from './connect.js';
import { dnsCheck } from './dns-check.js';
import { httpCheck } from './http-check.js';
import type { CheckDeps } from './http-check.js';
import type { RunContext } from './run-context.js';

export type { CheckDeps } from './http-check.js';

type Kind = ProbedCheckConfig['type'];
type ConfigOf<K extends Kind> = ProbedCheckConfig extends infer C
  ? C extends { type: infer T }
    ? K extends T
      ? C
      : never
    : never
  : never;

/**
 * Probes once. Throws on failure: a CheckFailure when the reason is known, anything else is classified by
 * the phase the run was in. Every socket must be handed to ctx.track so the deadline can destroy it.
 */
export type CheckRunner<C extends ProbedCheckConfig = ProbedCheckConfig> = (
  check: C,
  ctx: RunContext,
  deps: CheckDeps,
) => Promise<CheckOutcome>;

interface Registration {
  run: CheckRunner;
  /**
   * Failure reasons that carry the origin's own answer (a status, a body, a response code): no local
   * shortage can produce them, so they are never re-examined as the probe's own fault.
   */
  originAnswers: ReadonlySet<FailureReason>;
}

const runners = new Map<string, Registration>();

export function registerCheckRunner<K extends Kind>(
  type: K,
  run: CheckRunner<ConfigOf<K>>,
  originAnswers: readonly FailureReason[] = [],
): void {
  runners.set(type, { run: run as CheckRunner, originAnswers: new Set(originAnswers) });
}

export function checkRunner(type: string): Registration | undefined {
  return runners.get(type);
}

async function tcpCheck(check: TcpCheckConfig, ctx: RunContext, deps: CheckDeps): Promise<CheckOutcome> {
  const address = await resolveHost(ctx, check.host.replace(/^\[(.*)\]$/, '$1'), deps.lookup);
  await connectTcp(ctx, address, check.port);
  return ctx.ok();
}

const HTTP_ANSWERS: FailureReason[] = ['status', 'body', 'cert-expiring'];
registerCheckRunner('http', httpCheck, HTTP_ANSWERS);
registerCheckRunner('https', httpCheck, HTTP_ANSWERS);
registerCheckRunner('tcp', tcpCheck);
registerCheckRunner('dns', dnsCheck, ['rcode', 'answer']);

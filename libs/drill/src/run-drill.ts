/**
 * One failover drill: force the record's current answer down with an audited override, time when every
 * target serves the answer the decider picks instead, restore (override back to obey, approving the
 * failback when the host can), and time the restore. Every wait is bounded by deps.timeoutMs.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, FailoverRecordConfig } from '@understudy/core';
import { instanceName, planDrill, type DrillPlan, type DrillProbe } from './plan.js';
import type { DrillDeps, DrillReport, DrillRequest, DrillTargetResult } from './types.js';

export interface RunDrillOptions extends DrillRequest {
  deps: DrillDeps;
  id?: string;
  /** The drill's plan when the caller already made it (for the same record, target and DNS servers). */
  plan?: DrillPlan;
  /** Called with a copy of the report whenever it changes (start, each phase, finish). */
  onUpdate?: (report: DrillReport) => void;
}

const sorted = (v: readonly string[]): string[] => [...v].sort();
/** The same values, in any order. */
function same(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sb = sorted(b);
  return sorted(a).every((v, i) => v === sb[i]);
}
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function newDrillId(): string {
  return `drill-${randomUUID().slice(0, 8)}`;
}

/** Validates first (NotFoundError for an unknown record or target), then runs; never rejects after that. */
export async function runDrill(opts: RunDrillOptions): Promise<DrillReport> {
  const { deps } = opts;
  const plan = opts.plan ?? planDrill(deps.config, opts.recordId, opts.target, deps.dnsServers);
  const report: DrillReport = {
    id: opts.id ?? newDrillId(),
    record: plan.record.id,
    target: opts.target ?? null,
    actor: opts.actor,
    startedAt: deps.clock.now(),
    from: [],
    to: [],
    status: 'running',
    targets: plan.probes.map((p) => ({
      target: p.target,
      ...(p.server ? { instance: instanceName(p.server) } : {}),
      servedNewAt: null,
      restoredAt: null,
    })),
    finishedAt: null,
  };
  const update = (): void => opts.onUpdate?.(structuredClone(report));
  update();
  try {
    await drill(deps, plan.record, plan.probes, report, update);
  } catch (err) {
    report.error ??= message(err);
  }
  report.status =
    !report.error && report.targets.every((t) => !t.error && t.restoredAt !== null) ? 'done' : 'failed';
  report.finishedAt = deps.clock.now();
  update();
  return report;
}

async function drill(
  deps: DrillDeps,
  rec: FailoverRecordConfig,
  probes: DrillProbe[],
  report: DrillReport,
  update: () => void,
): Promise<void> {
  const before = await deps.readRecord(rec.id);
  if (before.active.kind !== 'answer')
    throw new Error(`${rec.id} serves no configured answer now (${before.active.kind}): nothing to drill`);
  const answer = before.active.name;
  report.fromAnswer = answer;
  report.from = sorted(before.values);
  const actor = (what: string): Actor => ({ name: report.actor.name, reason: `drill ${report.id}: ${what}` });
  report.overrideAt = deps.clock.now();
  await deps.setOverride(rec.id, answer, 'down', actor(report.actor.reason));
  try {
    const during = await deps.readRecord(rec.id);
    report.to = sorted(during.values);
    report.toAnswer = during.active.kind === 'none' ? 'none' : during.active.name;
    update();
    if (same(report.to, report.from))
      throw new Error(
        `forcing ${answer} down did not change what ${rec.id} serves: no other answer is eligible`,
      );
    await measure(deps, rec, probes, report, 'servedNewAt', report.to, report.overrideAt, deps.timeoutMs);
    update();
  } finally {
    report.restoreAt = deps.clock.now();
    await restore(deps, rec, answer, actor('restore'), report);
  }
  await measure(
    deps,
    rec,
    probes,
    report,
    'restoredAt',
    report.from,
    report.restoreAt,
    restoreBudget(deps, rec),
  );
  update();
}

async function restore(
  deps: DrillDeps,
  rec: FailoverRecordConfig,
  answer: string,
  actor: Actor,
  report: DrillReport,
): Promise<void> {
  await deps.setOverride(rec.id, answer, 'obey', actor);
  // Lifting the override makes the answer a failback candidate, which waits for failbackAfter (or an
  // operator): approve it, audited like the rest of the drill, so the restore is timed like the switch.
  // The candidate can appear a tick later (health is re-confirmed), so look for it for a while.
  const deadline = deps.clock.now() + Math.min(deps.timeoutMs, 10_000);
  for (;;) {
    const after = await deps.readRecord(rec.id);
    if (same(after.values, report.from)) return;
    if (after.pendingFailback?.to === answer && deps.approveFailback) {
      await deps.approveFailback(rec.id, actor);
      return;
    }
    if (!deps.approveFailback || deps.clock.now() >= deadline) {
      if (rec.failbackAfter === 'manual')
        report.error = `${rec.id} fails back manually: approve the failback to ${answer} to finish the restore`;
      return;
    }
    await deps.sleep(deps.pollIntervalMs ?? 100);
  }
}

function restoreBudget(deps: DrillDeps, rec: FailoverRecordConfig): number {
  if (deps.approveFailback || rec.failbackAfter === 'manual') return deps.timeoutMs;
  return deps.timeoutMs + rec.failbackAfter;
}

/** Polls every probe until it serves `want`, recording when; a probe that never does gets an error. */
async function measure(
  deps: DrillDeps,
  rec: FailoverRecordConfig,
  probes: DrillProbe[],
  report: DrillReport,
  field: 'servedNewAt' | 'restoredAt',
  want: string[],
  since: number,
  budget: number,
): Promise<void> {
  const deadline = since + budget;
  const interval = deps.pollIntervalMs ?? 100;
  await Promise.all(
    probes.map(async (p, i) => {
      const entry: DrillTargetResult = report.targets[i]!;
      let last: string;
      for (;;) {
        try {
          if (await serves(deps, rec, p, want, since)) {
            entry[field] = deps.clock.now();
            return;
          }
          last = 'still serving other values';
        } catch (err) {
          last = message(err);
        }
        if (deps.clock.now() >= deadline) {
          const phase = field === 'servedNewAt' ? 'the drill answer' : 'the original answer again';
          entry.error = `did not serve ${phase} within ${budget} ms (${last})`;
          return;
        }
        await deps.sleep(interval);
      }
    }),
  );
}

async function serves(
  deps: DrillDeps,
  rec: FailoverRecordConfig,
  p: DrillProbe,
  want: string[],
  since: number,
): Promise<boolean> {
  if (p.server) return same(await deps.queryDns(p.server, rec.name, rec.type), want);
  if (deps.providerValues) return same(await deps.providerValues(p.target, rec.id), want);
  // Without a way to read the provider, trust the decider's record of the provider confirming it.
  const view = await deps.readRecord(rec.id);
  const at = view.publishedAt[p.target];
  return at !== undefined && at >= since && same(view.values, want);
}

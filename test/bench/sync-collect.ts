/** bench:sync's counting: what one phase cost each target, from the emulators, the providers and the logs. */
import type { NewEvent, UnderstudyConfig } from '@understudy/core';
import type { CloudflareProvider } from '@understudy/provider-cloudflare';
import type { Route53Provider } from '@understudy/provider-route53';
import type { SyncManager } from '@understudy/sync';
import type { CloudflareEmulator, EmulatorStats } from '../emulators/cloudflare/index.js';
import type { Route53Emulator, Route53Stats } from '../emulators/route53/index.js';
import {
  APEX,
  CF,
  CF_CHANGES_PER_BATCH,
  R53,
  R53_UPSERTS_PER_BATCH,
  RECORDS,
  clock,
  label,
  logs,
  type Target,
  type Metered,
} from './sync-fixtures.js';

// ------------------------------------------------------------------------------------------- counting

export interface Baseline {
  r53: { apiCalls: number; retries: number };
  cf: { apiCalls: number; retries: number; rateLimited: number; batches: number };
  reads: Record<Target, number>;
  applies: Record<Target, number>;
  events: number;
  logs: number;
}

export interface TargetResult {
  target: Target;
  converged: boolean;
  /** notify() → the provider's confirmation time (onPublished `at`). */
  convergedMs: number | null;
  /** notify() → the onPublished callback. */
  callbackMs: number | null;
  /** notify() → the last accepted write. */
  writesDoneMs: number | null;
  readMs: number;
  applyMs: number;
  reads: number;
  applies: number;
  plan: { creates: number; updates: number; deletes: number };
  /** API requests as the emulator counted them, refused ones included. */
  apiCalls: number;
  callsByOp: Record<string, number>;
  /** API requests as the provider counted them (a cross-check). */
  providerApiCalls: number;
  /** Route 53: accepted ChangeResourceRecordSets; Cloudflare: accepted /dns_records/batch calls. */
  batches: number;
  /** Requests of the batch operation, refused ones included. */
  batchCalls: number;
  /** Route 53: record changes applied (UPSERTs in the flip); Cloudflare: record changes the emulator applied. */
  writes: number;
  writesLabel: string;
  /** Route 53 only: Change elements sent in accepted batches (record + ownership marker). */
  changeElements: number | null;
  /** Batches per `unit` writes, and the target. */
  ratio: number | null;
  ratioUnit: number;
  allowedBatches: number;
  /** null while the phase is incomplete. */
  pass: boolean | null;
  throttled: number;
  priorRequestNotComplete: number;
  requestRetries: number;
  /** Sync attempts that failed and were retried by the worker (sync-failed streak). */
  syncFailures: number;
  retriesByCode: Record<string, number>;
  /** Records the emulator serves with the phase's values (final once the phase is complete). */
  verified: number | null;
  status: { appliedSerial: number | null; inSync: boolean; lastError: string | null };
}

export interface PhaseResult {
  name: string;
  serial: number;
  description: string;
  complete: boolean;
  convergedMs: number | null;
  targets: Record<Target, TargetResult>;
  events: Record<string, number>;
}

export interface Rig {
  config: UnderstudyConfig;
  r53emu: Route53Emulator;
  r53ZoneId: string;
  cfemu: CloudflareEmulator;
  r53: Route53Provider;
  cf: CloudflareProvider;
  metered: Record<Target, Metered>;
  mgr: SyncManager;
  events: NewEvent[];
  published: Map<string, { at: number; firedAt: number }>;
}

export interface PhaseCtx {
  name: string;
  serial: number;
  description: string;
  t0: number;
  base: Baseline;
  value: (i: number) => string;
}

export function baseline(rig: Rig): Baseline {
  return {
    r53: rig.r53.stats(),
    cf: rig.cf.stats(),
    reads: { route53: rig.metered.route53.reads.length, cloudflare: rig.metered.cloudflare.reads.length },
    applies: {
      route53: rig.metered.route53.applies.length,
      cloudflare: rig.metered.cloudflare.applies.length,
    },
    events: rig.events.length,
    logs: logs.entries.length,
  };
}

export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
export const pubKey = (t: string, serial: number): string => `${t}#${serial}`;

export function retryCodes(t: Target, since: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of logs.entries.slice(since)) {
    if (e.obj.target !== t) continue;
    if (e.msg !== 'route53 request retried' && e.msg !== 'cloudflare call retried') continue;
    // Route 53 logs the error code; Cloudflare a detail such as "HTTP 429: …" (its status is enough).
    const { code, detail } = e.obj;
    const key =
      typeof code === 'string'
        ? code
        : typeof detail === 'string'
          ? (/^HTTP \d+|^connection failed/.exec(detail)?.[0] ?? detail.slice(0, 30))
          : 'unknown';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export function verifyR53(rig: Rig, value: (i: number) => string): number {
  const held = new Map(
    rig.r53emu
      .records(rig.r53ZoneId)
      .filter((r) => r.type === 'A')
      .map((r) => [r.name, r.values]),
  );
  let ok = 0;
  for (let i = 0; i < RECORDS; i++) {
    const v = held.get(`${label(i)}.${APEX}`);
    if (v?.length === 1 && v[0] === value(i)) ok++;
  }
  return ok;
}

export function verifyCf(rig: Rig, value: (i: number) => string): number {
  const held = new Map<string, string[]>();
  for (const r of rig.cfemu.records(APEX.slice(0, -1)))
    if (r.type === 'A') held.set(r.name, [...(held.get(r.name) ?? []), r.content]);
  let ok = 0;
  for (let i = 0; i < RECORDS; i++) {
    const v = held.get(`${label(i)}.${APEX.slice(0, -1)}`);
    if (v?.length === 1 && v[0] === value(i)) ok++;
  }
  return ok;
}

export function collect(rig: Rig, ctx: PhaseCtx, complete: boolean): PhaseResult {
  const r53emu: Route53Stats = rig.r53emu.stats();
  const cfemu: EmulatorStats = rig.cfemu.stats();
  const statuses = rig.mgr.statuses();
  const events = rig.events.slice(ctx.base.events);
  const since = (at: number | null): number | null => (at === null ? null : at - ctx.t0);

  const common = (t: Target) => {
    const m = rig.metered[t];
    const reads = m.reads.slice(ctx.base.reads[t]);
    const applies = m.applies.slice(ctx.base.applies[t]);
    const pub = rig.published.get(pubKey(t, ctx.serial)) ?? null;
    const st = statuses.find((s) => s.target === t);
    const done = applies.filter((a) => a.report !== null);
    const last = done.at(-1)?.plan ?? applies.at(-1)?.plan ?? null;
    return {
      reads,
      applies,
      pub,
      plan: { creates: last?.creates ?? 0, updates: last?.updates ?? 0, deletes: last?.deletes ?? 0 },
      applied: done.flatMap((a) => a.report!.changes.filter((c) => c.ok).map((c) => c.kind)),
      syncFailures: events.filter((e) => e.type === 'sync-failed' && e.target === t).length,
      failedAttempts: applies.filter((a) => a.error !== null).length + reads.filter((r) => r.error).length,
      status: {
        appliedSerial: st?.appliedSerial ?? null,
        inSync: st?.inSync ?? false,
        lastError: st?.lastError?.message ?? null,
      },
    };
  };

  const r = common(R53);
  // Each applied change is one CREATE / UPSERT / DELETE of the record (its marker rides along).
  // An apply still running (a partial report) has no report yet: count what it was asked to do.
  const inFlight = r.applies.find((a) => a.report === null && a.error === null);
  const r53Writes = inFlight ? inFlight.plan.changes : r.applied.length;
  const kinds = new Set(r.applied);
  const r53Label = inFlight
    ? 'changes planned'
    : kinds.size === 1
      ? `${{ create: 'CREATE', update: 'UPSERT', delete: 'DELETE' }[[...kinds][0]!]}s`
      : 'changes';
  const r53Batches = r53emu.changeBatches;
  const r53BatchCalls = r53emu.calls.ChangeResourceRecordSets ?? 0;
  const r53Allowed = Math.ceil(r53Writes / R53_UPSERTS_PER_BATCH);
  const r53Writes0 = r53emu.requests
    .filter((q) => q.op === 'ChangeResourceRecordSets' && q.at >= ctx.t0)
    .map((q) => q.at);
  const route53: TargetResult = {
    target: R53,
    converged: r.pub !== null,
    convergedMs: since(r.pub?.at ?? null),
    callbackMs: since(r.pub?.firedAt ?? null),
    writesDoneMs: r53Writes0.length > 0 ? Math.max(...r53Writes0) - ctx.t0 : null,
    readMs: sum(r.reads.map((x) => x.endedAt - x.startedAt)),
    applyMs: sum(r.applies.map((x) => (x.endedAt || clock.now()) - x.startedAt)),
    reads: r.reads.length,
    applies: r.applies.length,
    plan: r.plan,
    apiCalls: sum(Object.values(r53emu.calls)),
    callsByOp: r53emu.calls,
    providerApiCalls: rig.r53.stats().apiCalls - ctx.base.r53.apiCalls,
    batches: r53Batches,
    batchCalls: r53BatchCalls,
    writes: r53Writes,
    writesLabel: r53Label,
    changeElements: r53emu.changes,
    ratio: r53Writes > 0 ? (r53BatchCalls * R53_UPSERTS_PER_BATCH) / r53Writes : null,
    ratioUnit: R53_UPSERTS_PER_BATCH,
    allowedBatches: r53Allowed,
    pass: complete ? r53Writes === 0 || r53BatchCalls <= r53Allowed : null,
    throttled: r53emu.throttled,
    priorRequestNotComplete: r53emu.priorRequestNotComplete,
    requestRetries: rig.r53.stats().retries - ctx.base.r53.retries,
    syncFailures: Math.max(r.syncFailures, r.failedAttempts),
    retriesByCode: retryCodes(R53, ctx.base.logs),
    verified: verifyR53(rig, ctx.value),
    status: r.status,
  };

  const c = common(CF);
  const cfNow = rig.cf.stats();
  const cfWrites = cfemu.changes;
  const cfBatchCalls = cfemu.calls['records.batch'] ?? 0;
  const cfAllowed = Math.ceil(cfWrites / CF_CHANGES_PER_BATCH);
  const lastCfApply = c.applies.filter((a) => a.report !== null).at(-1);
  const cloudflare: TargetResult = {
    target: CF,
    converged: c.pub !== null,
    convergedMs: since(c.pub?.at ?? null),
    callbackMs: since(c.pub?.firedAt ?? null),
    writesDoneMs: since(lastCfApply?.report?.publishedAt ?? null),
    readMs: sum(c.reads.map((x) => x.endedAt - x.startedAt)),
    applyMs: sum(c.applies.map((x) => (x.endedAt || clock.now()) - x.startedAt)),
    reads: c.reads.length,
    applies: c.applies.length,
    plan: c.plan,
    apiCalls: cfemu.requests,
    callsByOp: cfemu.calls,
    providerApiCalls: cfNow.apiCalls - ctx.base.cf.apiCalls,
    batches: cfemu.batchCalls,
    batchCalls: cfBatchCalls,
    writes: cfWrites,
    writesLabel: 'changes',
    changeElements: null,
    ratio: cfWrites > 0 ? (cfBatchCalls * CF_CHANGES_PER_BATCH) / cfWrites : null,
    ratioUnit: CF_CHANGES_PER_BATCH,
    allowedBatches: cfAllowed,
    pass: complete ? cfWrites === 0 || cfBatchCalls <= cfAllowed : null,
    throttled: cfemu.rateLimited,
    priorRequestNotComplete: 0,
    requestRetries: cfNow.retries - ctx.base.cf.retries,
    syncFailures: Math.max(c.syncFailures, c.failedAttempts),
    retriesByCode: retryCodes(CF, ctx.base.logs),
    verified: verifyCf(rig, ctx.value),
    status: c.status,
  };

  const byType: Record<string, number> = {};
  for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
  const conv = [route53.convergedMs, cloudflare.convergedMs];
  return {
    name: ctx.name,
    serial: ctx.serial,
    description: ctx.description,
    complete,
    convergedMs: conv.every((x) => x !== null) ? Math.max(...conv.filter((x) => x !== null)) : null,
    targets: { route53, cloudflare },
    events: byType,
  };
}

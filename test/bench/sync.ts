/**
 * bench:sync — RECORDS (default 1,000) failover records flip at once, synced by the real SyncManager to a
 * Route 53 and a Cloudflare target, each pointed at its emulator running the vendor's published limits:
 *   Route 53: 5 requests/s per account (Throttling beyond it), changes PENDING for INSYNC_MS (default 1 s)
 *   Cloudflare: 1,200 requests per 5 minutes per token (429 + Retry-After beyond it), 200 changes per batch (Free)
 * Phase 1 publishes every record (creates) and is reported on its own; phase 2, the measured one, flips
 * every record from PRIMARY to SECONDARY in one new zone state. For each phase and target it prints the API
 * calls (by operation, as the emulator counted them), the change batches, the changes, the retries and
 * throttles, and the time from notify() until the target confirmed the new serial (onPublished), then
 * checks every record in each emulator. Targets: ≤ 1 Route 53 change batch per 500 UPSERTs and ≤ 1
 * Cloudflare batch call per 200 changes. A missed target prints FAIL and still exits 0; an error, a wrong
 * record or the overall timeout (TIMEOUT_MS, default 120 s) exits non-zero after printing what it has.
 *
 * The bench runs with the default plan-safety guard (sync.allowUnsafe: false): a mass flip between
 * configured answers is a failover decision, which the share rule does not count. Options: RECORDS, TIMEOUT_MS, INSYNC_MS (env);
 * --prior-request-not-complete makes the Route 53 emulator refuse a zone's next change while one is PENDING.
 */
import { MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import {
  checkPlanSafety,
  createPlan,
  desiredRecords,
  failoverAnswerValues,
  failoverKeys,
  summarizePlan,
  type ApplyReport,
  type DnsProvider,
  type NewEvent,
  type NormalizeResult,
  type Plan,
  type PlanSummary,
  type ProviderRecord,
  type SafetyViolation,
  type UnderstudyConfig,
  type ZoneRead,
  type ZoneState,
} from '@understudy/core';
import { CloudflareProvider } from '@understudy/provider-cloudflare';
import { Route53Provider } from '@understudy/provider-route53';
import { SyncManager } from '@understudy/sync';
import { recordingLogger } from '@understudy/testkit/logger';
import {
  REAL_RATE_LIMIT,
  startCloudflareEmulator,
  type CloudflareEmulator,
  type EmulatorStats,
} from '../emulators/cloudflare/index.js';
import { startRoute53Emulator, type Route53Emulator, type Route53Stats } from '../emulators/route53/index.js';

const RECORDS = Number(process.env.RECORDS ?? 1000);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 120_000);
const INSYNC_MS = Number(process.env.INSYNC_MS ?? 1000);
const PRIOR_REQUEST = process.argv.includes('--prior-request-not-complete');
const R53_RPS = 5; // Route 53: 5 requests/s per AWS account, every API
const CF_BATCH = 200; // Cloudflare Free plan: 200 changes per /dns_records/batch
const R53_UPSERTS_PER_BATCH = 500; // target: ≤ 1 change batch per 500 UPSERTs
const CF_CHANGES_PER_BATCH = 200; // target: ≤ 1 batch call per 200 changes
const APEX = 'bench.example.';
const TOKEN = 'bench-token';
const R53 = 'route53';
const CF = 'cloudflare';
const TARGETS = [R53, CF] as const;
type Target = (typeof TARGETS)[number];

if (!Number.isInteger(RECORDS) || RECORDS < 1 || RECORDS > 65_536) throw new Error('RECORDS: 1 to 65536');
if (!(TIMEOUT_MS > 0) || !(INSYNC_MS >= 0)) throw new Error('TIMEOUT_MS must be > 0 and INSYNC_MS ≥ 0');

const clock = { now: (): number => Date.now() };
const started = clock.now();
const logs = recordingLogger();

// ---------------------------------------------------------------------------------------------- fixtures

const label = (i: number): string => `r${String(i).padStart(5, '0')}`;
const ip = (net: number, i: number): string => `10.${net}.${i >> 8}.${i & 255}`;
const PRIMARY = (i: number): string => ip(1, i);
const SECONDARY = (i: number): string => ip(2, i);

function benchConfig(r53Url: string, cfUrl: string): UnderstudyConfig {
  const doc = {
    regions: ['bench'],
    zones: [
      {
        apex: APEX,
        ns: [`ns1.${APEX}`],
        failover: Array.from({ length: RECORDS }, (_, i) => ({
          name: label(i),
          type: 'A',
          ttl: 60,
          answers: [
            { name: 'primary', values: [PRIMARY(i)], check: null },
            { name: 'secondary', values: [SECONDARY(i)], check: null },
          ],
        })),
      },
    ],
    // Everything not given here is the production default (client 5 req/s, GetChange every 2 s,
    // Cloudflare batchSize 200 and 1,200 requests per 5 minutes, maxChangeShare 0.5).
    targets: [
      {
        name: R53,
        type: 'route53',
        zones: [{ apex: APEX }],
        endpoint: r53Url,
        accessKeyId: 'AKIDBENCH',
        secretAccessKey: 'bench-secret',
      },
      { name: CF, type: 'cloudflare', zones: [{ apex: APEX }], endpoint: cfUrl, apiToken: TOKEN },
    ],
    // The default guard: a mass flip is what a real outage does, and it must pass (see guardCheck).
    sync: { allowUnsafe: false, ownerId: 'bench' },
  };
  return parseConfig(JSON.stringify(doc), { source: 'bench-sync.yaml', baseDir: process.cwd() }).config;
}

function zoneState(serial: number, value: (i: number) => string): ZoneState {
  return {
    serial,
    epoch: 1,
    generatedAt: clock.now(),
    zones: [
      {
        apex: APEX,
        rrsets: Array.from({ length: RECORDS }, (_, i) => ({
          name: `${label(i)}.${APEX}`,
          type: 'A' as const,
          ttl: 60,
          values: [value(i)],
        })),
      },
    ],
  };
}

// -------------------------------------------------------------------------------- a metering decorator

interface ApplyLog {
  startedAt: number;
  endedAt: number;
  plan: PlanSummary;
  report: ApplyReport | null;
  error: string | null;
}

/** The real provider, with every read and apply timed and every report kept. */
class Metered implements DnsProvider {
  readonly name: string;
  readonly type: DnsProvider['type'];
  readonly reads: { startedAt: number; endedAt: number; error: string | null }[] = [];
  readonly applies: ApplyLog[] = [];

  constructor(readonly inner: DnsProvider) {
    this.name = inner.name;
    this.type = inner.type;
  }

  async read(zone: string): Promise<ZoneRead> {
    const startedAt = clock.now();
    const entry = { startedAt, endedAt: startedAt, error: null as string | null };
    this.reads.push(entry);
    try {
      return await this.inner.read(zone);
    } catch (err) {
      entry.error = errorText(err);
      throw err;
    } finally {
      entry.endedAt = clock.now();
    }
  }

  normalize(desired: ProviderRecord[]): NormalizeResult {
    return this.inner.normalize(desired);
  }

  async apply(plan: Plan): Promise<ApplyReport> {
    const entry: ApplyLog = {
      startedAt: clock.now(),
      endedAt: 0,
      plan: summarizePlan(plan),
      report: null,
      error: null,
    };
    this.applies.push(entry);
    try {
      entry.report = await this.inner.apply(plan);
      return entry.report;
    } catch (err) {
      entry.error = errorText(err);
      throw err;
    } finally {
      entry.endedAt = clock.now();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// ------------------------------------------------------------------------------------- the plan guard

interface GuardVerdict {
  target: Target;
  safe: boolean;
  changes: number;
  owned: number;
  violations: SafetyViolation[];
}

/**
 * What the share guard says about the flip, computed with the same pure functions planTarget uses
 * (normalize, createPlan, checkPlanSafety) on the records phase 1 left owned: no API call is spent on it.
 */
function guardCheck(
  config: UnderstudyConfig,
  providers: Record<Target, DnsProvider>,
  before: ZoneState,
  after: ZoneState,
): GuardVerdict[] {
  return TARGETS.map((t) => {
    const p = providers[t];
    const owned = p.normalize(desiredRecords(config, before, APEX)).records;
    const want = p.normalize(desiredRecords(config, after, APEX)).records;
    const plan = createPlan(t, APEX, { zone: APEX, owned, foreign: [] }, want, { takeover: false });
    const s = checkPlanSafety(plan, {
      ownedCount: owned.length,
      maxChangeShare: config.sync.maxChangeShare,
      protectedKeys: failoverKeys(config, APEX),
      decisions: failoverAnswerValues(config, APEX),
    });
    return {
      target: t,
      safe: s.safe,
      changes: summarizePlan(plan).changes,
      owned: owned.length,
      violations: s.violations,
    };
  });
}

// ------------------------------------------------------------------------------------------- counting

interface Baseline {
  r53: { apiCalls: number; retries: number };
  cf: { apiCalls: number; retries: number; rateLimited: number; batches: number };
  reads: Record<Target, number>;
  applies: Record<Target, number>;
  events: number;
  logs: number;
}

interface TargetResult {
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

interface PhaseResult {
  name: string;
  serial: number;
  description: string;
  complete: boolean;
  convergedMs: number | null;
  targets: Record<Target, TargetResult>;
  events: Record<string, number>;
}

interface Rig {
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

interface PhaseCtx {
  name: string;
  serial: number;
  description: string;
  t0: number;
  base: Baseline;
  value: (i: number) => string;
}

function baseline(rig: Rig): Baseline {
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

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const pubKey = (t: string, serial: number): string => `${t}#${serial}`;

function retryCodes(t: Target, since: number): Record<string, number> {
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

function verifyR53(rig: Rig, value: (i: number) => string): number {
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

function verifyCf(rig: Rig, value: (i: number) => string): number {
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

function collect(rig: Rig, ctx: PhaseCtx, complete: boolean): PhaseResult {
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

// -------------------------------------------------------------------------------------------- output

const ms = (x: number | null): string => (x === null ? '—' : String(Math.round(x)));
const opsText = (calls: Record<string, number>): [string, number][] =>
  Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));

function phaseTable(p: PhaseResult): string {
  const r = p.targets.route53;
  const c = p.targets.cloudflare;
  const rows: [string, string, string][] = [];
  const row = (name: string, f: (t: TargetResult) => string): void => void rows.push([name, f(r), f(c)]);
  row('converged (ms after notify)', (t) => ms(t.convergedMs));
  row('  onPublished fired (ms)', (t) => ms(t.callbackMs));
  row('  last write accepted (ms)', (t) => ms(t.writesDoneMs));
  row('  time in read / apply (ms)', (t) => `${ms(t.readMs)} / ${ms(t.applyMs)}`);
  row(
    'plan: creates / updates / deletes',
    (t) => `${t.plan.creates} / ${t.plan.updates} / ${t.plan.deletes}`,
  );
  row('API calls (emulator)', (t) => String(t.apiCalls));
  const ops = new Set([...Object.keys(r.callsByOp), ...Object.keys(c.callsByOp)]);
  for (const op of [...ops].sort())
    row(`  ${op}`, (t) => (t.callsByOp[op] === undefined ? '' : String(t.callsByOp[op])));
  row('API calls (provider count)', (t) => String(t.providerApiCalls));
  row('writes', (t) => `${t.writes} ${t.writesLabel}`);
  row('  Change elements (record+marker)', (t) =>
    t.changeElements === null ? '' : String(t.changeElements),
  );
  row('batches accepted / batch calls', (t) => `${t.batches} / ${t.batchCalls}`);
  row('batch calls per unit', (t) =>
    t.ratio === null ? '—' : `${t.ratio.toFixed(2)} per ${t.ratioUnit} ${t.writesLabel}`,
  );
  row('target', (t) => `≤ 1 per ${t.ratioUnit} (≤ ${t.allowedBatches})`);
  row('result', (t) => (t.pass === null ? 'incomplete' : t.writes === 0 ? 'n/a' : t.pass ? 'PASS' : 'FAIL'));
  row('throttled (Throttling / 429)', (t) => String(t.throttled));
  row('PriorRequestNotComplete', (t) => (t.target === R53 ? String(t.priorRequestNotComplete) : ''));
  row('request retries (provider)', (t) => {
    const codes = opsText(t.retriesByCode)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return codes ? `${t.requestRetries} (${codes})` : String(t.requestRetries);
  });
  row('failed sync attempts (re-run)', (t) => String(t.syncFailures));
  row('reads / applies', (t) => `${t.reads} / ${t.applies}`);
  row('records serving the new value', (t) => (t.verified === null ? '—' : `${t.verified}/${RECORDS}`));
  row('status: appliedSerial / inSync', (t) => `${t.status.appliedSerial ?? '—'} / ${t.status.inSync}`);
  if (r.status.lastError || c.status.lastError)
    row('status: lastError', (t) => (t.status.lastError ?? '').slice(0, 60));
  const w0 = Math.max(...rows.map((x) => x[0].length)) + 2;
  const w = Math.max(14, ...rows.flatMap((x) => [x[1].length, x[2].length])) + 2;
  const line = (a: string, b: string, d: string): string => `${a.padEnd(w0)}${b.padStart(w)}${d.padStart(w)}`;
  const events = opsText(p.events)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  return [
    `${p.name} — ${p.description}${p.complete ? '' : ' [INCOMPLETE]'}`,
    line('', R53, CF),
    '-'.repeat(w0 + 2 * w),
    ...rows.map(([a, b, d]) => line(a, b, d)),
    `every target converged: ${p.convergedMs === null ? 'NO' : `${ms(p.convergedMs)} ms after notify`}`,
    `sync events: ${events || 'none'}`,
  ].join('\n');
}

function summaryJson(
  phases: PhaseResult[],
  guard: GuardVerdict[] | null,
  error: string | null,
): Record<string, unknown> {
  const brief = (t: TargetResult) => ({
    convergedMs: t.convergedMs,
    apiCalls: t.apiCalls,
    calls: t.callsByOp,
    batches: t.batches,
    batchCalls: t.batchCalls,
    writes: t.writes,
    writesAre: t.writesLabel,
    [`batchCallsPer${t.ratioUnit}`]: t.ratio === null ? null : Number(t.ratio.toFixed(3)),
    pass: t.pass,
    throttled: t.throttled,
    ...(t.target === R53 ? { priorRequestNotComplete: t.priorRequestNotComplete } : {}),
    retries: t.requestRetries,
    syncFailures: t.syncFailures,
    verified: t.verified,
  });
  const flip = phases.find((p) => p.serial === 2) ?? null;
  return {
    bench: 'sync',
    records: RECORDS,
    ok: error === null,
    ...(error === null ? {} : { error }),
    pass: flip?.complete === true && TARGETS.every((t) => flip.targets[t].pass === true),
    limits: {
      route53: {
        requestsPerSecond: R53_RPS,
        insyncDelayMs: INSYNC_MS,
        priorRequestWhilePending: PRIOR_REQUEST,
      },
      cloudflare: {
        requests: REAL_RATE_LIMIT.requests,
        windowMs: REAL_RATE_LIMIT.windowMs,
        batchLimit: CF_BATCH,
      },
    },
    guard:
      guard === null
        ? null
        : {
            allowUnsafe: false,
            wouldRefuse: guard.some((g) => !g.safe),
            violations: guard.flatMap((g) => g.violations.map((v) => v.message)),
          },
    phases: Object.fromEntries(
      phases.map((p) => [
        p.serial === 1 ? 'initial' : 'flip',
        {
          complete: p.complete,
          convergedMs: p.convergedMs,
          route53: brief(p.targets.route53),
          cloudflare: brief(p.targets.cloudflare),
        },
      ]),
    ),
    totalMs: clock.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------- main

const phases: PhaseResult[] = [];
let rig: Rig | null = null;
let current: PhaseCtx | null = null;
let guard: GuardVerdict[] | null = null;
let finished = false;

function report(error: string | null): void {
  for (const p of phases) console.log(`\n${phaseTable(p)}`);
  if (current && rig) {
    try {
      console.log(`\n${phaseTable(collect(rig, current, false))}`);
    } catch (err) {
      console.log(`\n(${current.name}: could not collect partial figures: ${errorText(err)})`);
    }
  }
  if (error !== null) console.log(`\nERROR: ${error}`);
  const partial = current && rig ? [...phases, collect(rig, current, false)] : phases;
  console.log(JSON.stringify(summaryJson(partial, guard, error)));
}

/** Print what there is and leave without waiting for anything (a hung emulator or provider included). */
function abort(error: string, code: number): void {
  if (finished) return;
  finished = true;
  try {
    report(error);
  } finally {
    process.exit(code);
  }
}

const watchdog = setTimeout(
  () => abort(`timed out after ${TIMEOUT_MS} ms (overall limit, TIMEOUT_MS)`, 2),
  TIMEOUT_MS,
);

async function waitPublished(r: Rig, serial: number): Promise<void> {
  while (!TARGETS.every((t) => r.published.has(pubKey(t, serial))))
    await new Promise((res) => setTimeout(res, 5));
}

async function runPhase(
  r: Rig,
  name: string,
  description: string,
  serial: number,
  value: (i: number) => string,
): Promise<PhaseResult> {
  const zs = zoneState(serial, value);
  r.r53emu.resetStats();
  r.cfemu.resetStats();
  current = { name, serial, description, t0: clock.now(), base: baseline(r), value };
  r.mgr.notify(zs);
  await waitPublished(r, serial);
  await r.mgr.idle();
  const result = collect(r, current, true);
  phases.push(result);
  current = null;
  return result;
}

async function main(): Promise<number> {
  const r53emu = await startRoute53Emulator({
    faults: {
      requestsPerSecond: R53_RPS,
      insyncDelayMs: INSYNC_MS,
      priorRequestWhilePending: PRIOR_REQUEST,
    },
  });
  const r53ZoneId = r53emu.createZone(APEX);
  const cfemu = await startCloudflareEmulator({
    tokens: [TOKEN],
    zones: [{ name: APEX.slice(0, -1) }],
    batchLimit: CF_BATCH,
    faults: { rateLimit: REAL_RATE_LIMIT },
  });
  const config = benchConfig(r53emu.url, cfemu.url);
  const random = { next: () => Math.random() };
  const ownerId = config.sync.ownerId;
  const providerLog = (t: string) => logs.child({ component: 'provider', target: t });
  let r53: Route53Provider | null = null;
  let cf: CloudflareProvider | null = null;
  for (const t of config.targets) {
    if (t.type === 'route53')
      r53 = new Route53Provider(t, { ownerId, logger: providerLog(t.name), clock, random });
    else cf = new CloudflareProvider(t, { ownerId, logger: providerLog(t.name), clock, random });
  }
  if (!r53 || !cf) throw new Error('bench config lacks a target');
  const metered = { route53: new Metered(r53), cloudflare: new Metered(cf) };
  const events: NewEvent[] = [];
  const published = new Map<string, { at: number; firedAt: number }>();
  const store = await MemoryStateStore.open();
  const mgr = new SyncManager({
    providers: [metered.route53, metered.cloudflare],
    config,
    store,
    clock,
    random,
    logger: logs,
    onEvent: (e) => void events.push(e),
    onPublished: (target, serial, at) =>
      void published.set(pubKey(target, serial), { at, firedAt: clock.now() }),
    epoch: () => 1,
  });
  rig = { config, r53emu, r53ZoneId, cfemu, r53, cf, metered, mgr, events, published };

  const r53t = config.targets.find((t) => t.type === 'route53');
  const cft = config.targets.find((t) => t.type === 'cloudflare');
  console.log(
    `bench:sync — ${RECORDS} failover records (A, PRIMARY/SECONDARY) in ${APEX}, targets ${R53} + ${CF}`,
  );
  console.log(
    `emulators: Route 53 ${R53_RPS} req/s per account (Throttling beyond), PENDING→INSYNC ${INSYNC_MS} ms` +
      `${PRIOR_REQUEST ? ', PriorRequestNotComplete while a change is PENDING' : ''}; ` +
      `Cloudflare ${REAL_RATE_LIMIT.requests} req / ${REAL_RATE_LIMIT.windowMs / 1000} s per token (429 + Retry-After), batch limit ${CF_BATCH} (Free)`,
  );
  if (r53t?.type === 'route53' && cft?.type === 'cloudflare')
    console.log(
      `clients (production defaults): route53 ${r53t.requestsPerSecond} req/s, GetChange every ${r53t.pollInterval} ms; ` +
        `cloudflare batchSize ${cft.batchSize}, ${cft.rateLimit.requests} req / ${cft.rateLimit.window / 1000} s; ` +
        `sync.maxChangeShare ${config.sync.maxChangeShare}, real clock, overall limit ${TIMEOUT_MS} ms`,
    );

  await mgr.start();
  const initial = zoneState(1, PRIMARY);
  const flip = zoneState(2, SECONDARY);
  await runPhase(rig, 'Phase 1: initial publish', `serial 1, ${RECORDS} records created`, 1, PRIMARY);

  guard = guardCheck(config, metered, initial, flip);
  const refused = guard.filter((g) => !g.safe);
  console.log(
    refused.length === 0
      ? `\nplan-safety guard: the flip passes (maxChangeShare ${config.sync.maxChangeShare})`
      : `\nplan-safety guard: the flip is REFUSED on ${refused.length} of ${guard.length} targets (the targets will not converge):\n` +
          refused.flatMap((g) => g.violations.map((v) => `  ${v.kind}: ${v.message}`)).join('\n'),
  );

  await runPhase(
    rig,
    'Phase 2 (measured): mass flip',
    `serial 2, all ${RECORDS} records PRIMARY → SECONDARY in one zone state`,
    2,
    SECONDARY,
  );

  const bad = phases.flatMap((p) =>
    TARGETS.filter((t) => p.targets[t].verified !== RECORDS).map(
      (t) => `${p.name}: ${t} serves the new value on ${p.targets[t].verified}/${RECORDS} records`,
    ),
  );
  const mismatch = phases.flatMap((p) =>
    TARGETS.filter((t) => p.targets[t].apiCalls !== p.targets[t].providerApiCalls).map(
      (t) =>
        `${p.name}: ${t} emulator counted ${p.targets[t].apiCalls} API calls, the provider ${p.targets[t].providerApiCalls}`,
    ),
  );
  clearTimeout(watchdog);
  finished = true;
  await mgr.close();
  await Promise.all([r53.close(), cf.close(), store.close()]);
  await Promise.all([r53emu.close(), cfemu.close()]);

  for (const p of phases) console.log(`\n${phaseTable(p)}`);
  for (const m of mismatch) console.log(`note: ${m}`);
  const f = phases[1]!;
  const r = f.targets.route53;
  const c = f.targets.cloudflare;
  console.log(
    `\nflip: every target converged in ${ms(f.convergedMs)} ms; ` +
      `Route 53 ${r.batchCalls} change batch call(s) for ${r.writes} UPSERTs (target ≤ ${r.allowedBatches}) ${r.pass ? 'PASS' : 'FAIL'}; ` +
      `Cloudflare ${c.batchCalls} batch call(s) for ${c.writes} changes (target ≤ ${c.allowedBatches}) ${c.pass ? 'PASS' : 'FAIL'}`,
  );
  const error = bad.length > 0 ? bad.join('; ') : null;
  if (error) console.log(`ERROR: ${error}`);
  console.log(JSON.stringify(summaryJson(phases, guard, error)));
  return error ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => abort(err instanceof Error ? (err.stack ?? err.message) : String(err), 1),
);

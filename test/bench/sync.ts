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
import type { NewEvent } from '@understudy/core';
import { CloudflareProvider } from '@understudy/provider-cloudflare';
import { Route53Provider } from '@understudy/provider-route53';
import { SyncManager } from '@understudy/sync';
import { REAL_RATE_LIMIT, startCloudflareEmulator } from '../emulators/cloudflare/index.js';
import { startRoute53Emulator } from '../emulators/route53/index.js';
import {
  APEX,
  CF,
  CF_BATCH,
  INSYNC_MS,
  Metered,
  PRIMARY,
  PRIOR_REQUEST,
  R53,
  R53_RPS,
  RECORDS,
  SECONDARY,
  TARGETS,
  TIMEOUT_MS,
  TOKEN,
  benchConfig,
  clock,
  errorText,
  guardCheck,
  logs,
  type GuardVerdict,
  zoneState,
} from './sync-fixtures.js';
import { baseline, collect, pubKey, type PhaseCtx, type PhaseResult, type Rig } from './sync-collect.js';
import { ms, phaseTable, summaryJson } from './sync-output.js';

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

/** bench:sync's output: a table per phase and the JSON summary. */
import { REAL_RATE_LIMIT } from '../emulators/cloudflare/index.js';
import {
  CF,
  CF_BATCH,
  INSYNC_MS,
  PRIOR_REQUEST,
  R53,
  R53_RPS,
  RECORDS,
  TARGETS,
  clock,
  started,
  type GuardVerdict,
} from './sync-fixtures.js';
import type { PhaseResult, TargetResult } from './sync-collect.js';

// -------------------------------------------------------------------------------------------- output

export const ms = (x: number | null): string => (x === null ? '—' : String(Math.round(x)));
export const opsText = (calls: Record<string, number>): [string, number][] =>
  Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));

export function phaseTable(p: PhaseResult): string {
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

export function summaryJson(
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

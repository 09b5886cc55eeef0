/** Connects role hooks to the Prometheus families in @understudy/observability. */
import type {
  ApplyReport,
  DecisionEngine,
  DecisionEvent,
  EngineOutput,
  ResultBatch,
  TargetSyncStatus,
  UnderstudyConfig,
} from '@understudy/core';
import type { DeciderMetrics } from '@understudy/decider';
import { rcodeName, type LatencySamples, type QueryCount } from '@understudy/dns-server';
import type { UnderstudyMetrics } from '@understudy/observability';
import { recordMetrics, type RecordMetrics } from './record-metrics.js';

const PHASES = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['firstByte', 'first_byte'],
] as const;

export function deciderMetrics(m: UnderstudyMetrics, config: UnderstudyConfig): DeciderMetrics {
  const records = recordMetrics(m, config);
  for (const zone of config.zones)
    for (const rec of zone.failover) records.answer(rec.id, rec.answers[0]!.name);
  let seeded = false;
  return {
    ingested(batch: ResultBatch, out: EngineOutput, engine: DecisionEngine, now: number) {
      if (out.stats.accepted) m.resultsIngested.inc({ region: batch.region }, out.stats.accepted);
      for (const r of batch.results) {
        const h = engine.state.checks[r.checkId]?.regions[r.region];
        if (!h || h.lastObservedAt !== r.observedAt) continue; // not applied (stale or unknown)
        m.deciderLag.observe(Math.max(0, now - r.observedAt) / 1000);
        const labels = { check: r.checkId, region: r.region };
        if (h.state !== 'unknown') m.checkUp.set(labels, h.state === 'up' ? 1 : 0);
        m.checkDuration.observe(labels, r.timings.total / 1000);
        m.checkResults.inc({ ...labels, outcome: r.ok ? 'ok' : (r.reason ?? 'failed') });
        if (r.certExpiresAt !== undefined) m.certExpiry.set({ check: r.checkId }, r.certExpiresAt / 1000);
        for (const [key, phase] of PHASES) {
          const v = r.timings[key];
          if (v !== undefined) m.checkPhaseDuration.observe({ phase, region: r.region }, v / 1000);
        }
      }
    },
    output(out: EngineOutput, engine: DecisionEngine) {
      if (!seeded) {
        seeded = true;
        seedFromState(m, records, engine);
      }
      for (const e of out.events) {
        m.events.inc({ type: e.type });
        conditionGauges(m, records, e);
        if (e.type === 'answer-switched' && e.record && e.from && e.to) {
          records.switched(e.record, e.from, e.to);
          records.answer(e.record, e.to);
        }
        if (e.type === 'verdict-changed' && e.check && e.to !== 'unknown')
          m.checkVerdict.set({ check: e.check }, e.to === 'up' ? 1 : 0);
      }
      if (out.delta) m.zoneSerial.set(out.delta.serial);
    },
  };
}

/** Gauges for conditions the alerts watch, from the state a (re)started decider resumes with. */
function seedFromState(m: UnderstudyMetrics, records: RecordMetrics, engine: DecisionEngine): void {
  const st = engine.state;
  for (const [id, rs] of Object.entries(st.records)) {
    records.answer(id, rs.active.kind === 'none' ? 'none' : rs.active.name);
    records.allDown(id, rs.allDown);
  }
  for (const [region, rs] of Object.entries(st.regions)) m.regionStale.set({ region }, rs.stale ? 1 : 0);
  m.guardHolding.set(st.guard.holding ? 1 : 0);
}

function conditionGauges(m: UnderstudyMetrics, records: RecordMetrics, e: DecisionEvent): void {
  switch (e.type) {
    case 'region-stale':
    case 'region-fresh':
      if (e.region) m.regionStale.set({ region: e.region }, e.type === 'region-stale' ? 1 : 0);
      break;
    case 'all-down':
    case 'all-down-cleared':
      if (e.record) records.allDown(e.record, e.type === 'all-down');
      break;
    case 'guard-hold':
    case 'guard-release':
      m.guardHolding.set(e.type === 'guard-hold' ? 1 : 0);
      break;
    default:
  }
}

/**
 * The DNS server counts queries in memory and hands them over in batches, about once a second, with
 * the answer latencies it sampled in the same interval.
 */
export function dnsQueryCounter(m: UnderstudyMetrics): {
  onQueries: (counts: QueryCount[], latency?: LatencySamples) => void;
} {
  return {
    onQueries: (counts, latency) => {
      for (const c of counts) m.dnsQueries.inc({ rcode: rcodeName(c.rcode), transport: c.transport }, c.n);
      for (const s of latency?.seconds ?? []) m.dnsAnswerLatency.observe(s);
    },
  };
}

/** For the sync loop (per target): API use from apply reports, error kinds, and the status it saves. */
export function syncMetrics(m: UnderstudyMetrics): {
  applied(report: ApplyReport, operation?: string): void;
  apiCalls(target: string, operation: string, calls: number, retries?: number): void;
  error(target: string, kind: string): void;
  status(status: TargetSyncStatus): void;
} {
  const calls = (target: string, operation: string, n: number, retries = 0): void => {
    if (n > 0) m.providerApiCalls.inc({ target, operation }, n);
    if (retries > 0) m.providerRetries.inc({ target }, retries);
  };
  return {
    applied: (r, operation = 'apply') => calls(r.target, operation, r.apiCalls, r.retries),
    apiCalls: calls,
    error: (target, kind) => m.providerApiErrors.inc({ target, kind }),
    status: (s) => m.setTargetStatus(s),
  };
}

/** Fits DeciderLeadership's onChange (distributed mode); embedded mode calls it once with leading = true. */
export function leaseMetrics(
  m: UnderstudyMetrics,
  holder: string,
): { onChange: (leading: boolean, detail: { epoch?: number }) => void } {
  let epoch = 0;
  return {
    onChange: (leading, detail) => {
      epoch = detail.epoch ?? epoch;
      m.setLease(leading ? holder : null, epoch, leading);
    },
  };
}

/**
 * Polls queue counts (BullMQ's getJobCounts, say) into understudy_queue_depth. A failed read keeps the
 * last values; the caller closes the poller with its queue.
 */
export function pollQueueDepth(
  m: UnderstudyMetrics,
  queue: string,
  read: () => Promise<Record<string, number>>,
  intervalMs = 5000,
): { close(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    read()
      .then((counts) => m.setQueueDepth(queue, counts))
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}

/** Connects role hooks to the Prometheus families in @understudy/observability. */
import type { DecisionEngine, EngineOutput, ResultBatch, UnderstudyConfig } from '@understudy/core';
import type { DeciderMetrics } from '@understudy/decider';
import { rcodeName, type QueryCount } from '@understudy/dns-server';
import type { UnderstudyMetrics } from '@understudy/observability';

const PHASES = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['firstByte', 'first_byte'],
] as const;

export function deciderMetrics(m: UnderstudyMetrics, config: UnderstudyConfig): DeciderMetrics {
  for (const zone of config.zones)
    for (const rec of zone.failover) m.setCurrentAnswer(rec.id, rec.answers[0]!.name);
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
        for (const [key, phase] of PHASES) {
          const v = r.timings[key];
          if (v !== undefined) m.checkPhaseDuration.observe({ phase, region: r.region }, v / 1000);
        }
      }
    },
    output(out: EngineOutput, engine: DecisionEngine) {
      if (!seeded) {
        seeded = true;
        for (const [id, rs] of Object.entries(engine.state.records))
          m.setCurrentAnswer(id, rs.active.kind === 'none' ? 'none' : rs.active.name);
      }
      for (const e of out.events) {
        m.events.inc({ type: e.type });
        if (e.type === 'answer-switched' && e.record && e.from && e.to) {
          m.failoverEvents.inc({ record: e.record, from: e.from, to: e.to });
          m.setCurrentAnswer(e.record, e.to);
        }
        if (e.type === 'verdict-changed' && e.check && e.to !== 'unknown')
          m.checkVerdict.set({ check: e.check }, e.to === 'up' ? 1 : 0);
      }
      if (out.zoneState) m.zoneSerial.set(out.zoneState.serial);
    },
  };
}

/** The DNS server counts queries in memory and hands them over in batches, about once a second. */
export function dnsQueryCounter(m: UnderstudyMetrics): { onQueries: (counts: QueryCount[]) => void } {
  return {
    onQueries: (counts) => {
      for (const c of counts) m.dnsQueries.inc({ rcode: rcodeName(c.rcode), transport: c.transport }, c.n);
    },
  };
}

/**
 * Every Understudy metric family in one place (prom-client), so names, labels and buckets are decided once.
 *
 * Cardinality: labels only take values from the config (check ids, regions, record ids, answer names) or
 * from small fixed sets (phase, outcome, rcode, transport, event type). Nothing per query, per IP or per
 * probe instance.
 *
 * DNS hot path: the DNS server counts queries itself and hands over batches about once a second, which
 * are added to understudy_dns_queries_total; nothing here runs per query.
 */
import client from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type CheckPhase = 'dns' | 'connect' | 'tls' | 'first_byte';

export interface MetricsOptions {
  /** Node process metrics (process_*, nodejs_*) under their standard names; default true. */
  defaultMetrics?: boolean;
  /** Labels of understudy_build_info. */
  build?: { version?: string; role?: string };
}

export interface UnderstudyMetrics {
  readonly registry: Registry;
  /** A region's vote for a check: 1 up, 0 down (absent while unknown). */
  readonly checkUp: Gauge<'check' | 'region'>;
  /** The decider's verdict per check: 1 up, 0 down, -1 unknown. */
  readonly checkVerdict: Gauge<'check'>;
  readonly checkDuration: Histogram<'check' | 'region'>;
  /** Per phase, without the check label, to keep series counts flat. */
  readonly checkPhaseDuration: Histogram<'phase' | 'region'>;
  /** outcome: 'ok' or the failure reason. */
  readonly checkResults: Counter<'check' | 'region' | 'outcome'>;
  readonly failoverEvents: Counter<'record' | 'from' | 'to'>;
  /** 1 for the record's active answer, 0 for answers it served before; see setCurrentAnswer. */
  readonly currentAnswer: Gauge<'record' | 'answer'>;
  /** observedAt of a result → the verdict it caused applied. */
  readonly deciderLag: Histogram;
  readonly resultsIngested: Counter<'region'>;
  readonly dnsQueries: Counter<'rcode' | 'transport'>;
  readonly zoneSerial: Gauge;
  readonly events: Counter<'type'>;
  readonly buildInfo: Gauge<'version' | 'role' | 'node'>;

  /** Marks `answer` as the active one of `record` (1) and the previously active one as 0. */
  setCurrentAnswer(record: string, answer: string): void;
}

const CHECK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Builds the families on `registry` (a fresh one by default; a registry can hold them only once). */
export function createMetrics(
  registry: Registry = new client.Registry(),
  opts: MetricsOptions = {},
): UnderstudyMetrics {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new client.Gauge<L>({ name: `understudy_${name}`, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new client.Counter<L>({ name: `understudy_${name}`, help, labelNames, registers });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => new client.Histogram<L>({ name: `understudy_${name}`, help, labelNames, buckets, registers });

  const m = {
    registry,
    checkUp: gauge('check_up', 'Region vote per check: 1 up, 0 down', ['check', 'region']),
    checkVerdict: gauge('check_verdict', 'Decider verdict per check: 1 up, 0 down, -1 unknown', ['check']),
    checkDuration: histogram('check_duration_seconds', 'Check run time', ['check', 'region'], CHECK_BUCKETS),
    checkPhaseDuration: histogram(
      'check_phase_duration_seconds',
      'Check time per phase (dns, connect, tls, first_byte)',
      ['phase', 'region'],
      CHECK_BUCKETS,
    ),
    checkResults: counter('check_results_total', 'Check results by outcome (ok or reason)', [
      'check',
      'region',
      'outcome',
    ]),
    failoverEvents: counter('failover_events_total', 'Answer switches per record', ['record', 'from', 'to']),
    currentAnswer: gauge('current_answer', '1 for the answer a record serves now', ['record', 'answer']),
    deciderLag: histogram('decider_lag_seconds', 'Result observed → verdict applied', [], LAG_BUCKETS),
    resultsIngested: counter('results_ingested_total', 'Probe results ingested by the decider', ['region']),
    dnsQueries: counter('dns_queries_total', 'DNS replies sent', ['rcode', 'transport']),
    zoneSerial: gauge('zone_serial', 'SOA serial of the zone state served or written', []),
    events: counter('events_total', 'Decision events by type', ['type']),
    buildInfo: gauge('build_info', 'Always 1; labels describe the build', ['version', 'role', 'node']),
  };

  m.buildInfo.set(
    { version: opts.build?.version ?? 'unknown', role: opts.build?.role ?? 'unknown', node: process.version },
    1,
  );
  if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });

  const active = new Map<string, string>();
  return {
    ...m,
    setCurrentAnswer(record, answer) {
      const before = active.get(record);
      if (before !== undefined && before !== answer) m.currentAnswer.set({ record, answer: before }, 0);
      m.currentAnswer.set({ record, answer }, 1);
      active.set(record, answer);
    },
  };
}

/** The registry's text exposition and the content type to serve it with. */
export async function renderMetrics(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

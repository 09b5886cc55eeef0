/**
 * Every Understudy metric family in one place (prom-client), so names, labels and buckets are decided once.
 *
 * Cardinality: labels only take values from the config (check ids, regions, record ids, answer names) or
 * from small fixed sets (phase, outcome, rcode, transport, event type). Nothing per query, per IP or per
 * probe instance.
 *
 * DNS hot path: the DNS server counts queries itself and hands over batches about once a second, which
 * are added to understudy_dns_queries_total; nothing here runs per query. Answer latency is sampled
 * (1 in N UDP queries, timed from the datagram's arrival in JS to the reply's send) and arrives with
 * the same batches.
 */
import client from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createTransferMetrics, type TransferMetrics } from './transfer-metrics.js';

export type CheckPhase = 'dns' | 'connect' | 'tls' | 'first_byte';

export interface MetricsOptions {
  /** Node process metrics (process_*, nodejs_*) under their standard names; default true. */
  defaultMetrics?: boolean;
  /** Labels of understudy_build_info. */
  build?: { version?: string; role?: string };
}

/** Queue counts as BullMQ reports them (waiting, active, delayed, failed, ...). */
export type QueueCounts = Readonly<Record<string, number>>;

/** The slice of a provider target's sync status the gauges show (TargetSyncStatus fits). */
export interface TargetStatusLike {
  target: string;
  inSync: boolean;
  appliedSerial: number | null;
  /** Consecutive failed sync attempts. */
  attempts: number;
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
  /** DNS role: 1 for where the served zone state came from (redis, disk-cache, config), 0 for the others. */
  readonly dnsZoneSource: Gauge<'source'>;
  readonly events: Counter<'type'>;
  readonly buildInfo: Gauge<'version' | 'role' | 'node'>;
  /** Sampled server-side answer time of UDP queries (receive → send, inside the process). */
  readonly dnsAnswerLatency: Histogram;
  /** 1 while a region is stale (its votes do not count). */
  readonly regionStale: Gauge<'region'>;
  /** 1 while every answer of a record is down (whenAllDown applies). */
  readonly recordAllDown: Gauge<'record'>;
  /** 1 while the mass-failure guard holds the current answers. */
  readonly guardHolding: Gauge;
  /** Leaf certificate expiry of a check's origin (the latest result that carried one), epoch seconds. */
  readonly certExpiry: Gauge<'check'>;
  /** DNS role (issue 11): a base build or an overlay update applied, by kind (base, delta, full). */
  readonly dnsApplyDuration: Histogram<'kind'>;
  /** DNS role: answer bodies encoded by base builds and overlay updates, by kind. */
  readonly dnsApplyBodies: Counter<'kind'>;
  /** DNS role: decision (the overlay's generatedAt) → every worker of this server answers from it. */
  readonly dnsPublishDelay: Histogram;
  // --- issue 11 (publish breakdown) ---
  /**
   * DNS role: one overlay update's way from the decision to every worker serving it, by stage (decide,
   * handoff, then per worker: ipc, queue, plan, encode, paused, commit, ack).
   */
  readonly dnsPublishStage: Histogram<'stage'>;
  /** DNS role: slices the workers encoded overlay updates in (queries are answered between slices). */
  readonly dnsPublishSlices: Counter;
  // --- end issue 11 (publish breakdown) ---
  /** Zone transfers and NOTIFY (issue 15). */
  readonly transfer: TransferMetrics;
  readonly providerApiCalls: Counter<'target' | 'operation'>;
  /** kind: the error's class (transient, rate-limited, auth, ...). */
  readonly providerApiErrors: Counter<'target' | 'kind'>;
  readonly providerRetries: Counter<'target'>;
  readonly targetInSync: Gauge<'target'>;
  readonly targetAppliedSerial: Gauge<'target'>;
  readonly targetFailures: Gauge<'target'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  /** The fencing epoch of the decider lease, as this process last saw it. */
  readonly leaseEpoch: Gauge;
  /** 1 for the holder this process sees holding the lease. */
  readonly leaseHolder: Gauge<'holder'>;
  /** 1 while this process is the active decider. */
  readonly leader: Gauge;
  /** outcome: delivered, failed (gave up or refused), dropped (queue full or closing). */
  readonly webhookDeliveries: Counter<'webhook' | 'outcome'>;
  /** outcome: passed, failed. */
  readonly drills: Counter<'outcome'>;
  // --- per-record cardinality (issue 11): totals that stay when the per-record series are off ---
  /** Failover records serving an answer other than their first. */
  readonly recordsFailedOver: Gauge;
  /** Failover records whose answers are all down (whenAllDown applies). */
  readonly recordsAllDown: Gauge;
  // --- end per-record cardinality ---

  /** Marks `answer` as the active one of `record` (1) and the previously active one as 0. */
  setCurrentAnswer(record: string, answer: string): void;
  /** Sets understudy_queue_depth for every state in `counts`. */
  setQueueDepth(queue: string, counts: QueueCounts): void;
  /** Sets the lease gauges: holder null = nobody (or unknown); `mine` = this process holds it. */
  setLease(holder: string | null, epoch: number, mine: boolean): void;
  /** Sets the sync gauges of one target from its latest status. */
  setTargetStatus(status: TargetStatusLike): void;
}

const CHECK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** The fast path answers in microseconds; the slow path (dns2) and GC pauses reach milliseconds. */
/** Base builds take seconds at 100,000 names; a delta should take well under a millisecond. */
export const DNS_APPLY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

export const DNS_LATENCY_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05,
];

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
    dnsZoneSource: gauge('dns_zone_source', 'DNS server: 1 for the source of the served zone state', [
      'source',
    ]),
    events: counter('events_total', 'Decision events by type', ['type']),
    buildInfo: gauge('build_info', 'Always 1; labels describe the build', ['version', 'role', 'node']),
    dnsAnswerLatency: histogram(
      'dns_answer_latency_seconds',
      'Sampled UDP answer time inside the server (receive → send)',
      [],
      DNS_LATENCY_BUCKETS,
    ),
    regionStale: gauge('region_stale', '1 while the region sends no results (its votes do not count)', [
      'region',
    ]),
    recordAllDown: gauge('record_all_down', '1 while every answer of the record is down', ['record']),
    guardHolding: gauge('guard_holding', '1 while the mass-failure guard holds the answers', []),
    certExpiry: gauge('cert_expiry_timestamp_seconds', 'Leaf certificate expiry per check', ['check']),
    dnsApplyDuration: histogram(
      'dns_apply_seconds',
      'DNS server: time to build the base or apply an overlay update, by kind',
      ['kind'],
      DNS_APPLY_BUCKETS,
    ),
    dnsApplyBodies: counter('dns_apply_bodies_total', 'DNS server: answer bodies encoded, by kind', ['kind']),
    transfer: createTransferMetrics(registry),
    dnsPublishDelay: histogram(
      'dns_publish_delay_seconds',
      'DNS server: decision → answered by every worker of this server',
      [],
      DNS_APPLY_BUCKETS,
    ),
    // --- issue 11 (publish breakdown) ---
    dnsPublishStage: histogram(
      'dns_publish_stage_seconds',
      'DNS server: decision → served by every worker, by stage (the worker stages once per worker)',
      ['stage'],
      DNS_APPLY_BUCKETS,
    ),
    dnsPublishSlices: counter(
      'dns_publish_slices_total',
      'DNS server: slices overlay updates were encoded in',
      [],
    ),
    // --- end issue 11 (publish breakdown) ---
    providerApiCalls: counter('provider_api_calls_total', 'Provider API requests', ['target', 'operation']),
    providerApiErrors: counter('provider_api_errors_total', 'Provider API errors by kind', [
      'target',
      'kind',
    ]),
    providerRetries: counter('provider_retries_total', 'Provider API requests retried', ['target']),
    targetInSync: gauge('target_in_sync', '1 when the target holds the latest zone state', ['target']),
    targetAppliedSerial: gauge('target_applied_serial', 'Zone-state serial the target last applied', [
      'target',
    ]),
    targetFailures: gauge('target_sync_failures', 'Consecutive failed sync attempts per target', ['target']),
    queueDepth: gauge('queue_depth', 'Jobs per queue and state', ['queue', 'state']),
    leaseEpoch: gauge('lease_epoch', 'Fencing epoch of the decider lease, as this process last saw it', []),
    leaseHolder: gauge('lease_holder', '1 for the current decider lease holder', ['holder']),
    leader: gauge('leader', '1 while this process is the active decider', []),
    webhookDeliveries: counter('webhook_deliveries_total', 'Webhook notifications by outcome', [
      'webhook',
      'outcome',
    ]),
    drills: counter('drills_total', 'Failover drills by outcome', ['outcome']),
    // --- per-record cardinality (issue 11) ---
    recordsFailedOver: gauge('records_failed_over', 'Failover records not serving their first answer', []),
    recordsAllDown: gauge('records_all_down', 'Failover records whose answers are all down', []),
    // --- end per-record cardinality ---
  };

  m.buildInfo.set(
    { version: opts.build?.version ?? 'unknown', role: opts.build?.role ?? 'unknown', node: process.version },
    1,
  );
  if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });

  const active = new Map<string, string>();
  let holderShown: string | null = null;
  return {
    ...m,
    setCurrentAnswer(record, answer) {
      const before = active.get(record);
      if (before !== undefined && before !== answer) m.currentAnswer.set({ record, answer: before }, 0);
      m.currentAnswer.set({ record, answer }, 1);
      active.set(record, answer);
    },
    setQueueDepth(queue, counts) {
      for (const [state, n] of Object.entries(counts)) m.queueDepth.set({ queue, state }, n);
    },
    setLease(holder, epoch, mine) {
      // One series per holder ever seen would grow without bound across restarts: drop the old one.
      if (holderShown !== null && holderShown !== holder) m.leaseHolder.remove({ holder: holderShown });
      if (holder !== null) m.leaseHolder.set({ holder }, 1);
      holderShown = holder;
      m.leaseEpoch.set(epoch);
      m.leader.set(mine ? 1 : 0);
    },
    setTargetStatus(s) {
      const labels = { target: s.target };
      m.targetInSync.set(labels, s.inSync ? 1 : 0);
      if (s.appliedSerial !== null) m.targetAppliedSerial.set(labels, s.appliedSerial);
      m.targetFailures.set(labels, s.attempts);
    },
  };
}

/** The registry's text exposition and the content type to serve it with. */
export async function renderMetrics(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics, renderMetrics } from './metrics.js';
import { parseExposition } from './test-support/exposition.js';

const FAMILIES: [string, string][] = [
  ['understudy_check_up', 'gauge'],
  ['understudy_check_verdict', 'gauge'],
  ['understudy_check_duration_seconds', 'histogram'],
  ['understudy_check_phase_duration_seconds', 'histogram'],
  ['understudy_check_results_total', 'counter'],
  ['understudy_failover_events_total', 'counter'],
  ['understudy_current_answer', 'gauge'],
  ['understudy_decider_lag_seconds', 'histogram'],
  ['understudy_results_ingested_total', 'counter'],
  ['understudy_dns_queries_total', 'counter'],
  ['understudy_zone_serial', 'gauge'],
  ['understudy_events_total', 'counter'],
  ['understudy_build_info', 'gauge'],
  ['understudy_dns_answer_latency_seconds', 'histogram'],
  ['understudy_region_stale', 'gauge'],
  ['understudy_record_all_down', 'gauge'],
  ['understudy_guard_holding', 'gauge'],
  ['understudy_cert_expiry_timestamp_seconds', 'gauge'],
  ['understudy_provider_api_calls_total', 'counter'],
  ['understudy_provider_api_errors_total', 'counter'],
  ['understudy_provider_retries_total', 'counter'],
  ['understudy_target_in_sync', 'gauge'],
  ['understudy_target_applied_serial', 'gauge'],
  ['understudy_target_sync_failures', 'gauge'],
  ['understudy_queue_depth', 'gauge'],
  ['understudy_lease_epoch', 'gauge'],
  ['understudy_lease_holder', 'gauge'],
  ['understudy_leader', 'gauge'],
  ['understudy_webhook_deliveries_total', 'counter'],
  ['understudy_drills_total', 'counter'],
];

describe('createMetrics', () => {
  it('exposes every Understudy family with its type, plus the default process metrics', async () => {
    const m = createMetrics(undefined, { build: { version: '0.1.0', role: 'decider' } });
    const { contentType, body } = await renderMetrics(m.registry);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parseExposition(body);
    for (const [name, type] of FAMILIES) expect(parsed.types.get(name), name).toBe(type);
    expect(parsed.types.has('process_cpu_user_seconds_total')).toBe(true);
    expect(
      parsed.value('understudy_build_info', { version: '0.1.0', role: 'decider', node: process.version }),
    ).toBe(1);
  });

  it('records what the roles report', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    m.checkUp.set({ check: 'api', region: 'eu-west' }, 0);
    m.checkVerdict.set({ check: 'api' }, -1);
    m.checkDuration.observe({ check: 'api', region: 'eu-west' }, 0.2);
    m.checkPhaseDuration.observe({ phase: 'tls', region: 'eu-west' }, 0.03);
    m.checkResults.inc({ check: 'api', region: 'eu-west', outcome: 'timeout' });
    m.failoverEvents.inc({ record: 'app.example.test./A', from: 'primary', to: 'secondary' });
    m.deciderLag.observe(1.5);
    m.resultsIngested.inc({ region: 'eu-west' }, 40);
    m.zoneSerial.set(2_026_010_101);
    m.events.inc({ type: 'answer-switched' });
    const p = parseExposition((await renderMetrics(m.registry)).body);
    expect(p.types.has('process_cpu_user_seconds_total')).toBe(false);
    expect(p.value('understudy_check_up', { check: 'api', region: 'eu-west' })).toBe(0);
    expect(p.value('understudy_check_verdict', { check: 'api' })).toBe(-1);
    expect(
      p.value('understudy_check_duration_seconds_bucket', { check: 'api', region: 'eu-west', le: '0.1' }),
    ).toBe(0);
    expect(
      p.value('understudy_check_duration_seconds_bucket', { check: 'api', region: 'eu-west', le: '0.25' }),
    ).toBe(1);
    expect(
      p.value('understudy_check_phase_duration_seconds_count', { phase: 'tls', region: 'eu-west' }),
    ).toBe(1);
    expect(
      p.value('understudy_check_results_total', { check: 'api', region: 'eu-west', outcome: 'timeout' }),
    ).toBe(1);
    expect(
      p.value('understudy_failover_events_total', {
        record: 'app.example.test./A',
        from: 'primary',
        to: 'secondary',
      }),
    ).toBe(1);
    expect(p.value('understudy_decider_lag_seconds_sum', {})).toBe(1.5);
    expect(p.value('understudy_results_ingested_total', { region: 'eu-west' })).toBe(40);
    expect(p.value('understudy_zone_serial', {})).toBe(2_026_010_101);
    expect(p.value('understudy_events_total', { type: 'answer-switched' })).toBe(1);
  });

  it('keeps one active answer per record', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    m.setCurrentAnswer('app./A', 'primary');
    m.setCurrentAnswer('app./A', 'secondary');
    m.setCurrentAnswer('api./A', 'primary');
    const p = parseExposition((await renderMetrics(m.registry)).body);
    expect(p.value('understudy_current_answer', { record: 'app./A', answer: 'primary' })).toBe(0);
    expect(p.value('understudy_current_answer', { record: 'app./A', answer: 'secondary' })).toBe(1);
    expect(p.value('understudy_current_answer', { record: 'api./A', answer: 'primary' })).toBe(1);
  });

  it('sets queue depth, lease and target sync gauges through their setters', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    m.setQueueDepth('results', { waiting: 12, active: 1, failed: 0 });
    m.setLease('host-a/1', 3, false);
    m.setLease('host-b/7', 4, true);
    m.setTargetStatus({ target: 'r53', inSync: false, appliedSerial: null, attempts: 2 });
    m.setTargetStatus({ target: 'cf', inSync: true, appliedSerial: 2_026_010_102, attempts: 0 });
    m.providerApiCalls.inc({ target: 'r53', operation: 'ChangeResourceRecordSets' });
    m.webhookDeliveries.inc({ webhook: 'ops', outcome: 'delivered' });
    m.dnsAnswerLatency.observe(0.00003);
    const p = parseExposition((await renderMetrics(m.registry)).body);
    expect(p.value('understudy_queue_depth', { queue: 'results', state: 'waiting' })).toBe(12);
    expect(p.value('understudy_queue_depth', { queue: 'results', state: 'failed' })).toBe(0);
    expect(p.samples.filter((s) => s.name === 'understudy_lease_holder')).toEqual([
      { name: 'understudy_lease_holder', labels: { holder: 'host-b/7' }, value: 1 },
    ]);
    expect(p.value('understudy_lease_epoch', {})).toBe(4);
    expect(p.value('understudy_leader', {})).toBe(1);
    expect(p.value('understudy_target_in_sync', { target: 'r53' })).toBe(0);
    expect(p.value('understudy_target_sync_failures', { target: 'r53' })).toBe(2);
    expect(() => p.value('understudy_target_applied_serial', { target: 'r53' })).toThrow(/no sample/);
    expect(p.value('understudy_target_applied_serial', { target: 'cf' })).toBe(2_026_010_102);
    expect(
      p.value('understudy_provider_api_calls_total', {
        target: 'r53',
        operation: 'ChangeResourceRecordSets',
      }),
    ).toBe(1);
    expect(p.value('understudy_webhook_deliveries_total', { webhook: 'ops', outcome: 'delivered' })).toBe(1);
    expect(p.value('understudy_dns_answer_latency_seconds_bucket', { le: '0.000025' })).toBe(0);
    expect(p.value('understudy_dns_answer_latency_seconds_bucket', { le: '0.00005' })).toBe(1);
    m.setLease(null, 4, false);
    const after = parseExposition((await renderMetrics(m.registry)).body);
    expect(after.samples.some((s) => s.name === 'understudy_lease_holder')).toBe(false);
    expect(after.value('understudy_leader', {})).toBe(0);
  });

  it('refuses a registry used twice', () => {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false });
    expect(() => createMetrics(registry, { defaultMetrics: false })).toThrow(/already been registered/);
  });
});

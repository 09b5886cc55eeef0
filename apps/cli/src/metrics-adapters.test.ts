import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type {
  ApplyReport,
  DecisionEngine,
  DecisionEvent,
  EngineOutput,
  TargetSyncStatus,
  UnderstudyConfig,
} from '@understudy/core';
import { createMetrics } from '@understudy/observability';
import { parseExposition } from '../../../libs/observability/src/test-support/exposition.js';
import { deciderMetrics, dnsQueryCounter, leaseMetrics, syncMetrics } from './metrics-adapters.js';

describe('dnsQueryCounter', () => {
  it('adds the DNS server batches to understudy_dns_queries_total by rcode name and transport', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const { onQueries } = dnsQueryCounter(m);
    onQueries([
      { transport: 'udp', rcode: 0, n: 1440 },
      { transport: 'udp', rcode: 3, n: 160 },
    ]);
    onQueries([
      { transport: 'tcp', rcode: 5, n: 1 },
      { transport: 'udp', rcode: 0, n: 1 },
      { transport: 'udp', rcode: 16, n: 2 },
    ]);
    const text = await m.registry.metrics();
    const value = (labels: string) =>
      Number(new RegExp(`understudy_dns_queries_total\\{${labels}\\} (\\d+)`).exec(text)?.[1]);
    expect(value('rcode="NOERROR",transport="udp"')).toBe(1441);
    expect(value('rcode="NXDOMAIN",transport="udp"')).toBe(160);
    expect(value('rcode="REFUSED",transport="tcp"')).toBe(1);
    expect(value('rcode="BADVERS",transport="udp"')).toBe(2);
  });
});

describe('dnsQueryCounter latency', () => {
  it('observes the sampled answer latencies into understudy_dns_answer_latency_seconds', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    dnsQueryCounter(m).onQueries([{ transport: 'udp', rcode: 0, n: 128 }], {
      every: 64,
      seconds: [0.000004, 0.00003],
    });
    const p = parseExposition(await m.registry.metrics());
    expect(p.value('understudy_dns_answer_latency_seconds_count', {})).toBe(2);
    expect(p.value('understudy_dns_answer_latency_seconds_bucket', { le: '0.000005' })).toBe(1);
    expect(p.value('understudy_dns_answer_latency_seconds_bucket', { le: '0.00005' })).toBe(2);
  });
});

describe('syncMetrics and leaseMetrics', () => {
  it('count provider API use and set sync and lease gauges', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const sync = syncMetrics(m);
    sync.applied({ target: 'r53', apiCalls: 3, retries: 1 } as ApplyReport);
    sync.apiCalls('r53', 'read', 2);
    sync.error('r53', 'throttled');
    sync.status({ target: 'r53', inSync: true, appliedSerial: 7, attempts: 0 } as TargetSyncStatus);
    const lease = leaseMetrics(m, 'host-a/42');
    lease.onChange(true, { epoch: 5 });
    let p = parseExposition(await m.registry.metrics());
    expect(p.value('understudy_provider_api_calls_total', { target: 'r53', operation: 'apply' })).toBe(3);
    expect(p.value('understudy_provider_api_calls_total', { target: 'r53', operation: 'read' })).toBe(2);
    expect(p.value('understudy_provider_retries_total', { target: 'r53' })).toBe(1);
    expect(p.value('understudy_provider_api_errors_total', { target: 'r53', kind: 'throttled' })).toBe(1);
    expect(p.value('understudy_target_in_sync', { target: 'r53' })).toBe(1);
    expect(p.value('understudy_target_applied_serial', { target: 'r53' })).toBe(7);
    expect(p.value('understudy_lease_holder', { holder: 'host-a/42' })).toBe(1);
    expect(p.value('understudy_lease_epoch', {})).toBe(5);
    expect(p.value('understudy_leader', {})).toBe(1);
    lease.onChange(false, {});
    p = parseExposition(await m.registry.metrics());
    expect(p.value('understudy_leader', {})).toBe(0);
    expect(p.value('understudy_lease_epoch', {})).toBe(5);
  });
});

describe('deciderMetrics condition gauges', () => {
  it('seeds from the engine state, then follows stale, all-down and guard events', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const config = { zones: [], metrics: { perRecord: true } } as unknown as UnderstudyConfig;
    const engine = {
      state: {
        records: { 'app./A': { active: { kind: 'answer', name: 'primary' }, allDown: false } },
        regions: { 'eu-west': { stale: true }, 'us-east': { stale: false } },
        guard: { holding: false },
      },
    } as unknown as DecisionEngine;
    const ev = (type: DecisionEvent['type'], extra: Partial<DecisionEvent> = {}): DecisionEvent => ({
      seq: 1,
      at: 0,
      type,
      severity: 'warning',
      message: type,
      evidence: {},
      ...extra,
    });
    const out = (events: DecisionEvent[]) => ({ events, delta: null }) as unknown as EngineOutput;
    const d = deciderMetrics(m, config);
    d.output(out([ev('region-fresh', { region: 'eu-west' }), ev('all-down', { record: 'app./A' })]), engine);
    d.output(out([ev('guard-hold')]), engine);
    const p = parseExposition(await m.registry.metrics());
    expect(p.value('understudy_region_stale', { region: 'eu-west' })).toBe(0);
    expect(p.value('understudy_region_stale', { region: 'us-east' })).toBe(0);
    expect(p.value('understudy_record_all_down', { record: 'app./A' })).toBe(1);
    expect(p.value('understudy_guard_holding', {})).toBe(1);
    expect(p.value('understudy_current_answer', { record: 'app./A', answer: 'primary' })).toBe(1);
    expect(p.value('understudy_events_total', { type: 'guard-hold' })).toBe(1);
  });
});

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

  it('refuses a registry used twice', () => {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false });
    expect(() => createMetrics(registry, { defaultMetrics: false })).toThrow(/already been registered/);
  });
});

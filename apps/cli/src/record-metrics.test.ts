import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { DecisionEngine, DecisionEvent, EngineOutput } from '@understudy/core';
import { parseConfig } from '@understudy/config';
import { createMetrics } from '@understudy/observability';
import { parseExposition } from '../../../libs/observability/src/test-support/exposition.js';
import { deciderMetrics } from './metrics-adapters.js';

function config(records: number, perRecord?: boolean) {
  const lines = [
    'regions: [eu]',
    ...(perRecord === undefined ? [] : [`metrics: { perRecord: ${perRecord} }`]),
    'checks: { web: { type: tcp, host: 192.0.2.1, port: 80 } }',
    'zones:',
    '  - apex: example.test.',
    '    ns: [ns1.example.test.]',
    '    failover:',
  ];
  for (let i = 0; i < records; i++)
    lines.push(
      `      - { name: f${i}, type: A, answers: [{ name: primary, values: [192.0.2.1], check: web }, ` +
        '{ name: backup, values: [198.51.100.1], check: null }] }',
    );
  return parseConfig(`${lines.join('\n')}\n`, { env: {} });
}

const ev = (type: DecisionEvent['type'], extra: Partial<DecisionEvent>): DecisionEvent => ({
  seq: 1,
  at: 0,
  type,
  severity: 'warning',
  message: type,
  evidence: {},
  ...extra,
});
const engine = {
  state: { records: {}, regions: {}, guard: { holding: false } },
} as unknown as DecisionEngine;

/** The decider's metrics after f0 failed over and f1 lost every answer. */
async function scrape(loaded: ReturnType<typeof config>) {
  const m = createMetrics(new Registry(), { defaultMetrics: false });
  const d = deciderMetrics(m, loaded.config);
  const events = [
    ev('answer-switched', { record: 'f0.example.test./A', from: 'primary', to: 'backup' }),
    ev('all-down', { record: 'f1.example.test./A' }),
  ];
  d.output({ events, zoneState: null } as unknown as EngineOutput, engine);
  const text = await m.registry.metrics();
  return { text, p: parseExposition(text) };
}

describe('per-record metrics', () => {
  it('are off past 1,000 failover records by default, with one warning, and the totals stay', async () => {
    const loaded = config(1_001);
    expect(loaded.config.metrics.perRecord).toBe(false);
    expect(loaded.warnings.map((w) => w.path)).toEqual(['metrics.perRecord']);
    const { text, p } = await scrape(loaded);
    expect(text).not.toContain('record="');
    expect(p.value('understudy_records_failed_over', {})).toBe(1);
    expect(p.value('understudy_records_all_down', {})).toBe(1);
    expect(p.value('understudy_events_total', { type: 'answer-switched' })).toBe(1);
  });

  it('are on up to 1,000 failover records, beside the totals', async () => {
    const loaded = config(1_000);
    expect(loaded.config.metrics.perRecord).toBe(true);
    expect(loaded.warnings).toEqual([]);
    const { p } = await scrape(loaded);
    expect(p.value('understudy_current_answer', { record: 'f0.example.test./A', answer: 'backup' })).toBe(1);
    expect(p.value('understudy_current_answer', { record: 'f0.example.test./A', answer: 'primary' })).toBe(0);
    expect(p.value('understudy_current_answer', { record: 'f2.example.test./A', answer: 'primary' })).toBe(1);
    expect(p.value('understudy_record_all_down', { record: 'f1.example.test./A' })).toBe(1);
    expect(
      p.value('understudy_failover_events_total', {
        record: 'f0.example.test./A',
        from: 'primary',
        to: 'backup',
      }),
    ).toBe(1);
    expect(p.value('understudy_records_failed_over', {})).toBe(1);
    expect(p.value('understudy_records_all_down', {})).toBe(1);
  });

  it('follow metrics.perRecord when it is set, whatever the size', async () => {
    const on = config(1_001, true);
    expect(on.config.metrics.perRecord).toBe(true);
    expect(on.warnings).toEqual([]);
    expect((await scrape(on)).text).toContain('record="f0.example.test./A"');
    const off = config(2, false);
    expect(off.config.metrics.perRecord).toBe(false);
    expect((await scrape(off)).text).not.toContain('record="');
  });

  it('count a record back on its first answer out of the total', async () => {
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    const d = deciderMetrics(m, config(3).config);
    const switched = (from: string, to: string) =>
      d.output(
        {
          events: [ev('answer-switched', { record: 'f0.example.test./A', from, to })],
          zoneState: null,
        } as unknown as EngineOutput,
        engine,
      );
    switched('primary', 'backup');
    switched('backup', 'primary');
    expect(parseExposition(await m.registry.metrics()).value('understudy_records_failed_over', {})).toBe(0);
  });

  // --- issue 12: the first failover after a start must be visible to increase(...[5m]) > 0 ---
  it('start every switch a record can make at 0, before any event, so increase() sees the first one', async () => {
    const loaded = parseConfig(
      [
        'regions: [eu]',
        'checks: { web: { type: tcp, host: 192.0.2.1, port: 80 } }',
        'zones:',
        '  - apex: example.test.',
        '    ns: [ns1.example.test.]',
        '    failover:',
        '      - { name: a, type: A, answers: [{ name: primary, values: [192.0.2.1], check: web },',
        '          { name: backup, values: [198.51.100.1], check: null }] }',
        '      - { name: b, type: A, whenAllDown: none, answers: [{ name: primary, values: [192.0.2.1], check: web },',
        '          { name: backup, values: [198.51.100.1], check: web }] }',
        '',
      ].join('\n'),
      { env: {} },
    );
    const m = createMetrics(new Registry(), { defaultMetrics: false });
    deciderMetrics(m, loaded.config);
    const p = parseExposition(await m.registry.metrics());
    const zero = (record: string, from: string, to: string) =>
      p.value('understudy_failover_events_total', { record, from, to });
    expect(zero('a.example.test./A', 'primary', 'backup')).toBe(0);
    expect(zero('a.example.test./A', 'backup', 'primary')).toBe(0);
    expect(zero('b.example.test./A', 'primary', 'none')).toBe(0);
    expect(zero('b.example.test./A', 'none', 'backup')).toBe(0);
    // Off with metrics.perRecord: no per-record series at all.
    const off = createMetrics(new Registry(), { defaultMetrics: false });
    deciderMetrics(off, config(2, false).config);
    expect(await off.registry.metrics()).not.toContain('record="');
  });
});

/**
 * The decider's per-record metrics. Series labelled by record are bounded by `metrics.perRecord` (at
 * 10,000 failover records they were 1.36 MB per scrape); the totals are kept either way, so alerts on
 * "records failed over" and "records with every answer down" work at any size.
 */
import type { FailoverRecordConfig, UnderstudyConfig } from '@understudy/core';
import type { UnderstudyMetrics } from '@understudy/observability';

export interface RecordMetrics {
  answer(record: string, answer: string): void;
  allDown(record: string, down: boolean): void;
  switched(record: string, from: string, to: string): void;
}

export function recordMetrics(m: UnderstudyMetrics, config: UnderstudyConfig): RecordMetrics {
  const perRecord = config.metrics.perRecord;
  const primary = new Map<string, string>();
  for (const zone of config.zones) for (const rec of zone.failover) primary.set(rec.id, rec.answers[0]!.name);
  // increase(understudy_failover_events_total[5m]) only sees a switch whose series existed before it:
  // every switch a record can make starts at 0, so the first failover after a start alerts too.
  if (perRecord)
    for (const zone of config.zones)
      for (const rec of zone.failover) {
        const labels = switchLabels(rec);
        for (const from of labels)
          for (const to of labels) if (from !== to) m.failoverEvents.inc({ record: rec.id, from, to }, 0);
      }
  const active = new Map<string, string>();
  const down = new Set<string>();
  let failedOver = 0;
  return {
    answer(record, answer) {
      const before = active.get(record);
      if (before !== undefined && before !== primary.get(record)) failedOver--;
      if (answer !== primary.get(record)) failedOver++;
      active.set(record, answer);
      m.recordsFailedOver.set(failedOver);
      if (perRecord) m.setCurrentAnswer(record, answer);
    },
    allDown(record, isDown) {
      if (isDown) down.add(record);
      else down.delete(record);
      m.recordsAllDown.set(down.size);
      if (perRecord) m.recordAllDown.set({ record }, isDown ? 1 : 0);
    },
    switched(record, from, to) {
      if (perRecord) m.failoverEvents.inc({ record, from, to });
    },
  };
}

/** What a record can serve, as answer-switched names it: its answers, and what whenAllDown serves. */
function switchLabels(rec: FailoverRecordConfig): string[] {
  const names = rec.answers.map((a) => a.name);
  if (rec.whenAllDown.mode === 'none') names.push('none');
  if (rec.whenAllDown.mode === 'fallback') names.push(rec.whenAllDown.name);
  return [...new Set(names)];
}

/**
 * How the decider logs what it decided. Every event is logged at its severity (eventLogLevel), with its
 * summary; the evidence is in the stored timeline and at debug level. When one output carries many events of
 * the same kind (one check taking 1,100 records from primary to secondary), they are logged as one line with
 * the count, the first records and the timeline's seq range (issue 11): 1,100 lines were 20-100 ms of the
 * main thread right when the DNS workers report serving the change, and a log storm for whoever reads it.
 */
import type { DecisionEvent, Logger } from '@understudy/core';
import { eventLogLevel } from '@understudy/observability/logger';

/** More events than this of one kind in one output are logged as one line. */
export const EACH_UP_TO = 10;
/** Records named in a grouped line (the timeline has them all). */
const NAMED = 10;

export function logEvents(logger: Logger, events: readonly DecisionEvent[]): void {
  // Called after every persisted output, most of them (each result batch) without events.
  if (events.length === 0) return;
  const groups = new Map<string, DecisionEvent[]>();
  for (const e of events) {
    const key = `${e.type}\u0000${e.severity}\u0000${e.from ?? ''}\u0000${e.to ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  for (const group of groups.values()) {
    if (group.length > EACH_UP_TO) logGroup(logger, group);
    else for (const e of group) logOne(logger, e);
  }
}

function logOne(logger: Logger, e: DecisionEvent): void {
  const { evidence, ...summary } = e;
  // A failover (critical) is an error line, as alerting on logs expects; see eventLogLevel.
  logger[eventLogLevel(e.severity)]({ event: summary }, e.message);
  logger.debug({ seq: e.seq, evidence }, 'event evidence');
}

function logGroup(logger: Logger, group: readonly DecisionEvent[]): void {
  const first = group[0]!;
  let seqFrom = first.seq;
  let seqTo = first.seq;
  for (const e of group) {
    seqFrom = Math.min(seqFrom, e.seq);
    seqTo = Math.max(seqTo, e.seq);
  }
  const records = group.flatMap((e) => (e.record === undefined ? [] : [e.record]));
  const event = {
    type: first.type,
    severity: first.severity,
    ...(first.from === undefined ? {} : { from: first.from }),
    ...(first.to === undefined ? {} : { to: first.to }),
    count: group.length,
    records: records.slice(0, NAMED),
    seqFrom,
    seqTo,
  };
  const move =
    first.from !== undefined || first.to !== undefined ? ` (${first.from ?? '-'} → ${first.to ?? '-'})` : '';
  const more = records.length > NAMED ? `, … (${records.length - NAMED} more)` : '';
  logger[eventLogLevel(first.severity)](
    { event },
    `${group.length} ${first.type} events${move}: ${records.slice(0, NAMED).join(', ')}${more}; ` +
      `each is in the timeline (seq ${seqFrom}-${seqTo}). First: ${first.message}`,
  );
}

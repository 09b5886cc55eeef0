import { describe, expect, it } from 'vitest';
import type { DecisionEvent } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { EACH_UP_TO, logEvents } from './event-logging.js';

function switched(seq: number, record: string, from = 'primary', to = 'secondary'): DecisionEvent {
  return {
    seq,
    at: 1,
    type: 'answer-switched',
    severity: 'critical',
    record,
    from,
    to,
    message: `Record ${record}: failover from ${from} to ${to}`,
    evidence: { checks: [] },
  };
}

describe('logEvents', () => {
  it(`logs up to ${EACH_UP_TO} events of one kind one line each, with the evidence at debug`, () => {
    const logger = recordingLogger();
    const events = Array.from({ length: EACH_UP_TO }, (_, i) => switched(i + 1, `r${i}./A`));
    logEvents(logger, events);
    expect(logger.messages('error')).toEqual(events.map((e) => e.message));
    expect(logger.entries.filter((e) => e.level === 'debug')).toHaveLength(EACH_UP_TO);
    expect(logger.entries[0]!.obj.event).not.toHaveProperty('evidence');
  });

  it('groups more of one kind (type, severity, from, to) into one line; other kinds stay apart', () => {
    const logger = recordingLogger();
    const many = Array.from({ length: 25 }, (_, i) => switched(100 + i, `r${i}./A`));
    const back = [switched(200, 'x./A', 'secondary', 'primary')];
    logEvents(logger, [...many, ...back]);
    const errors = logger.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]!.obj.event).toEqual({
      type: 'answer-switched',
      severity: 'critical',
      from: 'primary',
      to: 'secondary',
      count: 25,
      records: many.slice(0, 10).map((e) => e.record),
      seqFrom: 100,
      seqTo: 124,
    });
    expect(errors[0]!.msg).toMatch(
      /^25 answer-switched events \(primary → secondary\): r0\.\/A, .*\(15 more\); each is in the timeline \(seq 100-124\)/,
    );
    expect(errors[1]!.msg).toBe(back[0]!.message);
    expect(logger.entries.filter((e) => e.level === 'debug')).toHaveLength(1);
  });
});

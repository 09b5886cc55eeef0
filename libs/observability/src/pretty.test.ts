import { describe, expect, it } from 'vitest';
import { prettyLine } from './pretty.js';

describe('prettyLine', () => {
  it('time with zone, level, component, message, then key fields on one line', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-12-07T10:04:31.123Z',
      pid: 1,
      hostname: 'h',
      name: 'understudy',
      role: 'decider',
      event: { type: 'answer-switched', record: 'app.example.test./A', severity: 'critical' },
      msg: 'Record app.example.test./A: failover from primary to secondary',
    });
    expect(prettyLine(line)).toBe(
      '2026-12-07T10:04:31.123Z ERROR decider: Record app.example.test./A: failover from primary to secondary  ' +
        'event.type=answer-switched event.record=app.example.test./A event.severity=critical',
    );
  });

  it('numeric levels and epoch times, quoted values with spaces, arrays as JSON; non-JSON passes through', () => {
    expect(prettyLine(JSON.stringify({ level: 30, time: 0, name: 'n', msg: 'm', a: 'x y', b: [1] }))).toBe(
      '1970-01-01T00:00:00.000Z INFO  n: m  a="x y" b=[1]',
    );
    expect(prettyLine('not json\n')).toBe('not json');
  });
});

import { describe, expect, it } from 'vitest';
import { RateLimitedWarning } from './rate-limited-warning.js';
import { recordingLogger } from '@understudy/testkit/logger';

describe('RateLimitedWarning', () => {
  it('counts every occurrence and logs at most once per interval, saying how many it left out', () => {
    const logger = recordingLogger();
    let now = 1_000;
    const w = new RateLimitedWarning(logger, 'dns: something', 10_000, () => now);
    w.record({ a: 1 });
    now += 5_000;
    w.record({ a: 2 });
    w.record({ a: 3 });
    expect(logger.entries).toHaveLength(1);
    now += 5_000;
    w.record({ a: 4 });
    expect(w.count).toBe(4);
    expect(logger.entries.map((e) => ({ level: e.level, msg: e.msg, obj: e.obj }))).toEqual([
      { level: 'warn', msg: 'dns: something', obj: { a: 1, total: 1, suppressed: 0 } },
      { level: 'warn', msg: 'dns: something', obj: { a: 4, total: 4, suppressed: 2 } },
    ]);
  });
});

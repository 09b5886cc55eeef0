import { describe, expect, it } from 'vitest';
import { applyResult, newRegionHealth } from './hysteresis.js';
import { result } from './test-support/fixtures.js';

function run(seq: string, fall: number, rise: number): string[] {
  const h = newRegionHealth();
  return [...seq].map((c, i) => {
    applyResult(h, result('c', 'r', c === '+', 1000 + i), { fall, rise }, 2000 + i);
    return h.state;
  });
}

describe('hysteresis', () => {
  it.each([
    ['++', 1, 2, ['unknown', 'up']],
    ['+', 1, 1, ['up']],
    ['--', 2, 1, ['unknown', 'down']],
    ['++-', 1, 2, ['unknown', 'up', 'down']],
    ['++--', 2, 2, ['unknown', 'up', 'up', 'down']],
    ['++-+--', 2, 2, ['unknown', 'up', 'up', 'up', 'up', 'down']],
    ['---+-++', 3, 2, ['unknown', 'unknown', 'down', 'down', 'down', 'down', 'up']],
    ['--+--+++', 2, 3, ['unknown', 'down', 'down', 'down', 'down', 'down', 'down', 'up']],
  ] as const)('%s with fall=%i rise=%i', (seq, fall, rise, states) => {
    expect(run(seq, fall, rise)).toEqual(states);
  });

  it('records the change time and the last result', () => {
    const h = newRegionHealth();
    applyResult(
      h,
      result('c', 'r', false, 10, { status: 503, reason: 'status', message: 'HTTP 503', certExpiresAt: 99 }),
      { fall: 1, rise: 1 },
      20,
    );
    expect(h.changedAt).toBe(20);
    expect(h.last).toMatchObject({
      ok: false,
      status: 503,
      reason: 'status',
      message: 'HTTP 503',
      certExpiresAt: 99,
      observedAt: 10,
    });
    expect(h.lastReceivedAt).toBe(20);
  });

  it('ignores duplicates and late deliveries', () => {
    const h = newRegionHealth();
    const first = result('c', 'r', false, 100);
    expect(applyResult(h, first, { fall: 1, rise: 1 }, 1)).toEqual({ accepted: true, changed: true });
    expect(applyResult(h, first, { fall: 1, rise: 1 }, 2)).toEqual({ accepted: false, changed: false });
    const late = result('c', 'r', true, 50);
    expect(applyResult(h, late, { fall: 1, rise: 1 }, 3).accepted).toBe(false);
    expect(h.state).toBe('down');
    expect(h.lastReceivedAt).toBe(1);
  });

  it('orders results of one probe within the same millisecond by sequence', () => {
    const h = newRegionHealth();
    applyResult(h, result('c', 'r', false, 100, { seq: 5 }), { fall: 1, rise: 1 }, 1);
    expect(applyResult(h, result('c', 'r', true, 100, { seq: 4 }), { fall: 1, rise: 1 }, 2).accepted).toBe(
      false,
    );
    expect(applyResult(h, result('c', 'r', true, 100, { seq: 6 }), { fall: 1, rise: 1 }, 3).accepted).toBe(
      true,
    );
    // Another probe in the same region at the same millisecond is not newer.
    expect(
      applyResult(h, result('c', 'r', false, 100, { seq: 99, probeId: 'other' }), { fall: 1, rise: 1 }, 4)
        .accepted,
    ).toBe(false);
  });

  it('accepts a restarted probe whose sequence starts again', () => {
    const h = newRegionHealth();
    applyResult(h, result('c', 'r', true, 100, { seq: 500 }), { fall: 1, rise: 1 }, 1);
    expect(applyResult(h, result('c', 'r', false, 200, { seq: 1 }), { fall: 1, rise: 1 }, 2).accepted).toBe(
      true,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { countsAsFlip, dampingResumesAt } from './flap-damping.js';
import type { AnswerHealth, Selection } from './selection.js';

const served = { active: { kind: 'answer' as const, name: 'secondary' }, values: ['2'], allDown: false };
const sel = (over: Partial<Selection> = {}): Selection => ({
  next: served,
  change: { kind: 'failover', from: 'primary', to: 'secondary' },
  pendingFailback: null,
  dampingBlocked: false,
  consumedApproval: false,
  ...over,
});
const h = (name: string, reason: AnswerHealth['reason']): AnswerHealth => ({
  name,
  eligible: reason !== 'override-down' && reason !== 'check-down',
  confirmed: reason === 'check-up' || reason === 'override-up',
  reason,
});

describe('countsAsFlip', () => {
  it('counts a switch the checks made', () => {
    expect(countsAsFlip(sel(), [h('primary', 'check-down'), h('secondary', 'check-up')])).toBe(true);
  });

  it('does not count an override on either end, an approved failback (a drill restore), or no switch', () => {
    expect(countsAsFlip(sel(), [h('primary', 'override-down'), h('secondary', 'check-up')])).toBe(false);
    const back = { kind: 'failback' as const, from: 'secondary', to: 'primary' };
    expect(
      countsAsFlip(sel({ change: back }), [h('primary', 'override-up'), h('secondary', 'check-up')]),
    ).toBe(false);
    expect(
      countsAsFlip(sel({ change: back, consumedApproval: true }), [
        h('primary', 'check-up'),
        h('secondary', 'check-up'),
      ]),
    ).toBe(false);
    expect(countsAsFlip(sel({ change: null }), [h('primary', 'check-up')])).toBe(false);
  });
});

describe('dampingResumesAt', () => {
  const d = { maxFlips: 3, window: 60_000 };
  it('is when enough flips leave the window for the next switch to stay under the limit', () => {
    // Damped at 2 flips (2 + 1 >= 3): the oldest must leave.
    expect(dampingResumesAt([1000, 5000], d)).toBe(61_000);
    // 4 flips: three must leave, so the third oldest decides.
    expect(dampingResumesAt([1000, 2000, 3000, 4000], d)).toBe(63_000);
  });

  it('is null below the limit or without damping', () => {
    expect(dampingResumesAt([1000], d)).toBeNull();
    expect(dampingResumesAt([1000, 2000], null)).toBeNull();
  });
});

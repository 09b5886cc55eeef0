import { describe, expect, it } from 'vitest';
import type { FailoverRecordConfig, WhenAllDown } from './config-types.js';
import { allDownServed, selectAnswer, type AnswerHealth } from './selection.js';
import { newRecordState } from './state-init.js';
import type { ActiveAnswer, RecordState } from './state-types.js';
import { failoverRecord } from './test-support/fixtures.js';

const three = failoverRecord({
  answers: [
    { name: 'primary', values: ['192.0.2.10'], check: 'p' },
    { name: 'secondary', values: ['198.51.100.10'], check: 's' },
    { name: 'tertiary', values: ['203.0.113.10'], check: 't' },
  ],
  failbackAfter: 60_000,
  flapDamping: { maxFlips: 4, window: 600_000 },
});

function health(pattern: string): AnswerHealth[] {
  return [...pattern].map((c, i) => ({
    name: three.answers[i]!.name,
    eligible: c === '+',
    confirmed: c === '+',
    reason: c === '+' ? 'check-up' : 'check-down',
  }));
}

function servingState(
  rec: FailoverRecordConfig,
  active: ActiveAnswer,
  over: Partial<RecordState> = {},
): RecordState {
  const st = newRecordState(rec);
  st.active = active;
  st.values =
    active.kind === 'answer'
      ? rec.answers.find((a) => a.name === active.name)!.values
      : active.kind === 'none'
        ? []
        : ['203.0.113.99'];
  return { ...st, ...over };
}

const on = (name: string): ActiveAnswer => ({ kind: 'answer', name });

describe('selectAnswer: failover is immediate, by tier', () => {
  it.each([
    // health, serving, expected active, change kind
    ['+++', 'primary', 'primary', null],
    ['-++', 'primary', 'secondary', 'failover'],
    ['--+', 'primary', 'tertiary', 'failover'],
    ['-+-', 'secondary', 'secondary', null],
    ['+--', 'secondary', 'primary', 'failback'], // current dead → move to the best at once, even upward
    ['--+', 'secondary', 'tertiary', 'failover'],
  ] as const)('health %s while serving %s → %s (%s)', (h, serving, expected, kind) => {
    const sel = selectAnswer({
      cfg: three,
      st: servingState(three, on(serving)),
      health: health(h),
      recentFlips: 0,
      now: 1_000,
    });
    expect(sel.next.active).toEqual(on(expected));
    expect(sel.change?.kind ?? null).toBe(kind);
    expect(sel.next.allDown).toBe(false);
  });
});

describe('selectAnswer: failback waits for failbackAfter', () => {
  const st = servingState(three, on('secondary'), {
    healthySince: { primary: 10_000, secondary: 0, tertiary: 0 },
  });

  it('holds while the primary has been healthy for less than failbackAfter', () => {
    const sel = selectAnswer({ cfg: three, st, health: health('+++'), recentFlips: 0, now: 69_999 });
    expect(sel.change).toBeNull();
    expect(sel.next.active).toEqual(on('secondary'));
    expect(sel.pendingFailback).toEqual({ to: 'primary', dueAt: 70_000 });
  });

  it('fails back once the hold has passed', () => {
    const sel = selectAnswer({ cfg: three, st, health: health('+++'), recentFlips: 0, now: 70_000 });
    expect(sel.change).toEqual({ kind: 'failback', from: 'secondary', to: 'primary' });
    expect(sel.pendingFailback).toBeNull();
  });

  it('counts the hold from now when no healthySince is known', () => {
    const fresh = servingState(three, on('secondary'), { healthySince: {} });
    const sel = selectAnswer({ cfg: three, st: fresh, health: health('+++'), recentFlips: 0, now: 5_000 });
    expect(sel.pendingFailback).toEqual({ to: 'primary', dueAt: 65_000 });
  });

  it('manual failback waits for approval, then consumes it', () => {
    const manual = { ...three, failbackAfter: 'manual' as const };
    const waiting = selectAnswer({ cfg: manual, st, health: health('++-'), recentFlips: 0, now: 1e9 });
    expect(waiting.change).toBeNull();
    expect(waiting.pendingFailback).toEqual({ to: 'primary', dueAt: null });
    const approved = selectAnswer({
      cfg: manual,
      st: { ...st, failbackApproved: true },
      health: health('++-'),
      recentFlips: 0,
      now: 1e9,
    });
    expect(approved.change?.kind).toBe('failback');
    expect(approved.consumedApproval).toBe(true);
  });

  it('damping suspends failback when it would reach maxFlips', () => {
    const sel = selectAnswer({ cfg: three, st, health: health('+++'), recentFlips: 3, now: 1e9 });
    expect(sel.change).toBeNull();
    expect(sel.dampingBlocked).toBe(true);
    expect(
      selectAnswer({ cfg: three, st, health: health('+++'), recentFlips: 2, now: 1e9 }).change?.kind,
    ).toBe('failback');
  });

  it('damping never delays failing away from a dead answer', () => {
    const sel = selectAnswer({ cfg: three, st, health: health('+-+'), recentFlips: 10, now: 1 });
    expect(sel.change?.kind).toBe('failback');
    expect(sel.next.active).toEqual(on('primary'));
  });

  it('without damping configured, flips do not matter', () => {
    const sel = selectAnswer({
      cfg: { ...three, flapDamping: null },
      st,
      health: health('+++'),
      recentFlips: 99,
      now: 70_000,
    });
    expect(sel.change?.kind).toBe('failback');
  });
});

describe('selectAnswer: whenAllDown', () => {
  const modes: [WhenAllDown, ActiveAnswer, string[]][] = [
    [{ mode: 'primary' }, on('primary'), ['192.0.2.10']],
    [{ mode: 'last' }, on('secondary'), ['198.51.100.10']],
    [{ mode: 'none' }, { kind: 'none' }, []],
    [
      { mode: 'fallback', name: 'sorry', values: ['203.0.113.99'] },
      { kind: 'fallback', name: 'sorry' },
      ['203.0.113.99'],
    ],
  ];
  it.each(modes)('%o serves %o', (whenAllDown, active, values) => {
    const cfg = { ...three, whenAllDown };
    const sel = selectAnswer({
      cfg,
      st: servingState(cfg, on('secondary')),
      health: health('---'),
      recentFlips: 0,
      now: 1,
    });
    expect(sel.next).toEqual({ active, values, allDown: true });
    expect(sel.change === null).toBe(active.kind === 'answer' && active.name === 'secondary');
    if (sel.change) expect(sel.change.kind).toBe('all-down');
  });

  it('recovers to the best healthy answer at once', () => {
    const cfg = { ...three, whenAllDown: { mode: 'none' } as WhenAllDown };
    const st = servingState(cfg, { kind: 'none' }, { allDown: true });
    const sel = selectAnswer({ cfg, st, health: health('-+-'), recentFlips: 0, now: 1 });
    expect(sel.change).toEqual({ kind: 'recovered', from: 'none', to: 'secondary' });
    expect(sel.next.allDown).toBe(false);
  });

  it('leaves the all-down state without a value change when the served answer comes back', () => {
    const st = servingState(three, on('primary'), { allDown: true });
    const sel = selectAnswer({ cfg: three, st, health: health('+--'), recentFlips: 0, now: 1 });
    expect(sel.change).toBeNull();
    expect(sel.next).toEqual({ active: on('primary'), values: ['192.0.2.10'], allDown: false });
  });

  it('moves off an all-down primary to a healthy lower tier at once', () => {
    const st = servingState(three, on('primary'), { allDown: true });
    const sel = selectAnswer({ cfg: three, st, health: health('--+'), recentFlips: 0, now: 1 });
    expect(sel.change?.kind).toBe('recovered');
    expect(sel.next.active).toEqual(on('tertiary'));
  });

  it('allDownServed keeps the last answer for "last"', () => {
    const cfg = { ...three, whenAllDown: { mode: 'last' } as WhenAllDown };
    expect(allDownServed(cfg, servingState(cfg, on('tertiary'))).active).toEqual(on('tertiary'));
  });
});

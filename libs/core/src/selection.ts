/**
 * Answer selection for one failover record. Failing away from a dead answer is never delayed; moving back
 * to a better tier (failback) waits for failbackAfter (or approval) and is suspended while damped.
 */
import type { FailoverRecordConfig } from './config-types.js';
import type { ActiveAnswer, RecordState } from './state-types.js';

export type EligibilityReason =
  'override-up' | 'override-down' | 'check-up' | 'check-down' | 'check-unknown' | 'no-check';

export interface AnswerHealth {
  name: string;
  eligible: boolean;
  reason: EligibilityReason;
}

export type SwitchKind = 'failover' | 'failback' | 'all-down' | 'recovered';

export interface Served {
  active: ActiveAnswer;
  values: string[];
  allDown: boolean;
}

export interface Selection {
  next: Served;
  /** Set when the served values change. */
  change: { kind: SwitchKind; from: string; to: string } | null;
  pendingFailback: RecordState['pendingFailback'];
  /** A failback was held back only because of flap damping. */
  dampingBlocked: boolean;
  consumedApproval: boolean;
}

export function activeLabel(a: ActiveAnswer): string {
  return a.kind === 'none' ? 'none' : a.name;
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function answerServed(cfg: FailoverRecordConfig, index: number, allDown: boolean): Served {
  const a = cfg.answers[index]!;
  return { active: { kind: 'answer', name: a.name }, values: a.values, allDown };
}

/** What whenAllDown serves when no answer is eligible. */
export function allDownServed(cfg: FailoverRecordConfig, st: RecordState): Served {
  switch (cfg.whenAllDown.mode) {
    case 'primary':
      return answerServed(cfg, 0, true);
    case 'last':
      return { active: st.active, values: st.values, allDown: true };
    case 'none':
      return { active: { kind: 'none' }, values: [], allDown: true };
    case 'fallback':
      return {
        active: { kind: 'fallback', name: cfg.whenAllDown.name },
        values: cfg.whenAllDown.values,
        allDown: true,
      };
  }
}

export interface SelectionInput {
  cfg: FailoverRecordConfig;
  st: RecordState;
  health: readonly AnswerHealth[];
  /** Switches within the damping window so far. */
  recentFlips: number;
  now: number;
}

export function selectAnswer({ cfg, st, health, recentFlips, now }: SelectionInput): Selection {
  const current: Served = { active: st.active, values: st.values, allDown: st.allDown };
  const best = health.findIndex((h) => h.eligible);
  const curIdx =
    st.active.kind === 'answer' ? cfg.answers.findIndex((a) => a.name === activeLabel(st.active)) : -1;
  const result = (next: Served, kind: SwitchKind | null, extra: Partial<Selection> = {}): Selection => {
    const changed =
      !sameValues(next.values, current.values) || activeLabel(next.active) !== activeLabel(current.active);
    return {
      next,
      change:
        changed && kind ? { kind, from: activeLabel(current.active), to: activeLabel(next.active) } : null,
      pendingFailback: null,
      dampingBlocked: false,
      consumedApproval: false,
      ...extra,
    };
  };

  if (best < 0) return result(allDownServed(cfg, st), 'all-down');

  const currentWorks = curIdx >= 0 && health[curIdx]!.eligible;
  if (!currentWorks) {
    // Failing away from a dead answer (or out of the all-down state) is never delayed.
    const kind: SwitchKind = st.allDown || curIdx < 0 ? 'recovered' : best > curIdx ? 'failover' : 'failback';
    return result(answerServed(cfg, best, false), kind);
  }

  const stay = answerServed(cfg, curIdx, false);
  if (best === curIdx) return result(stay, null);

  // A better tier is healthy while the current one works: this is a failback, and it may wait.
  const to = cfg.answers[best]!.name;
  if (cfg.flapDamping && recentFlips + 1 >= cfg.flapDamping.maxFlips) {
    return result(stay, null, { pendingFailback: { to, dueAt: null }, dampingBlocked: true });
  }
  if (cfg.failbackAfter === 'manual') {
    if (st.failbackApproved)
      return result(answerServed(cfg, best, false), 'failback', { consumedApproval: true });
    return result(stay, null, { pendingFailback: { to, dueAt: null } });
  }
  const since = st.healthySince[to] ?? now;
  const dueAt = since + cfg.failbackAfter;
  if (now >= dueAt) return result(answerServed(cfg, best, false), 'failback');
  return result(stay, null, { pendingFailback: { to, dueAt } });
}

/**
 * Answer selection for one failover record. Failing away from a dead answer is never delayed; moving back
 * to a better tier (failback) waits for failbackAfter (or approval) and is suspended while damped.
 */
import { capValues } from './address-health.js';
import type { FailoverRecordConfig } from './config-types.js';
import type { ActiveAnswer, RecordState } from './state-types.js';

export type EligibilityReason =
  'override-up' | 'override-down' | 'check-up' | 'check-down' | 'check-unknown' | 'no-check';

export interface AnswerHealth {
  name: string;
  /** May be served: not known to be down. */
  eligible: boolean;
  /**
   * Known healthy on fresh evidence (an up verdict with enough fresh voters, an up override, or no check).
   * Only a confirmed answer can be failed back to, and failbackAfter counts from when it became confirmed.
   */
  confirmed: boolean;
  reason: EligibilityReason;
  // --- issue 14: health per address (i14addr) ---
  /** The values this tier serves now (its eligible addresses, capped); absent = all its values, capped. */
  values?: string[];
  /** Some of its addresses are down although the tier is up. */
  degraded?: boolean;
  // --- end issue 14 ---
}

/** 'addresses': the same tier serves another subset of its addresses (issue 14). */
export type SwitchKind = 'failover' | 'failback' | 'all-down' | 'recovered' | 'addresses';

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

function answerServed(
  cfg: FailoverRecordConfig,
  index: number,
  allDown: boolean,
  health?: readonly AnswerHealth[],
): Served {
  const a = cfg.answers[index]!;
  // All down serves the whole tier (fail open); otherwise its healthy addresses.
  const values = (!allDown && health?.[index]?.values) || capValues(cfg, a, a.values);
  return { active: { kind: 'answer', name: a.name }, values, allDown };
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
      change: changed
        ? // Another subset of the same tier's addresses is a change of values, not a switch.
          { kind: kind ?? 'addresses', from: activeLabel(current.active), to: activeLabel(next.active) }
        : null,
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
    return result(answerServed(cfg, best, false, health), kind);
  }

  const stay = answerServed(cfg, curIdx, false, health);
  // Better tiers that are confirmed healthy are failback candidates; the best one whose hold is over wins.
  const candidates = health.slice(0, curIdx).flatMap((h, i) => (h.confirmed ? [i] : []));
  if (!candidates.length) return result(stay, null);
  const first = candidates[0]!;
  const pendingFor = (i: number, dueAt: number | null) => ({
    pendingFailback: { to: cfg.answers[i]!.name, dueAt },
  });
  // An operator's approval moves back at once, whatever the hold or damping.
  if (st.failbackApproved)
    return result(answerServed(cfg, first, false, health), 'failback', { consumedApproval: true });
  if (cfg.flapDamping && recentFlips + 1 >= cfg.flapDamping.maxFlips) {
    return result(stay, null, { ...pendingFor(first, null), dampingBlocked: true });
  }
  if (cfg.failbackAfter === 'manual') return result(stay, null, pendingFor(first, null));
  const hold = cfg.failbackAfter;
  const dueAt = (i: number): number => (st.healthySince[cfg.answers[i]!.name] ?? now) + hold;
  const ready = candidates.find((i) => now >= dueAt(i));
  if (ready !== undefined) return result(answerServed(cfg, ready, false, health), 'failback');
  return result(stay, null, pendingFor(first, dueAt(first)));
}

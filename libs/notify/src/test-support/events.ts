/** Decision events shaped like the engine's, for notifier tests. */
import type { DecisionEvent, SwitchKind } from '@understudy/core';

const ANSWERS = [{ name: 'primary' }, { name: 'secondary' }];

export function switched(seq: number, from: string, to: string, kind: SwitchKind): DecisionEvent {
  return {
    seq,
    at: 1_767_225_600_000 + seq,
    type: 'answer-switched',
    severity: kind === 'failback' ? 'info' : 'critical',
    record: 'app.example.test./A',
    from,
    to,
    serial: 2_026_010_100 + seq,
    message: `Record app.example.test./A: ${kind} from ${from} to ${to}`,
    evidence: { answers: ANSWERS, kind },
  };
}

export function simple(
  seq: number,
  type: DecisionEvent['type'],
  extra: Partial<DecisionEvent> = {},
): DecisionEvent {
  return {
    seq,
    at: 1_767_225_600_000 + seq,
    type,
    severity: 'warning',
    message: `${type} happened`,
    evidence: {},
    ...extra,
  };
}

export function verdictDown(seq: number, reason: 'cert-expiring' | 'timeout'): DecisionEvent {
  const vote = (region: string) => ({
    region,
    state: 'down' as const,
    stale: false,
    consecutiveOk: 0,
    consecutiveFail: 2,
    lastObservedAt: 1,
    reason,
  });
  return simple(seq, 'verdict-changed', {
    check: 'shop',
    from: 'up',
    to: 'down',
    evidence: {
      checks: [
        {
          check: 'shop',
          verdict: 'down',
          votes: [vote('eu-west'), vote('us-east')],
          rule: '2/3',
          required: 2,
          voters: 2,
          downVotes: 2,
          minVoters: 1,
          fall: 2,
          rise: 2,
          interval: 1000,
          timeout: 500,
        },
      ],
    },
  });
}

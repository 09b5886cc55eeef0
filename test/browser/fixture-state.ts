/**
 * A synthetic dashboard state of any size (checks × 3 regions, one failover record, a few events), in the
 * shapes of the /api/v1 contract. Used to develop the UI and to time the page at 10,000 checks when the
 * real server cannot be built at that scale from here.
 */
import type { DecisionEvent } from '@understudy/core';

export const REGIONS = ['us-east', 'eu-west', 'ap-south'];

export interface FixtureCheck {
  id: string;
  type: string;
  target: string;
  interval: number;
  fall: number;
  rise: number;
  quorum: string;
  verdict: 'up' | 'down' | 'unknown';
  verdictChangedAt: number | null;
  insufficient: boolean;
  regions: {
    region: string;
    state: 'up' | 'down' | 'unknown';
    stale: boolean;
    consecutiveOk: number;
    consecutiveFail: number;
    lastObservedAt: number | null;
    changedAt: number | null;
    last: { ok: boolean; reason?: string; message?: string; timings: { total: number } } | null;
  }[];
}

export function fixtureChecks(n: number, now: number): FixtureCheck[] {
  const out: FixtureCheck[] = [];
  for (let i = 0; i < n; i++) {
    const down = i % 97 === 5;
    out.push({
      id: `check-${String(i).padStart(5, '0')}`,
      type: 'https',
      target: `https://origin-${i}.example.test/healthz`,
      interval: 10_000,
      fall: 3,
      rise: 2,
      quorum: '2/3 of voting regions',
      verdict: down ? 'down' : 'up',
      verdictChangedAt: now - 60_000,
      insufficient: false,
      regions: REGIONS.map((region, r) => {
        const stale = r === 2 && i % 50 === 7;
        const bad = down && r < 2;
        return {
          region,
          state: bad ? 'down' : 'up',
          stale,
          consecutiveOk: bad ? 0 : 5,
          consecutiveFail: bad ? 4 : 0,
          lastObservedAt: now - 2000,
          changedAt: now - 60_000,
          last: bad
            ? { ok: false, reason: 'status', message: 'HTTP 503', timings: { total: 40 + r } }
            : { ok: true, timings: { total: 20 + ((i * 7 + r) % 80) } },
        };
      }),
    });
  }
  return out;
}

export function fixtureRecord(now: number, active: 'primary' | 'secondary') {
  const primary = active === 'primary';
  return {
    id: 'app.example.test./A',
    zone: 'example.test.',
    name: 'app.example.test',
    type: 'A',
    ttl: 30,
    active: { kind: 'answer' as const, name: active },
    allDown: false,
    values: [primary ? '192.0.2.10' : '198.51.100.10'],
    switchedAt: now - 5000,
    switchedSerial: 7,
    publishedAt: { builtin: now - 4990 },
    effectiveBy: { builtin: now + 25_000 },
    pendingFailback: null,
    damped: false,
    resumesAt: null,
    answers: [
      {
        name: 'primary',
        values: ['192.0.2.10'],
        check: 'check-00005',
        health: primary ? 'up' : 'down',
        override: 'obey',
      },
      { name: 'secondary', values: ['198.51.100.10'], check: 'check-00001', health: 'up', override: 'obey' },
    ],
    targets: [{ target: 'builtin', type: 'builtin', inSync: true, appliedSerial: 7 }],
  };
}

export function fixtureEvent(seq: number, at: number, over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    seq,
    at,
    type: 'answer-switched',
    severity: 'critical',
    record: 'app.example.test./A',
    from: 'primary',
    to: 'secondary',
    serial: 7,
    message: 'app.example.test A: primary → secondary',
    evidence: {
      checks: [
        {
          check: 'check-00005',
          verdict: 'down',
          rule: '2/3',
          required: 2,
          voters: 3,
          downVotes: 2,
          minVoters: 2,
          fall: 3,
          rise: 2,
          interval: 10_000,
          timeout: 5000,
          votes: REGIONS.map((region, r) => ({
            region,
            state: r < 2 ? 'down' : 'up',
            stale: false,
            consecutiveOk: r < 2 ? 0 : 4,
            consecutiveFail: r < 2 ? 3 : 0,
            lastObservedAt: at - 100,
            ...(r < 2 ? { reason: 'status' as const, message: 'HTTP 503' } : {}),
          })),
        },
      ],
      timing: { ttl: 30, detectBudget: 35_000, switchedAt: at, expectedEffectiveBy: at + 30_000 },
    },
    ...over,
  };
}

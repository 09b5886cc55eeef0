/**
 * Realistic values for the conformance suites: shaped like what the decider really stores, with optional
 * fields both present and absent, nested records, and the numbers (epoch ms, SOA serials) seen in production.
 */
import type {
  TargetSyncStatus,
  CheckState,
  DecisionEvent,
  DeciderState,
  DeciderStatePatch,
  ProbeResult,
  Publication,
  RegionHealth,
  ResultBatch,
  OverlayUpdate,
  ZoneOverlay,
} from '@understudy/core';

export const REGIONS = ['eu-west', 'us-east', 'ap-south'] as const;
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function regionHealth(i: number, down: boolean): RegionHealth {
  return {
    state: down ? 'down' : 'up',
    consecutiveOk: down ? 0 : 12 + i,
    consecutiveFail: down ? 3 : 0,
    lastObservedAt: T0 + 60_000 + i,
    lastSeq: 400 + i,
    lastProbeId: `probe-${REGIONS[i]}-1`,
    lastReceivedAt: T0 + 60_250 + i,
    changedAt: down ? T0 + 45_000 : null,
    last: down
      ? {
          ok: false,
          reason: 'status',
          message: 'HTTP 503',
          status: 503,
          timings: { dns: 3, connect: 11, tls: 24, firstByte: 80, total: 95 },
          observedAt: T0 + 60_000 + i,
        }
      : {
          ok: true,
          status: 200,
          timings: { connect: 9, tls: 21, firstByte: 40, total: 52 },
          certExpiresAt: T0 + 90 * 86_400_000,
          observedAt: T0 + 60_000 + i,
        },
  };
}

function checkState(downIn: number[]): CheckState {
  const regions = Object.fromEntries(REGIONS.map((r, i) => [r, regionHealth(i, downIn.includes(i))]));
  const down = downIn.length >= 2;
  return {
    regions,
    verdict: down ? 'down' : 'up',
    verdictChangedAt: down ? T0 + 46_000 : null,
    insufficient: false,
  };
}

/** A decider state after a failover of app.example.test./A from primary to secondary. */
export function makeDeciderState(serial = 2_026_010_101, eventSeq = 42): DeciderState {
  return {
    version: 1,
    serial,
    eventSeq,
    checks: { 'app-primary': checkState([0, 1]), 'app-secondary': checkState([]) },
    records: {
      'app.example.test./A': {
        active: { kind: 'answer', name: 'secondary' },
        allDown: false,
        values: ['192.0.2.20', '192.0.2.21'],
        switchedAt: T0 + 46_010,
        switchedSerial: serial,
        publishedAt: { dns: T0 + 46_020, route53: T0 + 58_000 },
        effectiveBy: { dns: T0 + 106_020 },
        flips: [T0 + 46_010],
        damped: false,
        healthySince: { primary: null, secondary: T0 - 3_600_000 },
        pendingFailback: null,
        failbackApproved: false,
      },
      'api.example.test./AAAA': {
        active: { kind: 'fallback', name: 'maintenance' },
        allDown: true,
        values: ['2001:db8::99'],
        switchedAt: null,
        switchedSerial: null,
        publishedAt: {},
        effectiveBy: {},
        flips: [],
        damped: true,
        healthySince: { primary: null },
        pendingFailback: { to: 'primary', dueAt: T0 + 400_000 },
        failbackApproved: true,
      },
    },
    overrides: { 'app.example.test./A': { primary: 'obey', secondary: 'up' } },
    guard: { holding: false, since: null, released: false },
    regions: Object.fromEntries(REGIONS.map((r, i) => [r, { lastSeenAt: T0 + 60_250 + i, stale: i === 2 }])),
  };
}

/** An overlay: two failover records, one serving two values and one serving none (NODATA). */
export function makeOverlay(serial: number, epoch: number): ZoneOverlay {
  return {
    serial,
    epoch,
    generatedAt: T0 + serial,
    records: { 'app.example.test./A': ['192.0.2.20', '192.0.2.21'], 'empty.example.test./TXT': [] },
  };
}

/** The whole overlay as an update. */
export function full(serial: number, epoch: number): OverlayUpdate {
  return { kind: 'full', overlay: makeOverlay(serial, epoch) };
}

/** A delta from `base` to `serial` changing the given records (default: app's value varies by serial). */
export function delta(
  base: number,
  serial: number,
  epoch: number,
  records: Record<string, string[]> = { 'app.example.test./A': [`198.51.100.${serial % 250}`] },
): OverlayUpdate {
  return { kind: 'delta', delta: { base, serial, epoch, generatedAt: T0 + serial, records } };
}

/** A decision event with full evidence; `seq` also varies the content. */
export function makeEvent(seq: number): DecisionEvent {
  return {
    seq,
    at: T0 + seq * 1000,
    type: seq % 2 === 0 ? 'answer-switched' : 'verdict-changed',
    severity: seq % 2 === 0 ? 'critical' : 'warning',
    record: 'app.example.test./A',
    check: 'app-primary',
    from: 'primary',
    to: 'secondary',
    serial: 2_026_010_100 + seq,
    message: `event ${seq}: app-primary down in 2 of 3 regions`,
    evidence: {
      checks: [
        {
          check: 'app-primary',
          verdict: 'down',
          votes: REGIONS.map((region, i) => ({
            region,
            state: i < 2 ? 'down' : 'up',
            stale: false,
            consecutiveOk: i < 2 ? 0 : 5,
            consecutiveFail: i < 2 ? 3 : 0,
            lastObservedAt: T0 + seq * 1000 - 500,
            ...(i < 2 ? { reason: 'timeout' as const, message: 'no response within 5000 ms' } : {}),
          })),
          rule: 'majority',
          required: 2,
          voters: 3,
          downVotes: 2,
          minVoters: 1,
          fall: 3,
          rise: 2,
          interval: 10_000,
          timeout: 5_000,
        },
      ],
      timing: { ttl: 60, detectBudget: 35_000, failbackAfter: 300_000, switchedAt: T0 + seq * 1000 },
    },
    ...(seq % 3 === 0 ? { actor: { name: 'ops@example.test', reason: 'maintenance window' } } : {}),
  };
}

export function makeEvents(fromSeq: number, count: number): DecisionEvent[] {
  return Array.from({ length: count }, (_, i) => makeEvent(fromSeq + i));
}

export function makeTargetStatus(
  target: string,
  serial: number,
  error: string | null = null,
): TargetSyncStatus {
  return {
    target,
    type: target === 'cloudflare' ? 'cloudflare' : 'route53',
    appliedSerial: error ? serial - 1 : serial,
    lastPlan: [
      {
        target,
        zone: 'example.test.',
        creates: [],
        updates: [
          {
            before: { name: 'app.example.test.', type: 'A', ttl: 30, values: ['192.0.2.10'] },
            after: { name: 'app.example.test.', type: 'A', ttl: 30, values: ['198.51.100.10'] },
          },
        ],
        deletes: [],
        conflicts: [],
      },
    ],
    lastAppliedAt: T0 + serial,
    lastError: error ? { message: error, at: T0 + serial, kind: 'transient' } : null,
    nextRetryAt: error ? T0 + serial + 5000 : null,
    attempts: error ? 1 : 0,
    inSync: !error,
    lastReconcileAt: T0 + serial,
  };
}

export function makePublication(target: string, instance: string, serial: number): Publication {
  return { target, instance, serial, at: T0 + serial };
}

function makeResult(region: string, probeId: string, seq: number, checkId: string): ProbeResult {
  const ok = seq % 7 !== 0;
  return {
    checkId,
    region,
    probeId,
    seq,
    observedAt: T0 + seq * 250,
    ok,
    ...(ok
      ? {
          status: 200,
          timings: { dns: 2, connect: 8, tls: 20, firstByte: 31, total: 40 },
          certExpiresAt: T0 + 7e9,
        }
      : { reason: 'connect', message: 'ECONNREFUSED 192.0.2.10:443', timings: { dns: 2, total: 3 } }),
  };
}

/** One probe's batch: `size` results over a few checks, sequence numbers starting at firstSeq. */
export function makeBatch(region: string, firstSeq: number, size = 4): ResultBatch {
  const probeId = `probe-${region}-1`;
  return {
    probeId,
    region,
    sentAt: T0 + firstSeq * 250,
    configHash: 'sha256:8f2c1d',
    results: Array.from({ length: size }, (_, i) =>
      makeResult(region, probeId, firstSeq + i, `check-${i % 5}`),
    ),
  };
}

/**
 * A partial patch of `st` (what DecisionEngine.takePatch() gives after a small change): its top-level parts
 * and only the named checks and records.
 */
export function partialPatch(
  st: DeciderState,
  ids: { checks?: string[]; records?: string[] } = {},
): DeciderStatePatch {
  const { checks, records, ...top } = structuredClone(st);
  const pick = <T>(all: Record<string, T>, names: string[] = []) =>
    Object.fromEntries(names.map((n) => [n, all[n]!]));
  return { full: false, top, checks: pick(checks, ids.checks), records: pick(records, ids.records) };
}

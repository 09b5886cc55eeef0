import { ConfigError } from '@understudy/core';
import type { CheckOutcome, ProbedCheckConfig } from '@understudy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunCheckFn } from './run-check.js';
import { CheckScheduler } from './scheduler.js';
import { tcpCheckConfig } from './test-support/fixtures.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { seqRandom } from './test-support/random.js';

const clock = { now: () => Date.now() };
const OK: CheckOutcome = { ok: true, timings: { total: 1 } };

interface Harness {
  starts: { id: string; at: number }[];
  outcomes: { id: string; outcome: CheckOutcome; at: number }[];
  maxConcurrent: Map<string, number>;
  signals: AbortSignal[];
}

/** A runCheck that takes `durationMs` of fake time and records starts and concurrency per check. */
function timedRun(
  h: Harness,
  durationMs: (check: ProbedCheckConfig) => number,
  honourAbort = true,
): RunCheckFn {
  const running = new Map<string, number>();
  return (check, opts) => {
    h.starts.push({ id: check.id, at: Date.now() });
    h.signals.push(opts!.signal!);
    const n = (running.get(check.id) ?? 0) + 1;
    running.set(check.id, n);
    h.maxConcurrent.set(check.id, Math.max(h.maxConcurrent.get(check.id) ?? 0, n));
    return new Promise<CheckOutcome>((resolve) => {
      const done = (o: CheckOutcome) => {
        running.set(check.id, running.get(check.id)! - 1);
        resolve(o);
      };
      const t = setTimeout(() => done(OK), durationMs(check));
      if (!honourAbort) return;
      opts!.signal!.addEventListener('abort', () => {
        clearTimeout(t);
        done({ ok: false, reason: 'timeout', message: 'aborted', timings: { total: 0 } });
      });
    });
  };
}

/** stop() waits on timers, so fake time has to move while it runs. */
async function stopNow(s: CheckScheduler): Promise<void> {
  const stopped = s.stop();
  await vi.advanceTimersByTimeAsync(2_000);
  await stopped;
}

function harness(): Harness {
  return { starts: [], outcomes: [], maxConcurrent: new Map(), signals: [] };
}

function scheduler(
  h: Harness,
  checks: ProbedCheckConfig[],
  run: RunCheckFn,
  extra: { jitter?: number; random?: number[] } = {},
) {
  const logger = recordingLogger();
  const s = new CheckScheduler({
    checks,
    onOutcome: (check, outcome, at) => h.outcomes.push({ id: check.id, outcome, at }),
    clock,
    random: seqRandom(extra.random ?? [0]),
    jitter: extra.jitter ?? 0,
    logger,
    runCheck: run,
    stopGraceMs: 500,
    abortGraceMs: 200,
  });
  return { s, logger };
}

describe('CheckScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts each check at a random phase within its interval, then once per interval', async () => {
    const h = harness();
    const checks = [tcpCheckConfig({ id: 'a', interval: 1_000 }), tcpCheckConfig({ id: 'b', interval: 400 })];
    const { s } = scheduler(
      h,
      checks,
      timedRun(h, () => 10),
      { random: [0.5, 0.25] },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(2_600);
    await stopNow(s);
    const rel = (id: string) => h.starts.filter((x) => x.id === id).map((x) => x.at - 1_000_000);
    expect(rel('a')).toEqual([500, 1_500, 2_500]);
    expect(rel('b')).toEqual([100, 500, 900, 1_300, 1_700, 2_100, 2_500]);
    expect(h.outcomes.filter((o) => o.id === 'a').map((o) => o.at - 1_000_000)).toEqual([510, 1_510, 2_510]);
  });

  it('adds per-run jitter within [0, jitter × interval) without drifting off the grid', async () => {
    const h = harness();
    const random = [0, 0.9999, 0.5, 0.0, 0.9999, 0.25, 0.75];
    const { s } = scheduler(
      h,
      [tcpCheckConfig({ id: 'a', interval: 1_000 })],
      timedRun(h, () => 5),
      {
        jitter: 0.2,
        random,
      },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(6_500);
    await stopNow(s);
    const at = h.starts.map((x) => x.at - 1_000_000);
    // Slot k is at k × 1000 (phase 0); each start lies in [slot, slot + 200).
    at.forEach((t, k) => {
      expect(t).toBeGreaterThanOrEqual(k * 1_000);
      expect(t).toBeLessThan(k * 1_000 + 200);
    });
    const expected = [0, 1_199.98, 2_100, 3_000, 4_199.98, 5_050, 6_150];
    expect(at).toHaveLength(expected.length);
    at.forEach((t, k) => expect(Math.abs(t - expected[k]!)).toBeLessThanOrEqual(1));
  });

  it('never overlaps a check with itself: a long run delays the next start', async () => {
    const h = harness();
    const { s } = scheduler(
      h,
      [tcpCheckConfig({ id: 'slow', interval: 1_000, timeout: 10_000 })],
      timedRun(h, () => 2_500),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopNow(s);
    expect(h.maxConcurrent.get('slow')).toBe(1);
    const at = h.starts.map((x) => x.at - 1_000_000);
    // Each start follows the previous finish (a 0 ms timer fires after 1 ms, as in Node).
    expect(at).toHaveLength(4);
    for (let k = 1; k < at.length; k++) {
      expect(at[k]! - at[k - 1]!).toBeGreaterThanOrEqual(2_500);
      expect(at[k]! - at[k - 1]!).toBeLessThanOrEqual(2_501);
    }
  });

  // issue #10: after a stall the next run came almost at once (max(slotAt + interval, now)), so fall: 2
  // was met within ~0.1 s. The stall is simulated by moving the injected clock without running timers.
  it('after an event-loop stall, runs the next check a full interval after the late run', async () => {
    const h = harness();
    const { s } = scheduler(
      h,
      [tcpCheckConfig({ id: 'a', interval: 1_000, timeout: 500 })],
      timedRun(h, () => 10),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(1_500); // runs at 0 and 1000
    vi.setSystemTime(Date.now() + 3_000); // the loop is blocked for 3 s: the 2000 timer is held
    await vi.advanceTimersByTimeAsync(500); // it fires, 3 s late
    await vi.advanceTimersByTimeAsync(3_000);
    await stopNow(s);
    const at = h.starts.map((x) => x.at - 1_000_000);
    expect(at.slice(0, 3)).toEqual([0, 1_000, 5_000]);
    // A fresh grid from the late run: one interval apart, not a catch-up burst.
    expect(at.slice(3)).toEqual([6_000, 7_000, 8_000]);
  });

  it('keeps the grid when a start is only a little late (timer noise)', async () => {
    const h = harness();
    const { s } = scheduler(
      h,
      [tcpCheckConfig({ id: 'a', interval: 1_000 })],
      timedRun(h, () => 10),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    vi.setSystemTime(Date.now() + 50); // under the tolerance
    await vi.advanceTimersByTimeAsync(2_000);
    await stopNow(s);
    expect(h.starts.map((x) => x.at - 1_000_000)).toEqual([0, 1_050, 2_000]);
  });

  it('aborts a run at its timeout with a TimeoutError and reports the outcome', async () => {
    const h = harness();
    const check = tcpCheckConfig({ id: 'hang', interval: 5_000, timeout: 300 });
    const { s } = scheduler(
      h,
      [check],
      timedRun(h, () => 60_000),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(299);
    expect(h.signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.signals[0]!.aborted).toBe(true);
    expect((h.signals[0]!.reason as Error).name).toBe('TimeoutError');
    expect(h.outcomes).toHaveLength(1);
    expect(h.outcomes[0]).toMatchObject({
      id: 'hang',
      outcome: { ok: false, reason: 'timeout' },
      at: 1_000_300,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.starts).toHaveLength(2);
    await stopNow(s);
  });

  it('gives up on a run that ignores its abort after the grace, and keeps scheduling', async () => {
    const h = harness();
    const { s } = scheduler(
      h,
      [tcpCheckConfig({ id: 'deaf', interval: 1_000, timeout: 300 })],
      timedRun(h, () => 60_000, false),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(h.outcomes).toHaveLength(1);
    expect(h.outcomes[0]).toMatchObject({ at: 1_000_500, outcome: { ok: false, reason: 'timeout' } });
    expect(h.outcomes[0]!.outcome.message).toMatch(/did not stop within 200 ms/);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.starts).toHaveLength(2);
    await stopNow(s);
  });

  it('stop() clears timers, delivers runs that finish within the grace, drops the ones it aborts', async () => {
    const h = harness();
    const checks = [
      tcpCheckConfig({ id: 'quick', interval: 1_000, timeout: 5_000 }),
      tcpCheckConfig({ id: 'long', interval: 1_000, timeout: 5_000 }),
    ];
    const { s } = scheduler(
      h,
      checks,
      timedRun(h, (c) => (c.id === 'quick' ? 300 : 3_000)),
    );
    s.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(s.inFlight).toBe(2);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(h.outcomes.map((o) => o.id)).toEqual(['quick']);
    expect(s.inFlight).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.starts).toHaveLength(2);
  });

  it('turns a throwing runCheck into a probe-error outcome and survives a throwing handler', async () => {
    const logger = recordingLogger();
    let calls = 0;
    const s = new CheckScheduler({
      checks: [tcpCheckConfig({ id: 'x', interval: 100 })],
      onOutcome: () => {
        calls++;
        throw new Error('handler bug');
      },
      clock,
      random: seqRandom([0]),
      jitter: 0,
      logger,
      runCheck: () => Promise.reject(new Error('boom')),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(250);
    await stopNow(s);
    expect(calls).toBe(3);
    expect(logger.entries.filter((e) => e.msg === 'outcome handler threw')).toHaveLength(3);
    expect(logger.entries.some((e) => e.msg.startsWith('check run threw'))).toBe(true);
  });

  it('rejects invalid intervals, timeouts, jitter and duplicate ids with a ConfigError', () => {
    const make = (checks: ProbedCheckConfig[], jitter = 0) =>
      new CheckScheduler({
        checks,
        onOutcome: () => undefined,
        clock,
        random: seqRandom([0]),
        jitter,
        logger: recordingLogger(),
      });
    expect(() => make([tcpCheckConfig({ interval: 0 })])).toThrow(ConfigError);
    expect(() => make([tcpCheckConfig({ timeout: Number.NaN })])).toThrow(/checks\[0\]\.timeout/);
    expect(() => make([tcpCheckConfig({ id: 'a' }), tcpCheckConfig({ id: 'a' })])).toThrow(
      /duplicate check id a/,
    );
    expect(() => make([tcpCheckConfig()], 1.5)).toThrow(/probe\.jitter/);
  });
});

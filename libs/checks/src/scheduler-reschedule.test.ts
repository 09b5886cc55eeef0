/** Reload (issue 13): CheckScheduler.reschedule keeps unchanged checks on their grid, stops removed ones. */
import type { CheckOutcome } from '@understudy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import type { RunCheckFn } from './run-check.js';
import { CheckScheduler } from './scheduler.js';
import { tcpCheckConfig } from './test-support/fixtures.js';

const T0 = 1_000_000;

function setup(durationMs = 10) {
  const starts: { id: string; at: number }[] = [];
  const outcomes: { id: string; at: number }[] = [];
  const draws = [0.5, 0.25];
  const run: RunCheckFn = (check, opts) => {
    starts.push({ id: check.id, at: Date.now() - T0 });
    return new Promise<CheckOutcome>((resolve) => {
      const t = setTimeout(() => resolve({ ok: true, timings: { total: durationMs } }), durationMs);
      opts!.signal!.addEventListener('abort', () => {
        clearTimeout(t);
        resolve({ ok: false, reason: 'timeout', message: 'aborted', timings: { total: 0 } });
      });
    });
  };
  const s = new CheckScheduler({
    checks: [
      tcpCheckConfig({ id: 'keep', interval: 1_000 }),
      tcpCheckConfig({ id: 'gone', interval: 1_000 }),
    ],
    onOutcome: (check, _o, at) => outcomes.push({ id: check.id, at: at - T0 }),
    clock: { now: () => Date.now() },
    // Phases: keep at 500, gone at 250; every later draw (jitter, new phases) is 0.
    random: { next: () => draws.shift() ?? 0 },
    jitter: 0,
    logger: recordingLogger(),
    runCheck: run,
    stopGraceMs: 500,
    abortGraceMs: 200,
  });
  const at = (id: string) => starts.filter((x) => x.id === id).map((x) => x.at);
  const stop = async () => {
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(2_000);
    await stopped;
  };
  return { s, at, outcomes, stop };
}

describe('CheckScheduler.reschedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps an unchanged check on its grid, stops a removed one, starts a new one', async () => {
    const { s, at, stop } = setup();
    s.start();
    await vi.advanceTimersByTimeAsync(1_700);
    const report = s.reschedule([
      tcpCheckConfig({ id: 'keep', interval: 1_000 }),
      tcpCheckConfig({ id: 'new', interval: 1_000 }),
    ]);
    expect(report).toEqual({ added: ['new'], removed: ['gone'], changed: [], kept: ['keep'] });
    await vi.advanceTimersByTimeAsync(2_000);
    await stop();
    // Same grid as before the reload: 500, 1500, 2500, 3500.
    expect(at('keep')).toEqual([500, 1_500, 2_500, 3_500]);
    expect(at('gone')).toEqual([250, 1_250]);
    // A fresh random phase from the reload (random 0: at once), then once per interval.
    expect(at('new')).toEqual([1_700, 2_700, 3_700]);
  });

  it('restarts a changed check and drops the outcome of its run in flight', async () => {
    const { s, at, outcomes, stop } = setup(300);
    s.start();
    await vi.advanceTimersByTimeAsync(1_300); // gone's second run (from 1250) is in flight
    const report = s.reschedule([
      tcpCheckConfig({ id: 'keep', interval: 1_000 }),
      tcpCheckConfig({ id: 'gone', interval: 1_000, port: 2 }),
    ]);
    expect(report).toEqual({ added: [], removed: [], changed: ['gone'], kept: ['keep'] });
    await vi.advanceTimersByTimeAsync(1_000);
    await stop();
    expect(at('gone')).toEqual([250, 1_250, 1_300, 2_300]);
    // The run of the old definition (1250) is never reported; the new one's are.
    expect(outcomes.filter((o) => o.id === 'gone').map((o) => o.at)).toEqual([550, 1_600, 2_600]);
  });

  it('refuses an invalid set of checks, keeping the running ones', () => {
    const { s } = setup();
    const dup = tcpCheckConfig({ id: 'keep' });
    expect(() => s.reschedule([dup, dup])).toThrow(/duplicate check id keep/);
  });
});

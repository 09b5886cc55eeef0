import type { CheckConfig, CheckOutcome, ResultBatch } from '@understudy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProbeHealthMonitor } from './probe-health.js';
import { ProbeRunner } from './probe-runner.js';
import type { ProbeRunnerOptions } from './probe-runner.js';
import type { RunCheckFn } from './run-check.js';
import { tcpCheckConfig } from './test-support/fixtures.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { seqRandom } from './test-support/random.js';

const T0 = 5_000_000;
const clock = { now: () => Date.now() };

/** Each run takes 10 ms of fake time; ok unless the check id is listed in `failing`. */
function fakeRun(failing = new Set<string>()): RunCheckFn {
  return (check) =>
    new Promise<CheckOutcome>((resolve) =>
      setTimeout(
        () =>
          resolve(
            failing.has(check.id)
              ? { ok: false, reason: 'connect', message: 'refused', timings: { total: 10 } }
              : { ok: true, timings: { total: 10 } },
          ),
        10,
      ),
    );
}

const checks: CheckConfig[] = [
  tcpCheckConfig({ id: 'a', interval: 100, regions: ['eu', 'us'] }),
  tcpCheckConfig({ id: 'b', interval: 250, regions: ['eu'] }),
  tcpCheckConfig({ id: 'us-only', interval: 100, regions: ['us'] }),
];

function runner(over: Partial<ProbeRunnerOptions> = {}) {
  const batches: ResultBatch[] = [];
  const logger = recordingLogger();
  const r = new ProbeRunner({
    region: 'eu',
    probeId: 'probe-eu-1',
    checks,
    publish: (b) => {
      batches.push(b);
      return Promise.resolve();
    },
    flushInterval: 1_000,
    jitter: 0,
    clock,
    random: seqRandom([0]),
    logger,
    runCheck: fakeRun(),
    ...over,
  });
  return { r, batches, logger };
}

async function closeNow(r: ProbeRunner): Promise<void> {
  const closed = r.close();
  await vi.advanceTimersByTimeAsync(10_000);
  await closed;
}

describe('ProbeRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes one batch per flush interval with the latest result per check of its region', async () => {
    const { r, batches } = runner({ configHash: 'cfg-1' });
    r.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch).toMatchObject({
      probeId: 'probe-eu-1',
      region: 'eu',
      sentAt: T0 + 1_000,
      configHash: 'cfg-1',
    });
    expect(batch!.results.map((x) => x.checkId).sort()).toEqual(['a', 'b']);
    // 'a' ran at 0,100,…,900 (finishing 10 ms later); only the run finishing at 910 is kept.
    expect(batch!.results.find((x) => x.checkId === 'a')).toMatchObject({
      ok: true,
      observedAt: T0 + 910,
      region: 'eu',
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(batches).toHaveLength(3);
    expect(r.stats()).toMatchObject({
      checks: 2,
      batchesPublished: 3,
      resultsPublished: 6,
      publishFailures: 0,
    });
    await closeNow(r);
  });

  it('numbers results with a strictly increasing seq across batches', async () => {
    const { r, batches } = runner();
    r.start();
    await vi.advanceTimersByTimeAsync(3_000);
    await closeNow(r);
    const seqs = batches.flatMap((b) => b.results.map((x) => x.seq));
    expect(seqs.length).toBeGreaterThan(4);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    // 'a' runs 10 times and 'b' 4 times per second: seq counts every result, published or superseded.
    expect(seqs.at(-1)).toBeGreaterThanOrEqual(3 * 14);
  });

  it('keeps only the latest result per check while publishing fails, warns rarely, delivers after recovery', async () => {
    let healthy = false;
    const delivered: ResultBatch[] = [];
    const failing = new Set(['b']);
    const { r, logger } = runner({
      runCheck: fakeRun(failing),
      warnEvery: 30_000,
      publish: (b) => {
        if (!healthy) return Promise.reject(new Error('queue unavailable'));
        delivered.push(b);
        return Promise.resolve();
      },
    });
    r.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.stats()).toMatchObject({
      pending: 2,
      publishFailures: 5,
      batchesPublished: 0,
      lastPublishError: 'queue unavailable',
    });
    expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    failing.delete('b');
    healthy = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toHaveLength(1);
    const results = delivered[0]!.results;
    expect(results).toHaveLength(2);
    expect(results.find((x) => x.checkId === 'b')).toMatchObject({ ok: true, observedAt: T0 + 5_760 });
    expect(r.stats()).toMatchObject({ pending: 0, batchesPublished: 1 });
    expect(logger.entries.some((e) => e.level === 'info' && e.msg === 'publishing results recovered')).toBe(
      true,
    );
    await closeNow(r);
  });

  it('puts a failed batch back only where no newer result arrived meanwhile', async () => {
    let rejectFirst: ((err: Error) => void) | undefined;
    const attempts: ResultBatch[] = [];
    const { r } = runner({
      checks: [
        tcpCheckConfig({ id: 'a', interval: 100, regions: ['eu'] }),
        tcpCheckConfig({ id: 'rare', interval: 10_000, regions: ['eu'] }),
        tcpCheckConfig({ id: 'mid', interval: 1_200, regions: ['eu'] }),
      ],
      publish: (b) => {
        attempts.push(b);
        if (attempts.length === 1) return new Promise((_res, rej) => (rejectFirst = rej));
        return Promise.resolve();
      },
    });
    r.start();
    await vi.advanceTimersByTimeAsync(1_000); // first batch in flight
    await vi.advanceTimersByTimeAsync(300); // newer results for 'a' and 'mid' arrive meanwhile
    rejectFirst!(new Error('nope'));
    await vi.advanceTimersByTimeAsync(700); // the 2000 ms tick retries
    expect(attempts).toHaveLength(2);
    const seqOf = (b: ResultBatch, id: string) => b.results.find((x) => x.checkId === id)!;
    const [failed, retried] = attempts as [ResultBatch, ResultBatch];
    expect(seqOf(retried, 'rare')).toEqual(seqOf(failed, 'rare')); // put back as it was
    expect(seqOf(retried, 'a').seq).toBeGreaterThan(seqOf(failed, 'a').seq); // superseded, not restored
    expect(seqOf(retried, 'a').observedAt).toBe(T0 + 1_910);
    // 'mid' ran once while the failed batch was in flight (1200 → 1210) and not since.
    expect(seqOf(failed, 'mid').observedAt).toBe(T0 + 10);
    expect(seqOf(retried, 'mid').observedAt).toBe(T0 + 1_210);
    await closeNow(r);
  });

  it('keeps a single publish in flight even when publishing is slower than the flush interval', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const { r } = runner({
      flushInterval: 200,
      publish: () => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            inFlight--;
            resolve();
          }, 700),
        );
      },
    });
    r.start();
    await vi.advanceTimersByTimeAsync(3_000);
    await closeNow(r);
    expect(maxInFlight).toBe(1);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThanOrEqual(5);
  });

  it('with flushInterval 0 publishes as results arrive, coalescing the same tick, and retries after a delay', async () => {
    let failNext = 0;
    const batches: ResultBatch[] = [];
    const same = [tcpCheckConfig({ id: 'x', interval: 1_000 }), tcpCheckConfig({ id: 'y', interval: 1_000 })];
    const { r } = runner({
      checks: same.map((c) => ({ ...c, regions: ['eu'] })),
      flushInterval: 0,
      retryDelay: 300,
      publish: (b) => {
        if (failNext > 0) {
          failNext--;
          return Promise.reject(new Error('down'));
        }
        batches.push(b);
        return Promise.resolve();
      },
    });
    r.start();
    await vi.advanceTimersByTimeAsync(20);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.results.map((x) => x.checkId)).toEqual(['x', 'y']);
    failNext = 1;
    await vi.advanceTimersByTimeAsync(1_000); // second round fails once…
    expect(batches).toHaveLength(1);
    expect(r.stats()).toMatchObject({ publishFailures: 1, pending: 2 });
    await vi.advanceTimersByTimeAsync(300); // …and is retried after retryDelay
    expect(batches).toHaveLength(2);
    expect(batches[1]!.results).toHaveLength(2);
    await closeNow(r);
  });

  it('close() stops the checks, flushes what is pending once, and is bounded when publish hangs', async () => {
    const { r, batches } = runner({ flushInterval: 60_000 });
    r.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toHaveLength(0);
    await closeNow(r);
    expect(batches).toHaveLength(1);
    const runsAtClose = batches[0]!.results.map((x) => x.seq);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(batches).toHaveLength(1);
    expect(runsAtClose.length).toBe(2);

    const hung = runner({
      flushInterval: 100,
      publish: () => new Promise<void>(() => undefined),
      closeTimeout: 1_000,
    });
    hung.r.start();
    await vi.advanceTimersByTimeAsync(300);
    const closing = hung.r.close();
    let done = false;
    void closing.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_100);
    expect(done).toBe(true);
    expect(hung.logger.entries.some((e) => e.msg === 'closing with unpublished results')).toBe(true);
  });

  // issue #10: batches say how the probe itself is doing, so the decider can stop counting a sick region.
  it('puts the probe health and its probe-error count in each batch, and warns about probe-errors once', async () => {
    const monitor = new ProbeHealthMonitor();
    const emfile: RunCheckFn = () =>
      Promise.resolve({ ok: false, reason: 'probe-error', message: 'connect EMFILE', timings: { total: 1 } });
    const { r, batches, logger } = runner({ monitor, runCheck: emfile });
    try {
      r.start();
      await vi.advanceTimersByTimeAsync(1_050);
      expect(batches).toHaveLength(1);
      const [b] = batches;
      expect(b!.results.every((x) => x.reason === 'probe-error')).toBe(true);
      // a every 100 ms (10 runs) and b every 250 ms (4 runs) within the first second; latest per check sent.
      expect(b!.results.map((x) => x.checkId).sort()).toEqual(['a', 'b']);
      expect(b!.health).toMatchObject({ probeErrors: 14 });
      expect(b!.health!.eventLoopDelay).toBeGreaterThanOrEqual(0);
      if (process.platform === 'linux') expect(b!.health!.openFds).toBeGreaterThan(0);
      expect(r.stats().probeErrors).toBeGreaterThanOrEqual(14); // runs after the flush count towards the next
      const warned = logger.entries.filter((e) => e.msg.startsWith('probe-error'));
      expect(warned).toHaveLength(1);
    } finally {
      await closeNow(r);
      monitor.close();
    }
  });
});

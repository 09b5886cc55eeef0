/** Probe results for the decider's tests: one probe per region, a fresh seq per result. */
import type { ProbeResult, ResultBatch } from '@understudy/core';

/** A maker of results whose seq counts up from 1 (each test file keeps its own counter). */
export function probeResultMaker(): (
  checkId: string,
  region: string,
  ok: boolean,
  at: number,
) => ProbeResult {
  let seq = 0;
  return (checkId, region, ok, at) => ({
    checkId,
    region,
    ok,
    probeId: `probe-${region}`,
    seq: ++seq,
    observedAt: at,
    timings: { total: 1 },
    ...(ok ? {} : { reason: 'connect' as const }),
  });
}

/** One batch per region, as each region's probe sends it, with `results(region)` in it. */
export async function publishPerRegion(
  bus: { publish(batch: ResultBatch): Promise<unknown> },
  regions: readonly string[],
  results: (region: string, now: number) => ProbeResult[],
): Promise<void> {
  const now = Date.now();
  for (const region of regions)
    await bus.publish({ probeId: `probe-${region}`, region, sentAt: now, results: results(region, now) });
}

import { describe, expect, it } from 'vitest';
import { PublishTraces, wallMs } from './publish-trace.js';
import type { ApplyInfo } from './served-zones.js';

const info = (serial: number): ApplyInfo => ({
  serial,
  kind: 'delta',
  names: 3,
  bodies: 4,
  ms: 9,
  stages: { planMs: 1, encodeMs: 5, pausedMs: 2, slices: 3, commitMs: 0.5 },
});

describe('PublishTraces', () => {
  it('puts each worker apply and acknowledgement of the newest update into one trace', () => {
    const t = new PublishTraces<string>();
    t.sent(7, 101);
    const now = wallMs();
    for (const w of ['a', 'b']) {
      t.applied(w, { gen: 7, receivedAt: now, startedAt: now + 1 }, info(101));
      t.acked(w, 7, wallMs());
    }
    const trace = t.complete(7);
    expect(trace).toMatchObject({ serial: 101, workers: [{ slices: 3 }, { slices: 3 }] });
    const w = trace!.workers[0]!;
    expect(w.queueMs).toBeCloseTo(1);
    expect(w).toMatchObject({ planMs: 1, encodeMs: 5, pausedMs: 2, commitMs: 0.5 });
    expect(w.ipcMs).toBeGreaterThanOrEqual(0);
    expect(w.ackMs).toBeGreaterThanOrEqual(0);
    expect(trace!.servedAt).toBeGreaterThanOrEqual(trace!.sentAt);
    expect(t.complete(7)).toBeNull(); // once
  });

  it('drops what belongs to a superseded update', () => {
    const t = new PublishTraces<string>();
    t.sent(1, 10);
    t.sent(2, 11);
    const now = wallMs();
    t.applied('a', { gen: 1, receivedAt: now, startedAt: now }, info(10));
    t.acked('a', 1, now);
    expect(t.complete(1)).toBeNull();
    expect(t.complete(2)).toBeNull(); // no worker reported it
  });
});

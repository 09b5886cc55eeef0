/**
 * Issue 14 (adaptive TTL): the overlay's per-record TTLs survive the store: a full overlay and deltas
 * carry them, a delta that lists a record without one puts it back on its configured TTL, and the
 * journal returns the deltas as written.
 */
import { expect, it } from 'vitest';
import type { OverlayUpdate, StateStore } from '@understudy/core';
import { delta, full } from './fixtures.js';

const APP = 'app.example.test./A';

function withTtls(u: OverlayUpdate, ttls: Record<string, number>): OverlayUpdate {
  return u.kind === 'full'
    ? { kind: 'full', overlay: { ...u.overlay, ttls } }
    : { kind: 'delta', delta: { ...u.delta, ttls } };
}

export function describeStateStoreTtls(current: () => StateStore): void {
  it('keeps adaptive TTLs through full overlays, deltas and the journal', async () => {
    const store = current();
    expect(await store.writeOverlay(withTtls(full(200, 2), { [APP]: 15 }))).toEqual({ ok: true });
    expect((await store.readOverlay())?.ttls).toEqual({ [APP]: 15 });
    // A delta listing the record without a TTL: back to its configured TTL.
    expect(await store.writeOverlay(delta(200, 201, 2, { [APP]: ['203.0.113.1'] }))).toEqual({ ok: true });
    expect((await store.readOverlay())?.ttls).toBeUndefined();
    const d = withTtls(delta(201, 202, 2, { [APP]: ['203.0.113.2'] }), { [APP]: 5 });
    expect(await store.writeOverlay(d)).toEqual({ ok: true });
    const o = (await store.readOverlay())!;
    expect(o.records[APP]).toEqual(['203.0.113.2']);
    expect(o.ttls).toEqual({ [APP]: 5 });
    const journal = (await store.readDeltas(201))!;
    expect(journal.map((x) => x.ttls ?? null)).toEqual([{ [APP]: 5 }]);
  });
}

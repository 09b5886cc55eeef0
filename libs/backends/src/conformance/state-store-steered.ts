/**
 * Issue 14 part 3 (steering by client location): the per-rule values of steered records survive the store:
 * a full overlay and deltas carry them, a delta listing a steered record replaces its whole list (listed
 * without one, the record is no longer steered), subscribers and the journal get the deltas as written,
 * and a restarted store reads them back.
 */
import { expect, it } from 'vitest';
import type { OverlayUpdate, StateStore } from '@understudy/core';
import { delta, full } from './fixtures.js';
import { waitFor } from './wait.js';

const APP = 'app.example.test./A';
const EU = ['198.51.100.7'];
const US = ['192.0.2.7'];

function withSteered(u: OverlayUpdate, steered: Record<string, string[][]>): OverlayUpdate {
  return u.kind === 'full'
    ? { kind: 'full', overlay: { ...u.overlay, steered } }
    : { kind: 'delta', delta: { ...u.delta, steered } };
}

export function describeStateStoreSteered(
  current: () => StateStore,
  reopen?: () => Promise<StateStore>,
): void {
  it('keeps steered per-rule values through full overlays, deltas, subscribers, the journal and a restart', async () => {
    let store = current();
    expect(await store.writeOverlay(withSteered(full(300, 2), { [APP]: [EU, US] }))).toEqual({ ok: true });
    expect((await store.readOverlay())?.steered).toEqual({ [APP]: [EU, US] });
    const seen: OverlayUpdate[] = [];
    const stop = store.subscribe((u) => seen.push(u));
    // A rule's change alone: the record is listed with its unchanged default values and its whole list.
    const d = withSteered(delta(300, 301, 2, { [APP]: US }), { [APP]: [US, US] });
    expect(await store.writeOverlay(d)).toEqual({ ok: true });
    const o = (await store.readOverlay())!;
    expect(o.records[APP]).toEqual(US);
    expect(o.steered).toEqual({ [APP]: [US, US] });
    expect((await store.readDeltas(300))!.map((x) => x.steered ?? null)).toEqual([{ [APP]: [US, US] }]);
    await waitFor(() => seen.length > 0, 'the steered delta notified');
    stop();
    expect(seen[0]!.kind === 'delta' && seen[0]!.delta.steered).toEqual({ [APP]: [US, US] });
    if (reopen) {
      await store.close();
      store = await reopen();
      expect((await store.readOverlay())?.steered).toEqual({ [APP]: [US, US] });
    }
    // Listed without an entry: no longer steered.
    expect(await store.writeOverlay(delta(301, 302, 2, { [APP]: EU }))).toEqual({ ok: true });
    expect((await store.readOverlay())?.steered).toBeUndefined();
  });
}

/**
 * Decider state patches (DeciderStatePatch), part of the StateStore contract: a store applies each patch to
 * what it holds, a full one replaces everything, and loading yields the whole state. A partial patch with
 * nothing to apply it to is refused (MissingDeciderBaseError) and changes nothing, commit included.
 */
import { expect, it } from 'vitest';
import { MissingDeciderBaseError, fullPatch, type StateStore } from '@understudy/core';
import { full, makeDeciderState, makeEvents, partialPatch } from './fixtures.js';

const APP = 'app.example.test./A';

export function describeStateStorePatch(current: () => StateStore, reopen?: () => Promise<StateStore>): void {
  it('applies partial patches from saveDecider and commit on top of the stored state', async () => {
    let store = current();
    const st = makeDeciderState(10, 1);
    expect(await store.saveDecider(fullPatch(st), 2)).toEqual({ ok: true });
    st.serial = 11;
    st.records[APP]!.values = ['192.0.2.77'];
    st.records['new.example.test./A'] = structuredClone(st.records[APP]!);
    expect(await store.saveDecider(partialPatch(st, { records: [APP, 'new.example.test./A'] }), 2)).toEqual({
      ok: true,
    });
    st.eventSeq = 3;
    st.checks['app-secondary']!.verdict = 'down';
    const patch = partialPatch(st, { checks: ['app-secondary'] });
    expect(await store.commit({ decider: patch, zone: full(11, 2), events: makeEvents(2, 2) }, 2)).toEqual({
      ok: true,
    });
    expect(await store.loadDecider()).toEqual(st);
    if (reopen) {
      await store.close();
      store = await reopen();
      expect(await store.loadDecider()).toEqual(st);
    }
  });

  it('a full patch replaces the stored checks and records, dropping those it lacks', async () => {
    const store = current();
    const st = makeDeciderState(10, 1);
    st.records['gone.example.test./A'] = structuredClone(st.records[APP]!);
    await store.saveDecider(fullPatch(st), 2);
    const next = makeDeciderState(12, 1);
    await store.commit({ decider: fullPatch(next), zone: null, events: [] }, 2);
    expect(await store.loadDecider()).toEqual(next);
  });

  it('refuses a partial patch without a stored decider state, and the whole commit with it', async () => {
    const store = current();
    const patch = partialPatch(makeDeciderState(10, 2), { records: [APP] });
    await expect(store.saveDecider(patch, 2)).rejects.toBeInstanceOf(MissingDeciderBaseError);
    await expect(
      store.commit({ decider: patch, zone: full(10, 2), events: makeEvents(1, 2) }, 2),
    ).rejects.toThrow(/full patch/);
    expect(await store.loadDecider()).toBeNull();
    expect(await store.readOverlay()).toBeNull();
    expect(await store.readEvents({ limit: 10 })).toEqual([]);
    expect(
      await store.commit({ decider: fullPatch(makeDeciderState(10, 2)), zone: null, events: [] }, 2),
    ).toEqual({
      ok: true,
    });
  });
}

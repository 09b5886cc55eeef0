import type { DecisionEvent, EventQuery, StateStore } from '@understudy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreSource } from './store-source.js';
import { EngineWorld } from './test-support/engine-world.js';
import { testConfig } from './test-support/fixture.js';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

/**
 * The world's store, with event reads whose answers wait until released (a slow Redis round trip): the
 * read sees the log as it was when asked. release() lets the newest answers through first.
 */
function slowEvents(store: StateStore): { store: StateStore; slow: boolean; release(): void } {
  const waiting: (() => void)[] = [];
  const ctl = {
    slow: false,
    release: () => {
      for (const go of waiting.splice(0).reverse()) go();
    },
    store: new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'readEvents') {
          const v: unknown = Reflect.get(target, key, receiver);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return async (q: EventQuery): Promise<DecisionEvent[]> => {
          const events = await target.readEvents(q);
          if (ctl.slow) await new Promise<void>((r) => waiting.push(r));
          return events;
        };
      },
    }),
  };
  return ctl;
}

describe('StoreSource', () => {
  it('emits every event once when refresh() calls overlap', async () => {
    const config = testConfig();
    const world = await EngineWorld.create(config);
    await world.rounds(3, { primary: '+++', secondary: '+++' });
    const ctl = slowEvents(world.store);
    const source = new StoreSource({
      store: ctl.store,
      config,
      clock: { now: () => world.now },
      // Only refresh() reads the log here.
      pollMs: 3_600_000,
    });
    cleanup = async () => {
      await source.close();
      await world.close();
    };
    await source.refresh(); // the first look finds the head
    const seen: number[] = [];
    source.subscribe((c) => seen.push(...c.events.map((e) => e.seq)));
    const seqBefore = (await world.store.readEvents({ limit: 1 }))[0]!.seq;

    const actions = world.actions();
    const actor = { name: 't', reason: 'race' };
    ctl.slow = true;
    await actions.setOverride('app.example.test./A', 'primary', 'down', actor);
    const first = source.refresh();
    await new Promise((r) => setImmediate(r));
    // The log moves on while the first read is still on its way back.
    await actions.setOverride('app.example.test./A', 'primary', 'obey', actor);
    const second = source.refresh();
    await new Promise((r) => setImmediate(r));
    // Let every read through, the newer answers first (the older read finishing last).
    for (let i = 0; i < 20; i++) {
      ctl.release();
      await new Promise((r) => setImmediate(r));
    }
    ctl.slow = false;
    ctl.release();
    await Promise.all([first, second]);

    const seqAfter = (await world.store.readEvents({ limit: 1 }))[0]!.seq;
    expect(seqAfter).toBeGreaterThan(seqBefore);
    expect(seen).toEqual(Array.from({ length: seqAfter - seqBefore }, (_, i) => seqBefore + 1 + i));
    expect((await source.view()).eventSeq).toBe(seqAfter);

    // And the next action's events come through once too: the log position did not move back.
    await actions.setOverride('app.example.test./A', 'primary', 'down', actor);
    await Promise.all([source.refresh(), source.refresh()]);
    const seqLast = (await world.store.readEvents({ limit: 1 }))[0]!.seq;
    expect(seen).toEqual(Array.from({ length: seqLast - seqBefore }, (_, i) => seqBefore + 1 + i));
  });
});

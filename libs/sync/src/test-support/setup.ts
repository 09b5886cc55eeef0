/** Builds a SyncManager over built-in providers wrapped in fault switches, with a memory store. */
import { MemoryStateStore } from '@understudy/backends';
import type { NewEvent, UnderstudyConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { BuiltinProvider } from '../builtin-provider.js';
import { SyncManager } from '../sync-manager.js';
import { FaultyProvider, ManualTimers, ZONE } from './fixtures.js';

export interface Rig {
  mgr: SyncManager;
  timers: ManualTimers;
  store: MemoryStateStore;
  stores: Record<string, BuiltinProvider>;
  providers: Record<string, FaultyProvider>;
  events: NewEvent[];
  published: { target: string; serial: number; at: number }[];
  /** Values served for `label` by target `t`, or null when the record is absent. */
  values(t: string, label: string): string[] | null;
  restart(): Promise<SyncManager>;
}

export async function rig(
  config: UnderstudyConfig,
  targets = ['dns', 'other'],
  store?: MemoryStateStore,
): Promise<Rig> {
  const timers = new ManualTimers();
  const st = store ?? (await MemoryStateStore.open());
  const stores: Record<string, BuiltinProvider> = {};
  const providers: Record<string, FaultyProvider> = {};
  for (const name of targets) {
    stores[name] = new BuiltinProvider({
      name,
      ownerId: config.sync.ownerId,
      zones: [ZONE],
      clock: timers.clock,
    });
    providers[name] = new FaultyProvider(stores[name]);
  }
  const events: NewEvent[] = [];
  const published: Rig['published'] = [];
  const make = () =>
    new SyncManager({
      providers: Object.values(providers),
      config,
      store: st,
      clock: timers.clock,
      random: { next: () => 0.5 },
      logger: recordingLogger(),
      timers,
      retry: { baseMs: 1000, maxMs: 8000 },
      onEvent: (e) => events.push(e),
      onPublished: (target, serial, at) => published.push({ target, serial, at }),
      epoch: () => 1,
    });
  const r: Rig = {
    mgr: make(),
    timers,
    store: st,
    stores,
    providers,
    events,
    published,
    values: (t, label) =>
      stores[t]!.records(ZONE).find((x) => x.name === `${label}.${ZONE}` && x.type === 'A')?.values ?? null,
    restart: async () => {
      await r.mgr.close();
      r.mgr = make();
      await r.mgr.start();
      return r.mgr;
    },
  };
  await r.mgr.start();
  return r;
}

export const eventTypes = (r: Rig, target?: string): string[] =>
  r.events.filter((e) => target === undefined || e.target === target).map((e) => e.type);

/**
 * A real DecisionEngine (driven by core's Harness) persisted into a real MemoryStateStore after every step,
 * as the decider does, plus DashboardActions over it. Drills and forced plans are recorded in memory (the
 * real ones live in the decider and libs/drill).
 */
import { MemoryStateStore } from '@understudy/backends';
import { NotFoundError, copyOverlay, fullPatch } from '@understudy/core';
import type { Actor, ApplyReport, EngineOutput, UnderstudyConfig } from '@understudy/core';
import { Harness } from '../../../../libs/core/src/test-support/harness.js';
import type { DashboardActions, DrillReport } from '../types.js';

export class EngineWorld {
  readonly harness: Harness;
  private appended = 0;
  readonly drills = new Map<string, DrillReport>();
  readonly forced: { target: string; actor: Actor }[] = [];

  private constructor(
    readonly config: UnderstudyConfig,
    readonly store: MemoryStateStore,
  ) {
    this.harness = new Harness(config);
  }

  static async create(config: UnderstudyConfig): Promise<EngineWorld> {
    const world = new EngineWorld(config, await MemoryStateStore.open());
    await world.sync();
    return world;
  }

  get now(): number {
    return this.harness.now;
  }

  /** Every region reports every listed check for `times` intervals, then the store catches up. */
  async rounds(times: number, reports: Record<string, string>): Promise<void> {
    this.harness.rounds(times, reports);
    await this.sync();
  }

  /** Writes what the engine produced since the last sync: events, decider state, zone state. */
  async sync(): Promise<void> {
    const events = this.harness.events.slice(this.appended);
    this.appended = this.harness.events.length;
    if (events.length) await this.store.appendEvents(events, 1);
    await this.store.saveDecider(fullPatch(this.harness.engine.snapshot()), 1);
    const o = this.harness.engine.overlay;
    if (o.serial > ((await this.store.readOverlay())?.serial ?? 0))
      await this.store.writeOverlay({ kind: 'full', overlay: copyOverlay(o) });
  }

  private async apply(run: () => EngineOutput): Promise<EngineOutput> {
    const out = run();
    this.harness.events.push(...out.events);
    await this.sync();
    return out;
  }

  actions(): DashboardActions {
    const h = this.harness;
    return {
      setOverride: (id, answer, mode, actor) =>
        this.apply(() => h.engine.setOverride(id, answer, mode, actor, h.now)),
      approveFailback: (id, actor) => this.apply(() => h.engine.approveFailback(id, actor, h.now)),
      releaseGuard: (actor) => this.apply(() => h.engine.releaseGuard(actor, h.now)),
      forcePlan: (target, actor): Promise<ApplyReport[]> => {
        this.forced.push({ target, actor });
        const report: ApplyReport = {
          target,
          zone: 'example.test.',
          changes: [],
          propagated: true,
          publishedAt: h.now,
          apiCalls: 1,
          batches: 0,
          retries: 0,
        };
        return Promise.resolve([report]);
      },
      startDrill: ({ recordId, target, actor }) => {
        const id = `drill-${this.drills.size + 1}`;
        const rs = h.engine.state.records[recordId];
        if (!rs) return Promise.reject(new NotFoundError(`no failover record "${recordId}"`));
        this.drills.set(id, {
          id,
          record: recordId,
          target: target ?? null,
          actor,
          startedAt: h.now,
          from: [...rs.values],
          to: [],
          status: 'running',
          targets: [{ target: 'dns', servedNewAt: null, restoredAt: null }],
          finishedAt: null,
        });
        return Promise.resolve({ id });
      },
      drill: (id) => Promise.resolve(this.drills.get(id) ?? null),
      drills: () => Promise.resolve([...this.drills.values()]),
    };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

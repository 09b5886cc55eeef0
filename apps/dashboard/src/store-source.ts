/**
 * DashboardSource over the StateStore port, so the dashboard works embedded and over Redis alike.
 *
 * Loading the decider state means parsing it whole (10,000 checks × 3 regions is megabytes of JSON), so it is
 * never done per request: a poll every `pollMs` looks at the event log head, and the view is rebuilt when a
 * zone state arrived, the log moved, an action asked for it, or the view is older than `maxAgeMs` (per-region
 * last results change without events). Rebuilds are spaced by twice their own cost and run in slices
 * (build-view.ts), so a huge state neither eats the CPU the decider needs nor stalls requests; only parsing
 * the decider state is one block (pass `loadDecider` in embedded mode to skip it).
 */
import type {
  Clock,
  DecisionEvent,
  DeciderState,
  Logger,
  StateStore,
  UnderstudyConfig,
} from '@understudy/core';
import { buildView, viewChanged } from './build-view.js';
import { readNewEvents, readFilteredEvents } from './event-pages.js';
import type { DashboardSource, DashboardViewData, EventFilter, EventPage, SourceChange } from './types.js';
import { systemClock } from '@understudy/system';

export interface StoreSourceOptions {
  store: StateStore;
  config: UnderstudyConfig;
  /** The current leader, when there is a lease to ask. */
  lease?: () => Promise<{ holder: string; epoch: number } | null>;
  clock?: Clock;
  logger?: Logger;
  /** Default 250 ms. */
  pollMs?: number;
  /** Rebuild at least this often (per-region last results change without events). Default 5,000 ms. */
  maxAgeMs?: number;
  /**
   * Reads the decider state instead of store.loadDecider(). Embedded mode can pass the live engine state
   * (read-only use) and skip parsing megabytes of JSON on every rebuild.
   */
  loadDecider?: () => Promise<DeciderState | null>;
}

export class StoreSource implements DashboardSource {
  private current: DashboardViewData | null = null;
  private building: Promise<DashboardViewData> | null = null;
  private readonly listeners = new Set<(c: SourceChange) => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly maxAgeMs: number;
  private zoneDirty = true;
  private lastSeq = -1;
  private pending: DecisionEvent[] = [];
  private lastBuildMs = 0;
  private lastBuildEnd = 0;
  private polling = false;
  private closed = false;
  /** The pull reading the log now, and the one queued behind it (shared by everyone who asks meanwhile). */
  private pulling: Promise<boolean> | null = null;
  private queuedPull: Promise<boolean> | null = null;
  /** The config views are built from: the one given, then each reload's. */
  private config: UnderstudyConfig;

  constructor(private readonly opts: StoreSourceOptions) {
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.pollMs = opts.pollMs ?? 250;
    this.maxAgeMs = opts.maxAgeMs ?? 5_000;
    this.unsubscribe = opts.store.subscribe(() => {
      this.zoneDirty = true;
    });
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  view(): Promise<DashboardViewData> {
    if (this.current) return Promise.resolve(this.current);
    return this.rebuild();
  }

  async refresh(): Promise<void> {
    await this.pullEvents();
    await this.rebuild();
  }

  async applyConfig(loaded: { config: UnderstudyConfig }): Promise<void> {
    this.config = loaded.config;
    // A build under way still uses the old config: wait for it, then build with the new one.
    await this.building?.catch(() => undefined);
    this.zoneDirty = true;
    await this.rebuild();
  }

  events(filter: EventFilter): Promise<EventPage> {
    return readFilteredEvents(this.opts.store, filter);
  }

  subscribe(listener: (change: SourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    this.listeners.clear();
    return Promise.resolve();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const moved = await this.pullEvents();
      const now = this.clock.now();
      const due = this.zoneDirty || moved || !this.current || now - this.current.builtAt >= this.maxAgeMs;
      if (due && performance.now() - this.lastBuildEnd >= 2 * this.lastBuildMs) await this.rebuild();
      else if (this.pending.length && this.current) this.emit(this.current, this.takePending(), false);
    } catch (err) {
      this.opts.logger?.warn({ err }, 'dashboard: refreshing the view failed');
    } finally {
      this.polling = false;
    }
  }

  /**
   * Appends events newer than the last seen to `pending`; true when the log moved. Pulls never overlap (the
   * poll and every refresh() call this): two reads from the same `lastSeq` would queue the same events twice,
   * and the older finishing last would move `lastSeq` back. A caller arriving while a pull runs waits for a
   * fresh one (its action's events may be newer than what the running read saw), shared with the others.
   */
  private pullEvents(): Promise<boolean> {
    if (!this.pulling) return this.startPull();
    this.queuedPull ??= this.pulling
      .catch(() => false)
      .then(() => {
        this.queuedPull = null;
        return this.startPull();
      });
    return this.queuedPull;
  }

  private startPull(): Promise<boolean> {
    const run = this.pullOnce().finally(() => {
      if (this.pulling === run) this.pulling = null;
    });
    this.pulling = run;
    return run;
  }

  private async pullOnce(): Promise<boolean> {
    const after = this.lastSeq;
    const { head, events } = await readNewEvents(this.opts.store, after);
    // The first look only finds where the log is: what happened before we started is history, not news.
    const first = after < 0;
    if (head <= this.lastSeq) return false;
    const fresh = events.filter((e) => e.seq > this.lastSeq);
    this.lastSeq = head;
    if (first) return false;
    this.pending.push(...fresh);
    return true;
  }

  private rebuild(): Promise<DashboardViewData> {
    this.building ??= this.build().finally(() => {
      this.building = null;
    });
    return this.building;
  }

  private async build(): Promise<DashboardViewData> {
    const started = performance.now();
    this.zoneDirty = false;
    const { store } = this.opts;
    const config = this.config;
    const [decider, zone, publications, statuses, leader] = await Promise.all([
      this.opts.loadDecider ? this.opts.loadDecider() : store.loadDecider(),
      store.readOverlay(),
      store.readPublications(),
      store.readTargetStatuses(),
      this.opts.lease ? this.opts.lease() : Promise.resolve(null),
    ]);
    const next = await buildView({
      config,
      decider,
      zone,
      publications,
      statuses,
      leader,
      eventSeq: Math.max(this.lastSeq, 0),
      now: this.clock.now(),
    });
    const prev = this.current;
    this.current = next;
    this.lastBuildEnd = performance.now();
    this.lastBuildMs = this.lastBuildEnd - started;
    const events = this.takePending();
    const changed = prev !== null && viewChanged(prev, next);
    if (changed || events.length) this.emit(next, events, changed);
    return next;
  }

  private takePending(): DecisionEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** Timeline events go out as soon as they are seen; a view change only once the view shows it. */
  private emit(v: DashboardViewData, events: DecisionEvent[], viewChanged: boolean): void {
    const change: SourceChange = {
      serial: v.serial,
      eventSeq: v.eventSeq,
      at: v.builtAt,
      events,
      viewChanged,
    };
    for (const fn of [...this.listeners]) {
      try {
        fn(change);
      } catch (err) {
        this.opts.logger?.warn({ err }, 'dashboard: change listener failed');
      }
    }
  }
}

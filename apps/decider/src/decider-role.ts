/**
 * The decider role: holds the lease, feeds results to the engine, and persists what it decides
 * (zone state, events, decider state) in order, fenced by the lease epoch.
 */
import {
  DecisionEngine,
  SerialQueue,
  statusView,
  type Actor,
  type Clock,
  type DecisionEvent,
  type EngineOutput,
  type Lease,
  type Logger,
  type OverrideMode,
  type ResultBatch,
  type ResultsBus,
  type StateStore,
  type StatusView,
  type UnderstudyConfig,
  type WriteOutcome,
} from '@understudy/core';

/** What the decider reports; the CLI adapts it to Prometheus. */
export interface DeciderMetrics {
  /** After a batch was applied (`now` is when), with the engine's state after it. */
  ingested(batch: ResultBatch, out: EngineOutput, engine: DecisionEngine, now: number): void;
  /** After any output was persisted. */
  output(out: EngineOutput, engine: DecisionEngine): void;
}

export interface DeciderRoleOptions {
  config: UnderstudyConfig;
  bus: ResultsBus;
  store: StateStore;
  lease: Lease;
  logger: Logger;
  clock: Clock;
  metrics?: DeciderMetrics;
  /** Decider state is saved at most this often (ms) unless an answer changed. Default 250. */
  saveInterval?: number;
  /** Called after each output is persisted; used by the CLI and tests to watch decisions. */
  onOutput?: (out: EngineOutput) => void;
  /** Called once when this decider stops deciding: its lease was lost or a newer epoch fenced it. */
  onStandDown?: (reason: string) => void;
}

/** Events kept for a retry while the store refuses appends; beyond this the oldest are dropped. */
const MAX_UNSAVED_EVENTS = 10_000;

export class DeciderRole {
  private readonly queue = new SerialQueue();
  private tickTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private fenced = false;
  /** The highest zone-state serial the store has accepted from us; a lower engine serial means retry. */
  private writtenSerial = 0;
  private unsavedEvents: DecisionEvent[] = [];

  private constructor(
    private readonly opts: DeciderRoleOptions,
    readonly engine: DecisionEngine,
  ) {}

  static async start(opts: DeciderRoleOptions): Promise<DeciderRole> {
    const grant = await opts.lease.acquire();
    if (!grant) throw new Error('decider: the lease is held by another decider');
    const [persisted, published] = await Promise.all([opts.store.loadDecider(), opts.store.readZoneState()]);
    const engine = new DecisionEngine({
      config: opts.config,
      state: persisted,
      now: opts.clock.now(),
      epoch: grant.epoch,
      minSerial: published?.serial ?? 0,
    });
    const role = new DeciderRole(opts, engine);
    opts.logger.info(
      { epoch: grant.epoch, serial: engine.zoneState.serial, resumed: persisted !== null },
      'decider started',
    );
    await role.persist({
      events: [],
      zoneState: engine.zoneState,
      stateChanged: true,
      stats: { accepted: 0, stale: 0, unknown: 0, future: 0 },
    });
    await opts.bus.consume((batch) => role.ingest(batch));
    role.tickTimer = setInterval(() => role.enqueue(() => role.tick()), opts.config.decider.tickInterval);
    role.tickTimer.unref();
    // Renew at a third of the grant's lifetime, so two missed renewals still leave time.
    const renewEvery = Math.max(100, Math.floor((grant.expiresAt - opts.clock.now()) / 3));
    role.renewTimer = setInterval(() => role.enqueue(() => role.renew()), renewEvery);
    role.renewTimer.unref();
    return role;
  }

  get ready(): boolean {
    return !this.closed && !this.fenced;
  }

  status(): StatusView & { epoch: number } {
    return {
      ...statusView(this.opts.config, this.engine.state, this.opts.clock.now()),
      epoch: this.engine.currentEpoch,
    };
  }

  setOverride(record: string, answer: string, mode: OverrideMode, actor: Actor): Promise<EngineOutput> {
    return this.run(() => this.engine.setOverride(record, answer, mode, actor, this.opts.clock.now()));
  }

  approveFailback(record: string, actor: Actor): Promise<EngineOutput> {
    return this.run(() => this.engine.approveFailback(record, actor, this.opts.clock.now()));
  }

  releaseGuard(actor: Actor): Promise<EngineOutput> {
    return this.run(() => this.engine.releaseGuard(actor, this.opts.clock.now()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tickTimer);
    clearInterval(this.renewTimer);
    clearTimeout(this.saveTimer);
    await this.queue.drain();
    await this.saveState();
    await this.opts.lease.release();
  }

  /** Runs an engine call in the queue so it is ordered with ingest and tick, then persists its output. */
  private run(fn: () => EngineOutput): Promise<EngineOutput> {
    return this.queue.push(async () => {
      const out = fn();
      await this.persist(out);
      return out;
    });
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue.push(fn).catch((err: unknown) => this.opts.logger.error({ err }, 'decider: tick failed'));
  }

  private ingest(batch: ResultBatch): Promise<void> {
    return this.queue.push(async () => {
      // After close or stand-down, batches are acknowledged unapplied: the next decider reads them anew.
      if (this.fenced || this.closed) return;
      const now = this.opts.clock.now();
      const out = this.engine.ingest(batch, now);
      this.opts.metrics?.ingested(batch, out, this.engine, now);
      if (out.stats.unknown) {
        this.opts.logger.warn(
          { region: batch.region, probe: batch.probeId, unknown: out.stats.unknown },
          'decider: results for checks or regions not in this config',
        );
      }
      await this.persist(out);
    });
  }

  private async renew(): Promise<void> {
    if (this.fenced || this.closed) return;
    const grant = await this.opts.lease.renew();
    if (grant) return;
    this.standDown('lease lost', { epoch: this.engine.currentEpoch });
  }

  private standDown(reason: string, detail: Record<string, unknown>): void {
    if (this.fenced) return;
    this.fenced = true;
    clearInterval(this.renewTimer);
    this.opts.logger.error(detail, `decider: ${reason}; standing down`);
    this.opts.onStandDown?.(reason);
  }

  private async tick(): Promise<void> {
    if (this.fenced || this.closed) return;
    const out = this.engine.tick(this.opts.clock.now());
    for (const p of await this.opts.store.readPublications()) {
      if (this.engine.markPublished(p.target, p.serial, p.at)) out.stateChanged = true;
    }
    await this.persist(out);
  }

  private async persist(out: EngineOutput): Promise<void> {
    for (const e of out.events) {
      const { evidence, ...summary } = e;
      // The evidence is in the stored timeline; logs get the summary, and the evidence at debug level.
      this.opts.logger[e.severity === 'info' ? 'info' : 'warn']({ event: summary }, e.message);
      this.opts.logger.debug({ seq: e.seq, evidence }, 'event evidence');
    }
    if (out.stats.future) {
      this.opts.logger.warn(
        { future: out.stats.future },
        'decider: refused results stamped in the future (probe clock?)',
      );
    }
    this.unsavedEvents.push(...out.events);
    if (out.zoneState || this.writtenSerial < this.engine.zoneState.serial) {
      // Decider state first: the store writes it with the zone state, so a crash right after a switch
      // cannot restart on the old answers.
      await this.saveState();
      await this.writeZoneState();
    } else if (out.stateChanged) this.scheduleSave();
    await this.flushEvents();
    this.opts.metrics?.output(out, this.engine);
    this.opts.onOutput?.(out);
  }

  /** Writes the engine's current zone state. A failure is retried on the next tick, never lost. */
  private async writeZoneState(): Promise<void> {
    if (this.fenced) return;
    const zs = this.engine.zoneState;
    try {
      const outcome = await this.opts.store.writeZoneState(zs);
      if (outcome.ok || (outcome.reason === 'stale-serial' && outcome.storedSerial >= zs.serial)) {
        this.writtenSerial = zs.serial;
      }
      this.check(outcome, 'zone state');
    } catch (err) {
      this.opts.logger.error(
        { err, serial: zs.serial },
        'decider: could not write the zone state; retrying on the next tick',
      );
    }
  }

  private async flushEvents(): Promise<void> {
    if (!this.unsavedEvents.length || this.fenced) return;
    const events = this.unsavedEvents;
    try {
      this.check(await this.opts.store.appendEvents(events, this.engine.currentEpoch), 'events');
      this.unsavedEvents = this.unsavedEvents.slice(events.length);
    } catch (err) {
      const dropped = Math.max(0, this.unsavedEvents.length - MAX_UNSAVED_EVENTS);
      if (dropped) this.unsavedEvents = this.unsavedEvents.slice(dropped);
      this.opts.logger.warn(
        { err, pending: this.unsavedEvents.length, dropped },
        'decider: could not append events; retrying',
      );
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.enqueue(() => this.saveState());
    }, this.opts.saveInterval ?? 250);
    this.saveTimer.unref();
  }

  private async saveState(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.fenced) return;
    try {
      this.check(
        await this.opts.store.saveDecider(this.engine.snapshot(), this.engine.currentEpoch),
        'decider state',
      );
    } catch (err) {
      this.opts.logger.error({ err }, 'decider: could not save its state; retrying');
      this.scheduleSave();
    }
  }

  /** A refused write means a newer decider holds the lease: stop writing. */
  private check(outcome: WriteOutcome, what: string): void {
    if (outcome.ok) return;
    if (outcome.reason === 'stale-epoch') {
      this.standDown('a write was refused: a newer decider holds the lease', {
        epoch: this.engine.currentEpoch,
        storedEpoch: outcome.storedEpoch,
        what,
      });
      return;
    }
    this.opts.logger.warn(
      { what, storedSerial: outcome.storedSerial },
      'decider: zone state refused as not newer than the stored one',
    );
  }
}

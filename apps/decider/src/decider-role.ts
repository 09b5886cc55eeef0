/**
 * The decider role: holds the lease, feeds results to the engine, and persists what it decides
 * (zone state, events, decider state) in order, fenced by the lease epoch.
 */
import {
  DecisionEngine,
  statusView,
  type Actor,
  type Clock,
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
import { SerialQueue } from './serial-queue.js';

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
}

export class DeciderRole {
  private readonly queue = new SerialQueue();
  private tickTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private fenced = false;

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
      stats: { accepted: 0, stale: 0, unknown: 0 },
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
      if (this.fenced) return;
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
    this.fenced = true;
    clearInterval(this.renewTimer);
    this.opts.logger.error({ epoch: this.engine.currentEpoch }, 'decider: lease lost; standing down');
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
    const epoch = this.engine.currentEpoch;
    if (out.zoneState) this.check(await this.opts.store.writeZoneState(out.zoneState), 'zone state');
    if (out.events.length) {
      this.check(await this.opts.store.appendEvents(out.events, epoch), 'events');
      for (const e of out.events) {
        const { evidence, ...summary } = e;
        // The evidence is in the stored timeline; logs get the summary, and the evidence at debug level.
        this.opts.logger[e.severity === 'info' ? 'info' : 'warn']({ event: summary }, e.message);
        this.opts.logger.debug({ seq: e.seq, evidence }, 'event evidence');
      }
    }
    if (out.zoneState) await this.saveState();
    else if (out.stateChanged) this.scheduleSave();
    this.opts.metrics?.output(out, this.engine);
    this.opts.onOutput?.(out);
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
    this.check(
      await this.opts.store.saveDecider(this.engine.snapshot(), this.engine.currentEpoch),
      'decider state',
    );
  }

  /** A refused write means a newer decider holds the lease: stop writing. */
  private check(outcome: WriteOutcome, what: string): void {
    if (outcome.ok) return;
    if (outcome.reason === 'stale-epoch') {
      this.fenced = true;
      this.opts.logger.error(
        { epoch: this.engine.currentEpoch, storedEpoch: outcome.storedEpoch, what },
        'decider: write refused, a newer decider holds the lease; standing down',
      );
      return;
    }
    this.opts.logger.warn(
      { what, storedSerial: outcome.storedSerial },
      'decider: zone state refused as not newer than the stored one',
    );
  }
}

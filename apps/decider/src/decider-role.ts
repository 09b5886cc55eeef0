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
  type LeaseGrant,
  type NewEvent,
  type Logger,
  type OverrideMode,
  type ResultBatch,
  type ResultsBus,
  type StateStore,
  type StatusView,
  type UnderstudyConfig,
  type WriteOutcome,
} from '@understudy/core';
import { foldPublications } from './publications.js';
import { RefusedWriteTracker, type RefusedWritesSource } from './refused-writes.js';

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
  /** A grant already acquired (by DeciderLeadership); without one, start() acquires the lease itself. */
  grant?: LeaseGrant;
  /** The decider's config hash: probe batches carrying another one raise probe-config-mismatch. */
  configHash?: string;
  /** Raise leader-acquired on start (distributed mode, where leadership moves between deciders). */
  announce?: boolean;
  /** Refused stale-epoch writes recorded by the store; each becomes a write-refused event. */
  refusedWrites?: RefusedWritesSource;
  /** A target instance whose last publication is older than this (ms) no longer counts. Default 60 000. */
  publicationMaxAge?: number;
  /**
   * Leader-only services (provider sync, notifications) for this role's term: called once the role
   * leads, fed every persisted output, and closed when the role closes or stands down.
   */
  attach?: (role: DeciderRole) => LeaderAttachment;
}

/** What `attach` returns: it sees every output the leader persisted, and ends with the term. */
export interface LeaderAttachment {
  onOutput?(out: EngineOutput): void;
  close(): Promise<void>;
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
  private unknownWarn = { at: -Infinity, suppressed: 0 };
  private readonly refused: RefusedWriteTracker;
  private attachment: LeaderAttachment | null = null;

  private constructor(
    private readonly opts: DeciderRoleOptions,
    readonly engine: DecisionEngine,
    private grant: LeaseGrant,
  ) {
    this.refused = new RefusedWriteTracker(grant.epoch);
  }

  static async start(opts: DeciderRoleOptions): Promise<DeciderRole> {
    const grant = opts.grant ?? (await opts.lease.acquire());
    if (!grant) throw new Error('decider: the lease is held by another decider');
    const [persisted, published] = await Promise.all([opts.store.loadDecider(), opts.store.readZoneState()]);
    const now = opts.clock.now();
    // The stored state carries hysteresis, holds and overrides: a new leader resumes, it does not reset.
    const engine = new DecisionEngine({
      config: opts.config,
      state: persisted,
      now,
      epoch: grant.epoch,
      minSerial: published?.serial ?? 0,
      ...(opts.configHash !== undefined ? { configHash: opts.configHash } : {}),
    });
    const role = new DeciderRole(opts, engine, grant);
    opts.logger.info(
      { epoch: grant.epoch, serial: engine.zoneState.serial, resumed: persisted !== null },
      'decider started',
    );
    const out = opts.announce
      ? engine.raise(
          {
            type: 'leader-acquired',
            severity: 'info',
            message: `Decider ${grant.holder} is the leader with epoch ${grant.epoch}`,
            evidence: {
              holder: grant.holder,
              epoch: grant.epoch,
              previousEpoch: published?.epoch ?? null,
              resumedSerial: published?.serial ?? null,
              resumed: persisted !== null,
            },
          },
          now,
        )
      : {
          events: [],
          zoneState: null,
          stateChanged: true,
          stats: { accepted: 0, stale: 0, unknown: 0, future: 0 },
        };
    await role.persist({ ...out, zoneState: engine.zoneState, stateChanged: true });
    if (opts.attach) {
      role.attachment = opts.attach(role);
      role.attachment.onOutput?.({ ...out, zoneState: engine.zoneState });
    }
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

  /** An event from outside the engine (provider sync, drills), stamped and persisted in order. */
  raise(event: NewEvent): Promise<EngineOutput> {
    return this.run(() => this.engine.raise(event, this.opts.clock.now()));
  }

  /** A target serves `serial` since `at`: records publishedAt/effectiveBy for the timing model. */
  markPublished(target: string, serial: number, at: number): Promise<void> {
    return this.queue.push(() => {
      if (!this.fenced && !this.closed && this.engine.markPublished(target, serial, at)) this.scheduleSave();
      return Promise.resolve();
    });
  }

  /** The fencing epoch this role writes with. */
  get epoch(): number {
    return this.engine.currentEpoch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tickTimer);
    clearInterval(this.renewTimer);
    clearTimeout(this.saveTimer);
    await this.detach();
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
      // Rate-limited: a foreign or hostile producer can send these as fast as it likes (issue #10).
      if (out.stats.unknown && now - this.unknownWarn.at >= 30_000) {
        this.opts.logger.warn(
          {
            region: String(batch.region).slice(0, 100),
            probe: String(batch.probeId).slice(0, 100),
            unknown: out.stats.unknown,
            suppressed: this.unknownWarn.suppressed,
          },
          'decider: results for checks or regions not in this config (dropped)',
        );
        this.unknownWarn = { at: now, suppressed: 0 };
      } else if (out.stats.unknown) this.unknownWarn.suppressed += out.stats.unknown;
      await this.persist(out);
    });
  }

  private async renew(): Promise<void> {
    if (this.fenced || this.closed) return;
    let grant: LeaseGrant | null;
    try {
      grant = await this.opts.lease.renew();
    } catch (err) {
      // The lease backend is unreachable: keep deciding while the grant lasts, never past it.
      if (this.opts.clock.now() < this.grant.expiresAt) {
        this.opts.logger.warn({ err, expiresAt: this.grant.expiresAt }, 'decider: could not renew the lease');
        return;
      }
      this.standDown('lease expired while it could not be renewed', { epoch: this.engine.currentEpoch });
      return;
    }
    if (grant) {
      this.grant = grant;
      return;
    }
    this.standDown('lease lost', { epoch: this.engine.currentEpoch });
  }

  private standDown(reason: string, detail: Record<string, unknown>): void {
    if (this.fenced) return;
    this.fenced = true;
    clearInterval(this.renewTimer);
    this.opts.logger.error(detail, `decider: ${reason}; standing down`);
    // Called from inside the queue: the attachment closes on its own, never awaited here.
    void this.detach();
    this.opts.onStandDown?.(reason);
  }

  private async detach(): Promise<void> {
    const a = this.attachment;
    this.attachment = null;
    await a
      ?.close()
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'decider: closing leader services failed'));
  }

  private async tick(): Promise<void> {
    if (this.fenced || this.closed) return;
    const now = this.opts.clock.now();
    const out = this.engine.tick(now);
    const pubs = foldPublications(
      await this.opts.store.readPublications(),
      now,
      this.opts.publicationMaxAge ?? 60_000,
    );
    for (const p of pubs) {
      if (this.engine.markPublished(p.target, p.serial, p.at)) out.stateChanged = true;
    }
    await this.persist(out);
    if (this.opts.refusedWrites) await this.raiseRefusedWrites(this.opts.refusedWrites);
  }

  private async raiseRefusedWrites(source: RefusedWritesSource): Promise<void> {
    let writes;
    try {
      writes = await source.read();
    } catch (err) {
      this.opts.logger.warn({ err }, 'decider: could not read refused writes');
      return;
    }
    for (const e of this.refused.newEvents(writes)) {
      if (this.fenced || this.closed) return;
      await this.persist(this.engine.raise(e, this.opts.clock.now()));
    }
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
    if (!this.fenced) this.attachment?.onOutput?.(out);
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

/**
 * The decider role: holds the lease, feeds results to the engine, and persists what it decides
 * (overlay changes, events, decider state) in order, fenced by the lease epoch.
 */
import {
  DecisionEngine,
  MissingDeciderBaseError,
  SerialQueue,
  emptyState,
  rehearsalDelay,
  statusView,
  type Actor,
  type Clock,
  type DeciderState,
  type DecisionEvent,
  type EngineOutput,
  type Lease,
  type LeaseGrant,
  type NewEvent,
  type Logger,
  type OverrideMode,
  type Publication,
  type RefusedWritesSource,
  type ResultBatch,
  type ResultsBus,
  type StateStore,
  type StatusFilter,
  type StatusView,
  type UnderstudyConfig,
  type WriteOutcome,
} from '@understudy/core';
import type { LoadedConfig } from '@understudy/config';
import { logEvents } from './event-logging.js';
import { OverlayPublisher } from './overlay-publisher.js';
import { PendingDeciderPatch } from './pending-patch.js';
import { foldPublications } from './publications.js';
import { RefusedWriteTracker } from './refused-writes.js';
import { reconfiguredEngine, type ConfigUpdate } from './reconfigure.js';

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
  /**
   * Writes stop this long (ms) before the grant expires, as measured by `monotonic` from when it was
   * granted or renewed: a write in flight must not land after a new leader could hold the lease.
   * Default a tenth of the grant's lifetime, between 100 ms and 1 s.
   */
  expiryMargin?: number;
  /**
   * The lease's full lifetime (ms); the renewal period and the default margin derive from it. Default:
   * the grant's remaining life when the role starts, which a slow start (opening the bus) shortens.
   */
  leaseTtl?: number;
  /** Monotonic milliseconds, for the grant's deadline. Default performance.now. */
  monotonic?: () => number;
  /**
   * Issue 11: a failover is rehearsed and undone (DecisionEngine.rehearse) a few times once checks are up
   * and then this often (ms), so a real one runs compiled code, however long since the last. 0: never.
   * Default 60 000.
   */
  rehearseEvery?: number;
}

function leaseLife(opts: DeciderRoleOptions, grant: LeaseGrant): number {
  return opts.leaseTtl ?? grant.expiresAt - opts.clock.now();
}

/** What `attach` returns: it sees every output the leader persisted, and ends with the term. */
export interface LeaderAttachment {
  onOutput?(out: EngineOutput): void;
  close(): Promise<void>;
}

const monotonicNow = (): number => performance.now();

/** Events kept for a retry while the store refuses appends; beyond this the oldest are dropped. */
const MAX_UNSAVED_EVENTS = 10_000;

export class DeciderRole {
  private readonly queue = new SerialQueue();
  private tickTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private rehearseTimer: NodeJS.Timeout | undefined;
  /** Rehearsals that had records to rehearse. */
  private rehearsals = 0;
  private closed = false;
  private fenced = false;
  /** The overlay changes not yet accepted by the store. */
  private publisher: OverlayPublisher;
  private unsavedEvents: DecisionEvent[] = [];
  /** The decider state changes not yet accepted by the store. */
  private unsavedState: PendingDeciderPatch;
  private unknownWarn = { at: -Infinity, suppressed: 0 };
  private readonly refused: RefusedWriteTracker;
  private attachment: LeaderAttachment | null = null;
  /** The targets' publications as last read (a tick), for status(): the secondaries' serials. */
  private publications: Publication[] = [];
  private readonly mono: () => number;
  private readonly margin: number;
  /** Monotonic time after which nothing is written: the grant's expiry minus the margin. */
  private deadline: number;

  /** The config in force: the one started with, then each one applyConfig took. */
  private config: UnderstudyConfig;

  private constructor(
    private readonly opts: DeciderRoleOptions,
    private engine_: DecisionEngine,
    private grant: LeaseGrant,
  ) {
    this.config = opts.config;
    this.refused = new RefusedWriteTracker(grant.epoch);
    this.publisher = new OverlayPublisher(engine_);
    this.unsavedState = new PendingDeciderPatch(engine_);
    this.mono = opts.monotonic ?? monotonicNow;
    const life = leaseLife(opts, grant);
    this.margin = opts.expiryMargin ?? Math.min(1_000, Math.max(100, Math.floor(life / 10)));
    this.deadline = this.deadlineOf(grant);
  }

  static async start(opts: DeciderRoleOptions): Promise<DeciderRole> {
    const grant = opts.grant ?? (await opts.lease.acquire());
    if (!grant) throw new Error('decider: the lease is held by another decider');
    const [persisted, published, newest] = await Promise.all([
      opts.store.loadDecider(),
      opts.store.readOverlay(),
      opts.store.readEvents({ limit: 1 }),
    ]);
    const now = opts.clock.now();
    // The stored state carries hysteresis, holds and overrides: a new leader resumes, it does not reset.
    const engine = new DecisionEngine({
      config: opts.config,
      state: resumeSeq(persisted, newest[0]?.seq ?? 0),
      now,
      epoch: grant.epoch,
      minSerial: published?.serial ?? 0,
      ...(opts.configHash !== undefined ? { configHash: opts.configHash } : {}),
    });
    const role = new DeciderRole(opts, engine, grant);
    opts.logger.info(
      { epoch: grant.epoch, serial: engine.serial, resumed: persisted !== null },
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
          delta: null,
          stateChanged: true,
          stats: { accepted: 0, stale: 0, unknown: 0, future: 0 },
        };
    // The first commit carries the whole overlay (the publisher starts needing it).
    await role.persist({ ...out, stateChanged: true });
    if (opts.attach) {
      role.attachment = opts.attach(role);
      role.feedWholeOverlay(out);
    }
    await opts.bus.consume((batch) => role.ingest(batch));
    role.startTicking();
    role.startRehearsing();
    // Renew at a third of the grant's lifetime, so two missed renewals still leave time.
    const renewEvery = Math.max(100, Math.floor(leaseLife(opts, grant) / 3));
    role.renewTimer = setInterval(() => role.enqueue(() => role.renew()), renewEvery);
    role.renewTimer.unref();
    return role;
  }

  /** The decision engine of the config in force (applyConfig replaces it). */
  get engine(): DecisionEngine {
    return this.engine_;
  }

  /**
   * Reload (issue 13): takes a new, already validated config while deciding, as a diff (see
   * libs/core/src/reconfigure.ts for what is kept). The lease, epoch and timeline stay; the overlay moves to
   * a new serial and is committed whole, so consumers resync to the new record set. Ordered with ingest
   * and tick. A role that stood down or closed only notes the config.
   */
  applyConfig(loaded: ConfigUpdate | LoadedConfig): Promise<void> {
    return this.queue.push(async () => {
      const before = this.config;
      if (this.fenced || this.closed) {
        this.config = loaded.config;
        return;
      }
      const now = this.opts.clock.now();
      const { engine, report } = reconfiguredEngine(this.engine_, before, loaded, now);
      this.engine_ = engine;
      this.config = loaded.config;
      // Whatever was pending is folded into one whole commit of the new engine's state and overlay.
      this.publisher = new OverlayPublisher(engine);
      this.unsavedState = new PendingDeciderPatch(engine);
      if (loaded.config.decider.tickInterval !== before.decider.tickInterval) {
        clearInterval(this.tickTimer);
        this.startTicking();
      }
      this.opts.logger.info(
        { serial: engine.serial, epoch: engine.currentEpoch, hash: loaded.hash, ...report },
        'decider: new config applied',
      );
      const out: EngineOutput = {
        events: [],
        delta: null,
        stateChanged: true,
        stats: { accepted: 0, stale: 0, unknown: 0, future: 0 },
      };
      await this.persist(out);
      this.feedWholeOverlay(out);
    });
  }

  /** Deciding and allowed to write: not closed, not fenced, and the grant has not (nearly) expired. */
  get ready(): boolean {
    return !this.closed && !this.fenced && this.mono() < this.deadline;
  }

  status(filter: StatusFilter = {}): StatusView & { epoch: number } {
    return {
      ...statusView(this.config, this.engine.state, this.opts.clock.now(), this.publications, filter),
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
    clearTimeout(this.rehearseTimer);
    await this.detach();
    await this.queue.drain();
    await this.saveState();
    // A role that stood down holds no lease; releasing would drop a successor's (the lease is per process).
    if (!this.fenced) await this.opts.lease.release();
  }

  private startTicking(): void {
    this.tickTimer = setInterval(() => this.enqueue(() => this.tick()), this.config.decider.tickInterval);
    this.tickTimer.unref();
  }

  /** Issue 11: the first rehearsal 5 s after start (start-up work first), then as rehearsalDelay says. */
  private startRehearsing(): void {
    this.scheduleRehearsal(true);
  }

  private scheduleRehearsal(first: boolean): void {
    const every = this.opts.rehearseEvery ?? 60_000;
    if (every <= 0 || this.fenced || this.closed) return;
    clearTimeout(this.rehearseTimer);
    this.rehearseTimer = setTimeout(
      () =>
        this.enqueue(() => {
          this.rehearse();
          this.scheduleRehearsal(false);
          return Promise.resolve();
        }),
      rehearsalDelay(first, this.rehearsals, 5_000, every),
    );
    this.rehearseTimer.unref();
  }

  /**
   * Issue 11: this process has just run a memory-reducing collection (the embedded DNS role gives its
   * start-up heap back, apps/dns heap-release.ts). The first failover after one ran at about twice its
   * usual time in the deciding process, rehearsed or not before it (bench:decide-path --release after:
   * 88-142 ms, against 36-56 ms with a rehearsal between the collection and the failover), so the warm-up
   * series of rehearsals starts again, the next one a second from now.
   */
  rewarm(): void {
    if (this.rehearseTimer === undefined) return;
    this.rehearsals = 0;
    this.scheduleRehearsal(false);
  }

  private rehearse(): void {
    if (this.fenced || this.closed) return;
    const t0 = this.mono();
    try {
      const r = this.engine.rehearse(this.opts.clock.now());
      if (r.records) this.rehearsals++;
      this.opts.logger.debug({ ...r, ms: Math.round(this.mono() - t0) }, 'decider: failover rehearsed');
    } catch (err) {
      this.opts.logger.warn({ err }, 'decider: failover rehearsal failed');
    }
  }

  /** Leader services start (or restart, after a reload) from every answer: a delta from nothing to all. */
  private feedWholeOverlay(out: EngineOutput): void {
    if (this.fenced || !this.attachment?.onOutput) return;
    const o = this.engine_.overlay;
    const all = { base: 0, serial: o.serial, epoch: o.epoch, generatedAt: o.generatedAt, records: o.records };
    this.attachment.onOutput({ ...out, delta: all });
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
      if (this.mono() < this.deadline) {
        this.opts.logger.warn({ err, expiresAt: this.grant.expiresAt }, 'decider: could not renew the lease');
        return;
      }
      this.standDown('lease expired while it could not be renewed', { epoch: this.engine.currentEpoch });
      return;
    }
    if (grant) {
      this.grant = grant;
      this.deadline = this.deadlineOf(grant);
      return;
    }
    this.standDown('lease lost', { epoch: this.engine.currentEpoch });
  }

  /**
   * The local deadline of a grant just received: its remaining life, minus the margin, from now on the
   * monotonic clock. The lease counts expiresAt from before its call, so the call's latency is counted too.
   */
  private deadlineOf(grant: LeaseGrant): number {
    return this.mono() + (grant.expiresAt - this.opts.clock.now()) - this.margin;
  }

  /** Checked before every write: past the deadline, a new leader may hold the lease, so stand down. */
  private writable(): boolean {
    if (this.fenced) return false;
    if (this.mono() < this.deadline) return true;
    this.standDown('the lease expired before it was renewed', {
      epoch: this.engine.currentEpoch,
      expiresAt: this.grant.expiresAt,
    });
    return false;
  }

  private standDown(reason: string, detail: Record<string, unknown>): void {
    if (this.fenced) return;
    this.fenced = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.rehearseTimer);
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
    // Publications are read before deciding: a failed read must not lose what the tick decides.
    let pubs: Awaited<ReturnType<StateStore['readPublications']>> = [];
    try {
      pubs = await this.opts.store.readPublications();
      this.publications = pubs;
    } catch (err) {
      this.opts.logger.warn({ err }, 'decider: could not read publications; timing is updated later');
    }
    if (this.fenced || this.closed) return;
    const now = this.opts.clock.now();
    const out = this.engine.tick(now);
    for (const p of foldPublications(pubs, now, this.opts.publicationMaxAge ?? 60_000)) {
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
    if (out.stats.future) {
      this.opts.logger.warn(
        { future: out.stats.future },
        'decider: refused results stamped in the future (probe clock?)',
      );
    }
    this.unsavedEvents.push(...out.events);
    this.publisher.note(out.delta);
    if (this.unsavedEvents.length || this.publisher.dirty) {
      await this.commit();
    } else if (out.stateChanged) this.scheduleSave();
    // Logged once the commit is done, stored or not: tens of ms for a change of 1,100 records that would
    // otherwise come before the DNS servers hear of it (issue 11). Many of one kind are one line.
    logEvents(this.opts.logger, out.events);
    this.opts.metrics?.output(out, this.engine);
    if (!this.fenced) this.attachment?.onOutput?.(out);
    this.opts.onOutput?.(out);
  }

  /**
   * Writes the decider state with every event not yet stored and the overlay change not yet stored, in one
   * atomic store write: the store never holds a decision without its events, nor a state whose event counter
   * is ahead of its stored events. A delta the store refuses (it does not start at the stored serial) is
   * followed at once by the whole overlay. A failure keeps everything for the next try (the next tick at the
   * latest).
   */
  private async commit(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.writable()) return;
      const zone = this.publisher.next();
      const events = this.unsavedEvents;
      const decider = this.unsavedState.take();
      try {
        const outcome = await this.opts.store.commit({ decider, zone, events }, this.engine.currentEpoch);
        if (!outcome.ok) this.unsavedState.failed();
        if (outcome.ok) {
          this.unsavedState.accepted();
          this.publisher.accepted(zone);
          this.unsavedEvents = this.unsavedEvents.slice(events.length);
          return;
        }
        if (outcome.reason !== 'stale-serial' || !zone) {
          this.check(outcome, 'commit');
          return;
        }
        this.opts.logger.warn(
          { kind: zone.kind, serial: this.engine.serial, storedSerial: outcome.storedSerial },
          'decider: overlay change refused as not fitting the stored serial; writing the whole overlay',
        );
        this.publisher.refused(zone, outcome.storedSerial, this.opts.clock.now());
      } catch (err) {
        this.unsavedState.failed(err);
        // A store with no decider state to patch takes the whole one at once.
        if (err instanceof MissingDeciderBaseError) continue;
        const dropped = Math.max(0, this.unsavedEvents.length - MAX_UNSAVED_EVENTS);
        if (dropped) this.unsavedEvents = this.unsavedEvents.slice(dropped);
        this.opts.logger.error(
          { err, serial: this.engine.serial, pending: this.unsavedEvents.length, dropped },
          'decider: could not store its decisions; retrying on the next tick',
        );
        return;
      }
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

  /** The debounced save; with events or an overlay change still unstored, it is a whole commit instead. */
  private async saveState(): Promise<void> {
    if (this.unsavedEvents.length || this.publisher.dirty) {
      await this.commit();
      return;
    }
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.writable()) return;
    const patch = this.unsavedState.take();
    try {
      const outcome = await this.opts.store.saveDecider(patch, this.engine.currentEpoch);
      if (outcome.ok) this.unsavedState.accepted();
      else this.unsavedState.failed();
      this.check(outcome, 'decider state');
    } catch (err) {
      this.unsavedState.failed(err);
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
    if (outcome.reason === 'stale-seq') {
      // Another epoch stored events past this leader's counter: it cannot have resumed right. Leading again
      // resumes from the newest stored seq.
      this.standDown('the store holds newer events than this leader counted', {
        epoch: this.engine.currentEpoch,
        storedSeq: outcome.storedSeq,
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

/** The stored state with its event counter at least the newest stored event's seq, so no seq is reused. */
function resumeSeq(persisted: DeciderState | null, newestSeq: number): DeciderState | null {
  if ((persisted?.eventSeq ?? 0) >= newestSeq) return persisted;
  return { ...(persisted ?? emptyState()), eventSeq: newestSeq };
}

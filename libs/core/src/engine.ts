/**
 * The decider's brain: results in, verdicts, answers, events and zone states out.
 * Pure and deterministic: time comes in as `now`, nothing is read or written outside this object.
 */
import { evaluateChecks, releaseGuard, type CheckEvalDeps } from './check-eval.js';
import { isProbed, probedChecks } from './check-kinds.js';
import { CompositeGraph } from './composite.js';
import type { CheckConfig, FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import { PatchTracker, type DeciderStatePatch } from './decider-patch.js';
import { DueIndex, nextDue } from './due-index.js';
import { PublishLog } from './publish-log.js';
import { NotFoundError, StateConflictError } from './errors.js';
import type { Actor, DecisionEvent } from './events.js';
import { applyResult, isNewer, newRegionHealth, resetVotes } from './hysteresis.js';
import { Operation, type NewEvent } from './operation.js';
import { evaluateRecord, recordCheckIds, type RecordEvalDeps } from './record-eval.js';
import { drainedBy } from './record-eval-addresses.js';
import { ProbeHealthTracker } from './probe-health-tracker.js';
import { isProbeError, type ResultBatch } from './results.js';
import { nextSerial } from './serial.js';
import { allFailoverRecords, reconcileState } from './state-init.js';
import { rehearseFailover, type Rehearsal } from './rehearsal.js';
import {
  materializeZoneState,
  mergeSteered,
  mergeTtls,
  overlayOf,
  withSteered,
  withTtls,
  type OverlayDelta,
  type ZoneOverlay,
} from './overlay.js';
import type { DeciderState, OverrideMode, ZoneState } from './state-types.js';
import { evaluateSteering, initialSteered, probedIdsOf, steeringDue } from './steering.js';
import { computeVerdict, isStale, notVoting, type VerdictContext } from './verdict.js';

export interface IngestStats {
  accepted: number;
  /** Duplicates and late deliveries: older than what we already applied. */
  stale: number;
  /** Results for checks or regions this config does not know (a probe with another config). */
  unknown: number;
  /** Results stamped further in the future than MAX_CLOCK_SKEW_MS: a probe with a broken clock. */
  future: number;
}

/**
 * How far ahead of the decider's clock a result may be stamped. Later ones are refused: accepted, a
 * single result from a fast clock would make every honest result after it look stale until then.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

/** Probe ids become object keys in the state; these would reach the prototype instead. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PROBE_ID = 200;

function isPlainId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_PROBE_ID && !RESERVED_KEYS.has(id);
}

const noStats = (): IngestStats => ({ accepted: 0, stale: 0, unknown: 0, future: 0 });

export interface EngineOutput {
  events: DecisionEvent[];
  /**
   * The records whose served values changed in this operation, from the previous serial (`base`) to a new
   * one, else null. Its records map is the engine's own: treat as read-only.
   */
  delta: OverlayDelta | null;
  /** The decider state changed and should be saved. */
  stateChanged: boolean;
  stats: IngestStats;
}

export interface EngineOptions {
  config: UnderstudyConfig;
  state?: DeciderState | null;
  now: number;
  /** The fencing epoch written into every zone state. */
  epoch: number;
  /** The highest serial already published (e.g. the store's), so the first new serial exceeds it. */
  minSerial?: number;
  /** The decider's config hash: a probe batch carrying another one raises probe-config-mismatch. */
  configHash?: string;
}

export class DecisionEngine {
  private readonly config: UnderstudyConfig;
  private readonly st: DeciderState;
  /** The overlay of the current serial, updated in place per change: O(delta), never O(zone). */
  private readonly ov: ZoneOverlay;
  /** engine.zoneState, materialized on demand and kept until the serial moves. */
  private zsCache: ZoneState | null = null;
  private epoch: number;
  private readonly startedAt: number;
  private readonly checksById: Map<string, CheckConfig>;
  private readonly records: FailoverRecordConfig[];
  private readonly recordsById: Map<string, FailoverRecordConfig>;
  private readonly recordsByCheck = new Map<string, FailoverRecordConfig[]>();
  /** Issue 14 part 3: steered records, and by every probed check under them (a regional vote steers them). */
  private readonly steeredRecords: FailoverRecordConfig[];
  private readonly steeredByCheck = new Map<string, FailoverRecordConfig[]>();
  private readonly downSince = new Map<string, number>();
  private readonly deps: CheckEvalDeps & RecordEvalDeps;
  private dirtyRecords = new Set<string>();
  /** Records with a timer (failback hold, damping window) and when it is due: what a tick evaluates. */
  private readonly due = new DueIndex();
  /** Checks and records changed since the last takePatch(). */
  private readonly patch = new PatchTracker();
  /** Switches not yet confirmed per target: markPublished walks only these. */
  private readonly publishLog: PublishLog;
  private readonly configHash: string | null;
  private readonly regionNames: ReadonlySet<string>;
  private readonly probeHealth: ProbeHealthTracker;

  constructor(opts: EngineOptions) {
    this.config = opts.config;
    this.configHash = opts.configHash ?? null;
    this.epoch = opts.epoch;
    this.startedAt = opts.now;
    this.st = reconcileState(opts.config, opts.state ?? null);
    this.checksById = new Map(opts.config.checks.map((c) => [c.id, c]));
    this.regionNames = new Set(opts.config.regions);
    this.probeHealth = new ProbeHealthTracker(opts.config.probe.health);
    this.records = allFailoverRecords(opts.config);
    this.recordsById = new Map(this.records.map((r) => [r.id, r]));
    for (const rec of this.records) {
      // Tier checks and (issue 14) per-address checks.
      for (const id of recordCheckIds(rec)) {
        const list = this.recordsByCheck.get(id) ?? [];
        if (!list.includes(rec)) list.push(rec);
        this.recordsByCheck.set(id, list);
      }
    }
    this.steeredRecords = this.records.filter((r) => r.steering?.rules.length);
    for (const rec of this.steeredRecords) {
      for (const id of probedIdsOf({ checksById: this.checksById }, rec)) {
        const list = this.steeredByCheck.get(id) ?? [];
        list.push(rec);
        this.steeredByCheck.set(id, list);
      }
    }
    this.deps = {
      config: this.config,
      st: this.st,
      checksById: this.checksById,
      composites: new CompositeGraph(opts.config.checks),
      downSince: this.downSince,
      verdictContext: (now) => this.verdictContext(now),
      onVerdictChanged: (id) => {
        this.patch.check(id);
        for (const rec of this.recordsByCheck.get(id) ?? []) this.dirtyRecords.add(rec.id);
      },
    };
    const ctx = this.verdictContext(opts.now);
    for (const check of probedChecks(this.config.checks)) {
      const cs = this.st.checks[check.id]!;
      if (computeVerdict(check, cs, ctx).candidate !== 'down') continue;
      // An applied down keeps its age across restarts, so an old outage does not arm the guard.
      this.downSince.set(check.id, cs.verdict === 'down' ? (cs.verdictChangedAt ?? opts.now) : opts.now);
    }
    this.st.serial = nextSerial(Math.max(this.st.serial, opts.minSerial ?? 0), opts.now);
    this.ov = overlayOf(this.st.records, this.st.serial, this.epoch, opts.now);
    // Issue 14 part 3: rules never judged serve the record's values until the first operation judges them.
    const unjudged = this.steeredRecords.filter((r) => !this.st.records[r.id]!.steered);
    if (unjudged.length) {
      const steered = { ...this.ov.steered };
      for (const rec of unjudged) steered[rec.id] = initialSteered(rec, this.st.records[rec.id]!.values);
      withSteered(this.ov, steered);
    }
    this.publishLog = new PublishLog(
      Object.entries(this.st.records).flatMap(([id, rs]) =>
        rs.switchedSerial === null ? [] : [{ id, serial: rs.switchedSerial }],
      ),
    );
    // Every record once (at the first operation), which also fills the due index from the stored state.
    for (const rec of this.records) this.dirtyRecords.add(rec.id);
  }

  /** Live state; treat as read-only. Use snapshot() for a copy to keep. */
  get state(): Readonly<DeciderState> {
    return this.st;
  }

  snapshot(): DeciderState {
    return structuredClone(this.st);
  }

  /**
   * The changes since the previous call, for an incremental save: O(changed checks and records). The first
   * call, and the first after markFullPatch(), carries the whole state.
   */
  takePatch(): DeciderStatePatch {
    return this.patch.take(this.st);
  }

  /** The next patch is a full one (a periodic safety net, or after a save was refused). */
  markFullPatch(): void {
    this.patch.markFull();
  }

  /**
   * The whole zone state of the current serial, for consumers that need every RRset (provider sync, tests).
   * O(zone) on the first call after a change, cached until the next one: never call it per change on a hot path.
   */
  get zoneState(): ZoneState {
    if (this.zsCache?.serial !== this.ov.serial || this.zsCache.epoch !== this.ov.epoch) {
      this.zsCache = materializeZoneState(this.config, this.ov);
    }
    return this.zsCache;
  }

  /** The current overlay, kept up to date in place (read-only for callers; copy what you keep). */
  get overlay(): Readonly<ZoneOverlay> {
    return this.ov;
  }

  /** The current serial (the overlay's and the SOA's). */
  get serial(): number {
    return this.ov.serial;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  /** A new lease was acquired: later zone states carry the new epoch. */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
    this.ov.epoch = epoch;
  }

  /**
   * The store holds a serial at or above ours (another leader's, or a store from before an upgrade): move
   * past it, without changing any answer, so the next full overlay is accepted.
   */
  advanceSerial(storedSerial: number, now: number): void {
    if (storedSerial < this.st.serial) return;
    this.st.serial = nextSerial(storedSerial, now);
    this.ov.serial = this.st.serial;
    this.ov.generatedAt = now;
  }

  ingest(batch: ResultBatch, now: number): EngineOutput {
    const op = new Operation(now, this.st);
    const stats = noStats();
    // Ids come off the network: only a configured region, looked up as an own key, and a plain probe id
    // ("__proto__" as a key would reach Object.prototype, issue #10) may touch state.
    if (!this.regionNames.has(batch.region) || !isPlainId(batch.probeId)) {
      stats.unknown = Math.max(1, batch.results.length);
      return this.finish(op, stats);
    }
    const region = this.st.regions[batch.region]!;
    region.lastSeenAt = now;
    if (region.stale) this.setRegionStale(batch.region, false, op);
    this.trackProbe(batch, now, op);
    op.touch();
    const dirty = new Set<string>();
    const health = this.probeHealth.update(batch, op);
    if (health) this.regionVotingChanged(health.region, health.healthy, dirty, now);
    const ctx = this.verdictContext(now);
    for (const r of batch.results) {
      const check = this.checksById.get(r.checkId);
      // A composite is never probed: a result naming one comes from a probe with another config.
      if (!check || !isProbed(check) || r.region !== batch.region || !check.regions.includes(r.region)) {
        stats.unknown++;
        continue;
      }
      if (r.observedAt > now + MAX_CLOCK_SKEW_MS) {
        stats.future++;
        continue;
      }
      const cs = this.st.checks[check.id]!;
      this.patch.check(check.id);
      const h = (cs.regions[r.region] ??= newRegionHealth());
      const stale = isStale(h, check, ctx);
      const wasVoting = h.state !== 'unknown' && !stale && notVoting(r.region, h, ctx) === null;
      if (stale && isNewer(h, r)) resetVotes(h, now);
      const { accepted, changed } = applyResult(h, r, check, now);
      if (!accepted) {
        stats.stale++;
        continue;
      }
      stats.accepted++;
      // A probe-error stops the region's vote at once; the next real result gives it back.
      const voteMoved = changed || !wasVoting || isProbeError(r);
      if (voteMoved) dirty.add(check.id);
      // Issue 14: a region's vote moving can degrade a record (adaptive TTL) with no verdict change.
      if (changed)
        for (const rec of this.recordsByCheck.get(check.id) ?? [])
          if ((rec.degradedTtl ?? null) !== null) this.dirtyRecords.add(rec.id);
      // Issue 14 part 3: a regional view can turn on one region's vote with no verdict change.
      if (voteMoved) for (const rec of this.steeredByCheck.get(check.id) ?? []) this.dirtyRecords.add(rec.id);
    }
    this.evaluateChecks(op, dirty);
    this.evaluateDirtyRecords(op);
    return this.finish(op, stats);
  }

  /**
   * Issue 11: a failover and failback of up to `limit` records rehearsed on their own state and undone
   * (rehearsal.ts), so the first real failover runs compiled code. Changes nothing and emits nothing.
   */
  rehearse(now: number, limit = 256): Rehearsal {
    return rehearseFailover(this.deps, this.records, now, limit);
  }

  /** Timers: staleness, failback holds, damping release. Call every decider.tickInterval. */
  tick(now: number): EngineOutput {
    const op = new Operation(now, this.st);
    this.updateRegionStaleness(op);
    const healed = this.probeHealth.expire(now, (region) => this.staleLimit(region), op);
    for (const region of healed) this.regionVotingChanged(region, true, new Set(), now);
    this.evaluateChecks(
      op,
      this.config.checks.map((c) => c.id),
    );
    // Verdict changes marked their records above; of the rest only those with a timer due need the clock.
    for (const id of this.due.popDue(now)) this.dirtyRecords.add(id);
    this.evaluateDirtyRecords(op);
    return this.finish(op);
  }

  setOverride(recordId: string, answer: string, mode: OverrideMode, actor: Actor, now: number): EngineOutput {
    const rec = this.record(recordId);
    if (!rec.answers.some((a) => a.name === answer)) {
      throw new NotFoundError(
        `record ${recordId} has no answer "${answer}" (answers: ${rec.answers.map((a) => a.name).join(', ')})`,
      );
    }
    const op = new Operation(now, this.st);
    const current = this.st.overrides[recordId] ?? {};
    if (mode === 'obey') delete current[answer];
    else current[answer] = mode;
    if (Object.keys(current).length) this.st.overrides[recordId] = current;
    else delete this.st.overrides[recordId];
    op.emit({
      type: 'override-set',
      severity: 'warning',
      record: recordId,
      to: answer,
      message: `Override on ${recordId} answer ${answer}: ${mode} by ${actor.name} (${actor.reason})`,
      evidence: { override: { answer, mode } },
      actor,
    });
    this.dirtyRecords.add(recordId);
    this.evaluateDirtyRecords(op);
    return this.finish(op);
  }

  approveFailback(recordId: string, actor: Actor, now: number): EngineOutput {
    const rec = this.record(recordId);
    const rs = this.st.records[rec.id]!;
    if (!rs.pendingFailback)
      throw new StateConflictError(`record ${recordId} has no pending failback to approve`);
    const op = new Operation(now, this.st);
    rs.failbackApproved = true;
    op.emit({
      type: 'failback-approved',
      severity: 'info',
      record: recordId,
      to: rs.pendingFailback.to,
      message: `Failback of ${recordId} to ${rs.pendingFailback.to} approved by ${actor.name} (${actor.reason})`,
      evidence: {},
      actor,
    });
    this.dirtyRecords.add(recordId);
    this.evaluateDirtyRecords(op);
    return this.finish(op);
  }

  releaseGuard(actor: Actor, now: number): EngineOutput {
    const op = new Operation(now, this.st);
    if (!releaseGuard(this.deps)) throw new StateConflictError('the mass-failure guard is not holding');
    op.emit({
      type: 'guard-release',
      severity: 'warning',
      message: `Mass-failure guard released by ${actor.name} (${actor.reason})`,
      evidence: {},
      actor,
    });
    // The operator's release: the guard no longer holds, so the frozen steering rules are judged again.
    for (const rec of this.steeredRecords) this.dirtyRecords.add(rec.id);
    this.evaluateChecks(
      op,
      this.config.checks.map((c) => c.id),
    );
    this.evaluateDirtyRecords(op);
    return this.finish(op);
  }

  /**
   * A target (DNS server, provider) confirmed it serves `serial` since `at`. Records whose last switch is
   * carried by that serial get publishedAt and effectiveBy (publishedAt + TTL) for that target.
   */
  markPublished(target: string, serial: number, at: number): boolean {
    let changed = false;
    const current = (id: string, s: number) => this.st.records[id]?.switchedSerial === s;
    for (const id of this.publishLog.take(target, serial, current)) {
      const rec = this.recordsById.get(id);
      const rs = this.st.records[id]!;
      if (!rec || rs.publishedAt[target] !== undefined) continue;
      this.patch.record(rec.id);
      rs.publishedAt[target] = at;
      rs.effectiveBy[target] = drainedBy(rec, rs, at); // issue 14: the TTL the old answer was served with
      changed = true;
    }
    return changed;
  }

  /**
   * An event from outside the engine (sync, drills, leadership, refused writes): it takes the next sequence
   * number so the timeline stays one ordered log.
   */
  raise(event: NewEvent, now: number): EngineOutput {
    const op = new Operation(now, this.st);
    op.emit(event);
    return this.finish(op);
  }

  private trackProbe(batch: ResultBatch, now: number, op: Operation): void {
    const probes = (this.st.probes ??= {});
    const prev = Object.hasOwn(probes, batch.probeId) ? probes[batch.probeId] : undefined;
    const hash = batch.configHash ?? null;
    const mismatch = this.configHash !== null && hash !== null && hash !== this.configHash;
    probes[batch.probeId] = { region: batch.region, lastSeenAt: now, configHash: hash, mismatch };
    if (!mismatch || (prev?.mismatch && prev.configHash === hash)) return;
    op.emit({
      type: 'probe-config-mismatch',
      severity: 'warning',
      region: batch.region,
      probe: batch.probeId,
      message: `Probe ${batch.probeId} (${batch.region}) runs config ${hash.slice(0, 12)}, the decider runs ${this.configHash.slice(0, 12)}: its results may not match the checks here`,
      evidence: { probeConfigHash: hash, deciderConfigHash: this.configHash },
    });
  }

  private record(id: string): FailoverRecordConfig {
    const rec = this.recordsById.get(id);
    if (!rec) throw new NotFoundError(`no failover record "${id}"`);
    return rec;
  }

  private verdictContext(now: number): VerdictContext {
    return {
      now,
      staleAfterIntervals: this.config.decider.staleAfterIntervals,
      minVoters: this.config.decider.minVoters,
      unhealthy: this.probeHealth.regions,
    };
  }

  /** evaluateChecks, and (issue 14 part 3) the steering rules the guard froze judged again at its release. */
  private evaluateChecks(op: Operation, ids: Iterable<string>): void {
    const wasHolding = this.st.guard.holding;
    evaluateChecks(this.deps, op, ids);
    if (wasHolding && !this.st.guard.holding)
      for (const rec of this.steeredRecords) this.dirtyRecords.add(rec.id);
  }

  private evaluateDirtyRecords(op: Operation): void {
    const ids = this.dirtyRecords;
    this.dirtyRecords = new Set();
    for (const id of ids) {
      const rec = this.recordsById.get(id)!;
      const rs = this.st.records[id]!;
      this.patch.record(id);
      evaluateRecord(this.deps, rec, op);
      if (rec.steering) evaluateSteering(this.deps, rec, rs, op); // after the record: a rule may follow it
      // A switch settles on the next evaluation (e.g. the failback still pending from the new answer).
      let when = op.switched.has(id) ? op.now : nextDue(rec, rs, op.now);
      if (rec.steering && when !== op.now) {
        const views = steeringDue(this.deps, rec, this.deps.verdictContext(op.now));
        if (views !== null) when = when === null ? views : Math.min(when, views);
      }
      this.due.schedule(id, when);
    }
  }

  /** How long a region may be silent before it is stale, or Infinity for a region without checks. */
  private staleLimit(region: string): number {
    const intervals = probedChecks(this.config.checks, region).map((c) => c.interval);
    return intervals.length ? this.config.decider.staleAfterIntervals * Math.min(...intervals) : Infinity;
  }

  /**
   * A region's probe became unhealthy (its votes stop counting) or healthy again: like a region back from
   * staleness, it then earns its votes anew, since what it reported while unhealthy proves nothing.
   */
  private regionVotingChanged(region: string, healthy: boolean, dirty: Set<string>, now: number): void {
    for (const check of probedChecks(this.config.checks, region)) {
      const h = this.st.checks[check.id]!.regions[region];
      if (healthy && h) resetVotes(h, now);
      this.patch.check(check.id);
      dirty.add(check.id);
      for (const rec of this.steeredByCheck.get(check.id) ?? []) this.dirtyRecords.add(rec.id);
    }
  }

  private updateRegionStaleness(op: Operation): void {
    for (const region of this.config.regions) {
      const limit = this.staleLimit(region);
      if (limit === Infinity) continue;
      const rs = this.st.regions[region]!;
      const stale = op.now - (rs.lastSeenAt ?? this.startedAt) > limit;
      if (stale !== rs.stale) this.setRegionStale(region, stale, op);
    }
  }

  private setRegionStale(region: string, stale: boolean, op: Operation): void {
    const rs = this.st.regions[region]!;
    rs.stale = stale;
    op.emit({
      type: stale ? 'region-stale' : 'region-fresh',
      severity: stale ? 'warning' : 'info',
      region,
      message: stale
        ? `Region ${region} has sent no results since ${rs.lastSeenAt === null ? 'the decider started' : new Date(rs.lastSeenAt).toISOString()}; its votes no longer count`
        : `Region ${region} is reporting again`,
      evidence: { lastSeenAt: rs.lastSeenAt },
    });
  }

  private finish(op: Operation, stats: IngestStats = noStats()): EngineOutput {
    let delta: OverlayDelta | null = null;
    if (op.switched.size || op.steered.size) {
      const base = this.ov.serial;
      this.st.serial = nextSerial(Math.max(this.st.serial, base), op.now);
      const records: Record<string, string[]> = {};
      const ttls: Record<string, number> = {};
      const steered: Record<string, string[][]> = {};
      const list = (id: string) => {
        const rs = this.st.records[id]!;
        records[id] = rs.values;
        this.ov.records[id] = rs.values;
        if (typeof rs.ttl === 'number') ttls[id] = rs.ttl;
        // Issue 14 part 3: a steered record in a delta always carries its whole per-rule list.
        if (rs.steered) steered[id] = rs.steered.map((r) => r.values);
      };
      for (const id of op.switched) {
        const rs = this.st.records[id]!;
        rs.switchedSerial = this.st.serial;
        this.publishLog.add(id, this.st.serial);
        list(id);
      }
      // A rule's change alone is published, but is no switch of the record (its timing stays).
      for (const id of op.steered) if (!op.switched.has(id)) list(id);
      withTtls(this.ov, mergeTtls(this.ov.ttls, { records, ttls }));
      withSteered(this.ov, mergeSteered(this.ov.steered, { records, steered }));
      for (const ev of op.events)
        if (
          ev.type === 'answer-switched' ||
          ev.type === 'addresses-changed' ||
          ev.type === 'steering-changed'
        )
          ev.serial = this.st.serial;
      this.ov.serial = this.st.serial;
      this.ov.epoch = this.epoch;
      this.ov.generatedAt = op.now;
      delta = withSteered(
        withTtls({ base, serial: this.st.serial, epoch: this.epoch, generatedAt: op.now, records }, ttls),
        steered,
      );
      op.touch();
    }
    return { events: op.events, delta, stateChanged: op.stateChanged, stats };
  }
}

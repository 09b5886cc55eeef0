/**
 * What a DnsServer serves, and how it changes: a snapshot built once from a base and an overlay, then
 * updated in place by overlay updates in time proportional to the change. An update is checked and
 * re-encoded completely before anything the query path reads is touched; the commit is one synchronous
 * run of assignments, so no query sees half of it, and an error leaves the old answers serving.
 */
import { ConfigError } from '@understudy/core';
import type { ConfigProblem, OverlayUpdate, ZoneOverlay, ZoneState } from '@understudy/core';
import { TYPE_CODE } from './constants.js';
import { buildFastTable, patchSerial } from './fast-table.js';
import type { FastName } from './fast-table.js';
import { buildModel } from './model.js';
import { rehearsalUpdate } from './served-rehearsal.js';
import { planUpdate } from './served-update.js';
import type { UpdatePlan } from './served-update.js';
import { SliceClock } from './slice-clock.js';
import type { Snapshot } from './snapshot.js';
import { SteerEncoder } from './served-steer.js';
import { sameValues } from './served-changes.js';
import type { SlotState, SlotVariant, Steered } from './served-changes.js';
import { baseZoneState, slotProblems } from './zone-base.js';
import type { FailoverSlot, ZoneBase } from './zone-base.js';

/** What one build or update did, for metrics and tests. */
export interface ApplyInfo {
  serial: number;
  kind: 'base' | 'delta' | 'full';
  /** Failover records whose values changed (every slot for a base). */
  names: number;
  /** Answer bodies encoded. */
  bodies: number;
  ms: number;
  /** Where a delta's or full overlay's time went (issue 11: the publish breakdown). */
  stages?: ApplyStages;
}

/** The parts of one overlay update, in ms: check and plan, encode (in slices), the swap. */
export interface ApplyStages {
  planMs: number;
  /** Encoding, summed over the slices (the time queries wait behind, at most one slice at a time). */
  encodeMs: number;
  /** Between slices: queries answered, other work of the event loop. */
  pausedMs: number;
  slices: number;
  commitMs: number;
}

/**
 * What a cacheable record serves now: its node, and its name's bodies when they read no other failover
 * record and no SOA (otherwise another update may have moved what they say).
 */
/**
 * Issue 11: V8 treats a field never written since its object was made as constant, per hidden class, and
 * code optimized meanwhile depends on it; the first commit then deoptimized the workers' query path and
 * update code in the middle of the first real failover (--trace-deopt: "dependent field type constness
 * changed" in answer, index, servedVariant, ownAnswer). A rehearsal writes every field a commit writes, on
 * the objects its plan would commit, and puts each value back at once: one synchronous step, so no query
 * sees it, and nothing served changes.
 */
function loosenFields(p: UpdatePlan, snap: Snapshot): void {
  // The commit's own writes (the same values, so the same field types), each undone at once.
  const flip = <T extends object, K extends keyof T>(o: T, k: K, next: T[K]): void => {
    const v = o[k];
    o[k] = next;
    o[k] = v;
  };
  for (let i = 0; i < p.changes.length; i++) {
    const c = p.changes[i]!;
    const st = c.st;
    if (st.cacheable) flip(st, 'prev', servedVariant(st, c.entry));
    flip(st, 'values', c.values);
    flip(st, 'ttl', c.ttl);
    flip(st, 'steered', c.steered);
  }
  for (let i = 0; i < p.encoded.length; i++) {
    const [e, enc] = p.encoded[i]!;
    flip(e, 'answers', enc.answers);
    flip(e, 'other', enc.other);
    flip(e, 'deps', enc.deps);
    flip(e, 'serialBound', enc.serialBound);
  }
  for (const [apex, soa] of p.negativeSoas) flip(snap.model.zones.get(apex)!, 'negativeSoa', soa);
  for (const [zone, body] of p.negatives) {
    const fz = snap.table.zones.get(zone.apex)!;
    flip(fz.nx, 'body', body);
    flip(fz.nodata, 'body', body);
  }
  flip(snap, 'serial', p.serial);
  flip(snap, 'epoch', p.epoch);
}

function servedVariant(st: SlotState, e: FastName | null): SlotVariant {
  const name = st.slot.name;
  const enc =
    e !== null && e.deps.length === 1 && e.deps[0] === name && !e.serialBound
      ? { answers: e.answers, other: e.other, deps: e.deps, serialBound: false }
      : null;
  return { values: st.values, ttl: st.ttl, node: st.zone.nodes.get(name)!, enc };
}

export class ServedZones {
  /** The failover slots by id, for cheap checks (the pool primary uses the same ones). */
  readonly slotSpecs: ReadonlyMap<string, FailoverSlot>;

  private constructor(
    readonly snapshot: Snapshot,
    private readonly slots: Map<string, SlotState>,
    private readonly watched: ReadonlySet<string>,
    private readonly steer: SteerEncoder | null = null,
  ) {
    this.slotSpecs = new Map([...slots].map(([id, s]) => [id, s.slot]));
  }

  /** Issue 14 part 3: some record is steered by client location (the server then loads dns.geo). */
  get steered(): boolean {
    return this.steer !== null;
  }

  /** Validates and builds a base under an overlay; throws ConfigError naming every problem. */
  static fromBase(base: ZoneBase, overlay: ZoneOverlay): ServedZones {
    const problems: ConfigProblem[] = slotProblems(base).map((message) => ({ path: 'slots', message }));
    const zs = baseZoneState(base, overlay);
    try {
      if (problems.length === 0)
        return ServedZones.build(
          zs,
          base.slots,
          (s) => overlay.records[s.id] ?? s.values,
          (s) => overlay.ttls?.[s.id] ?? s.ttl,
          (s) => overlay.steered?.[s.id] ?? null,
        );
      buildModel(zs); // only for its problems, listed with the slots'
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
    throw new ConfigError(problems, 'zone base');
  }

  /** A zone state with the given slots (none: a plain ZoneState, as setZoneState serves). */
  static build(
    zs: ZoneState,
    slots: readonly FailoverSlot[] = [],
    valuesOf: (s: FailoverSlot) => string[] = (s) => s.values,
    ttlOf: (s: FailoverSlot) => number = (s) => s.ttl,
    steeredOf: (s: FailoverSlot) => Steered = () => null,
  ): ServedZones {
    const model = buildModel(zs);
    const watched = new Set(slots.map((s) => s.name));
    let table;
    try {
      table = buildFastTable(model, watched);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ConfigError([{ path: 'zones', message }], 'zone state');
    }
    const states = new Map<string, SlotState>();
    const perName = new Map<string, number>();
    for (const slot of slots) perName.set(slot.name, (perName.get(slot.name) ?? 0) + 1);
    for (const slot of slots) {
      const zone = model.zones.get(slot.zone)!;
      const type = TYPE_CODE[slot.type];
      const cacheable = perName.get(slot.name) === 1 && slot.name !== slot.zone && !slot.steering;
      const st: SlotState = {
        slot,
        type,
        zone,
        values: valuesOf(slot),
        ttl: ttlOf(slot),
        steered: steeredOf(slot),
        cacheable,
        prev: null,
      };
      states.set(slot.id, st);
    }
    const snap: Snapshot = { serial: zs.serial, epoch: zs.epoch, model, table };
    const steer = SteerEncoder.of(slots);
    const served = new ServedZones(snap, states, watched, steer);
    // Issue 14 part 3: the per-rule answers of every name that reads a steered record.
    if (steer)
      for (const name of steer.names)
        for (const e of table.dependents.get(name) ?? []) {
          const byId = (id: string) => states.get(id)?.steered ?? null;
          const st = steer.encode(model, e, e.deps, watched, table, byId);
          if (st) table.steers.set(e, st);
        }
    return served;
  }

  /**
   * Applies an update; throws (with nothing changed) when it does not apply: a delta whose base is not
   * the served serial, a value that does not parse for its record's type, an answer too large.
   */
  apply(u: OverlayUpdate): Omit<ApplyInfo, 'ms' | 'kind'> {
    const clock = new SliceClock(Infinity);
    const encodedAt = this.snapshot.table.encoded;
    try {
      const steps = this.steps(u, clock);
      let step = steps.next();
      while (!step.done) step = steps.next(); // a clock of one slice never asks to pause
      return this.commit(step.value, encodedAt, clock);
    } catch (err) {
      this.snapshot.table.encoded = encodedAt;
      throw err;
    }
  }

  /**
   * apply() in slices of about `sliceMs` (checking, planning and encoding alike), with `pause()` awaited
   * between them, so a query never waits behind a whole large update (1,100 names re-encode in tens of ms
   * at 110,000 records). Nothing a query reads changes before the commit at the end, the same synchronous
   * run of assignments as apply()'s. Nothing else may change this ServedZones until it settles (the DNS
   * worker applies its messages one after another).
   */
  async applySliced(
    u: OverlayUpdate,
    pause: () => Promise<void>,
    sliceMs = 2,
  ): Promise<Omit<ApplyInfo, 'ms' | 'kind'>> {
    const clock = new SliceClock(sliceMs);
    const from = this.snapshot.serial;
    const encodedAt = this.snapshot.table.encoded;
    try {
      const steps = this.steps(u, clock);
      let step = steps.next();
      while (!step.done) {
        clock.pausing();
        await pause();
        clock.resumed();
        if (this.snapshot.serial !== from) throw new Error('the served zone changed during a sliced update');
        step = steps.next();
      }
      return this.commit(step.value, encodedAt, clock);
    } catch (err) {
      this.snapshot.table.encoded = encodedAt;
      throw err;
    }
  }

  /**
   * Issue 11: plans, in slices with `pause()` between them, and drops an update moving up to `limit`
   * records (served-rehearsal.ts), so that a real update runs compiled code. Changes nothing served. Stops
   * early when `stop()` says a real update waits. Returns the records planned (0: none, or stopped); a plan
   * that throws (a bug: the update is built to apply) rejects, with nothing served changed.
   */
  async rehearse(pause: () => Promise<void>, stop: () => boolean, limit = 256, sliceMs = 2): Promise<number> {
    const snap = this.snapshot;
    const u = rehearsalUpdate(this.slots, snap.serial, limit);
    if (!u || u.kind !== 'delta') return 0;
    const clock = new SliceClock(sliceMs);
    const encodedAt = snap.table.encoded;
    try {
      const steps = this.steps(u, clock);
      let step = steps.next();
      for (; !step.done; step = steps.next()) {
        await pause();
        if (stop() || snap.serial !== u.delta.base) return 0;
      }
      loosenFields(step.value, snap);
      return Object.keys(u.delta.records).length;
    } finally {
      snap.table.encoded = encodedAt;
    }
  }

  private steps(u: OverlayUpdate, clock: SliceClock): Generator<void, UpdatePlan> {
    const ctx = {
      snapshot: this.snapshot,
      slots: this.slots,
      specs: this.slotSpecs,
      watched: this.watched,
      steer: this.steer,
    };
    return planUpdate(ctx, u, clock);
  }

  /** Puts the plan in: only assignments, after everything that could fail. */
  private commit(p: UpdatePlan, encodedAt: number, clock: SliceClock): Omit<ApplyInfo, 'ms' | 'kind'> {
    const snap = this.snapshot;
    const { model, table } = snap;
    if (p.serial !== snap.serial) {
      // Bodies ending in the SOA (the only way this resolver embeds one) take the new serial in place;
      // the entries re-encoded below already have it.
      // Only entries the two loops below visit matter: few (the SOA's, the steered).
      const fresh = new Set<FastName>();
      for (let i = 0; i < p.encoded.length; i++) {
        const e = p.encoded[i]![0];
        if (table.serialBound.has(e) || table.steers.has(e)) fresh.add(e);
      }
      for (const e of table.serialBound) {
        if (fresh.has(e)) continue;
        for (const a of e.answers) patchSerial(a, p.serial);
        patchSerial(e.other, p.serial);
      }
      // Issue 14 part 3: a rule's answers may embed the SOA where the default's do not; few names.
      for (const [e, steer] of table.steers) {
        if (fresh.has(e)) continue;
        for (const r of steer.rules) if (r) for (const a of [...r.answers, r.other]) patchSerial(a, p.serial);
      }
    }
    // Issue 11: what a cacheable record served until now is kept for its flip back (read before the
    // nodes and bodies below are replaced).
    // Indexed loops and forEach: this runs once per update, unoptimized, where a for-of allocates an
    // iterator result per element (issue 11: the workers' GC during a publish).
    for (let i = 0; i < p.changes.length; i++) {
      const c = p.changes[i]!;
      const st = c.st;
      if (st.cacheable) st.prev = servedVariant(st, c.entry);
      st.values = c.values;
      st.ttl = c.ttl;
      st.steered = c.steered;
    }
    p.nodes.forEach((nodes, apex) => {
      const zone = model.zones.get(apex)!;
      nodes.forEach((node, name) => zone.nodes.set(name, node));
    });
    for (const [apex, soa] of p.negativeSoas) model.zones.get(apex)!.negativeSoa = soa;
    for (let i = 0; i < p.encoded.length; i++) {
      const [e, enc] = p.encoded[i]!;
      // Most re-encoded names read the same records as before: their index entries stay.
      const reindex = e.serialBound !== enc.serialBound || !sameValues(e.deps, enc.deps);
      if (reindex) table.unindex(e);
      e.answers = enc.answers;
      e.other = enc.other;
      e.deps = enc.deps;
      e.serialBound = enc.serialBound;
      if (reindex) table.index(e);
      if (enc.steer) table.steers.set(e, enc.steer);
      else if (enc.steer === null) table.steers.delete(e);
    }
    for (const [zone, body] of p.negatives) {
      const fz = table.zones.get(zone.apex)!;
      fz.nx.body = body;
      fz.nodata.body = body;
    }
    snap.serial = p.serial;
    snap.epoch = p.epoch;
    clock.book();
    const { planMs, encodeMs, pausedMs, slices, commitMs } = clock;
    return {
      serial: p.serial,
      names: p.changes.length,
      bodies: table.encoded - encodedAt,
      stages: { planMs, encodeMs, pausedMs, slices, commitMs },
    };
  }
}

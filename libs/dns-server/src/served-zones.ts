/**
 * What a DnsServer serves, and how it changes: a snapshot built once from a base and an overlay, then
 * updated in place by overlay updates in time proportional to the change. An update is checked and
 * re-encoded completely before anything the query path reads is touched; the commit is one synchronous
 * run of assignments, so no query sees half of it, and an error leaves the old answers serving.
 */
import { ConfigError } from '@understudy/core';
import type { ConfigProblem, OverlayUpdate, Rdata, ZoneOverlay, ZoneState } from '@understudy/core';
import { TYPE, TYPE_CODE } from './constants.js';
import { buildFastTable, encodeName, negativeBody, patchSerial } from './fast-table.js';
import type { EncodedName, FastName } from './fast-table.js';
import { buildModel } from './model.js';
import type { RRsetModel, ZoneModel } from './model.js';
import { toResource } from './records.js';
import type { Snapshot } from './snapshot.js';
import { SteerEncoder } from './served-steer.js';
import { changeOf, parsedOrThrow, withSerial } from './served-changes.js';
import type { Change, Plan, SlotState, Steered } from './served-changes.js';
import { baseZoneState, slotProblems, updateProblem } from './zone-base.js';
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
    for (const slot of slots) {
      const zone = model.zones.get(slot.zone)!;
      const type = TYPE_CODE[slot.type];
      const st = { slot, type, zone, values: valuesOf(slot), ttl: ttlOf(slot), steered: steeredOf(slot) };
      states.set(slot.id, st);
    }
    const snap: Snapshot = { serial: zs.serial, epoch: zs.epoch, model, table };
    const steer = SteerEncoder.of(slots);
    const served = new ServedZones(snap, states, watched, steer);
    // Issue 14 part 3: the per-rule answers of every name that reads a steered record.
    if (steer)
      for (const name of steer.names)
        for (const e of table.dependents.get(name) ?? []) {
          const s = served.steerOf(e, e.deps);
          if (s) table.steers.set(e, s);
        }
    return served;
  }

  /**
   * Applies an update; throws (with nothing changed) when it does not apply: a delta whose base is not
   * the served serial, a value that does not parse for its record's type, an answer too large.
   */
  apply(u: OverlayUpdate): Omit<ApplyInfo, 'ms' | 'kind'> {
    const p = this.plan(u);
    try {
      return this.commit(
        p,
        this.withChanges(p, () => this.encodeAll(p.affected)),
      );
    } catch (err) {
      this.snapshot.table.encoded = p.encodedAt;
      throw err;
    }
  }

  /**
   * apply() in slices of about `sliceMs` of encoding, with `pause()` awaited between them, so a query
   * never waits behind a whole large update (1,100 names re-encode in tens of ms at 110,000 records).
   * Between slices the model and the table are exactly what they were: each slice puts the new records
   * in, encodes, and takes them out again; the commit at the end is the same synchronous run of
   * assignments as apply()'s. Nothing else may change this ServedZones until it settles (the DNS
   * worker applies its messages one after another).
   */
  async applySliced(
    u: OverlayUpdate,
    pause: () => Promise<void>,
    sliceMs = 2,
  ): Promise<Omit<ApplyInfo, 'ms' | 'kind'>> {
    const p = this.plan(u);
    const encoded: [FastName, EncodedName][] = [];
    let next = 0;
    try {
      while (next < p.affected.length) {
        next = this.withChanges(p, () => {
          const until = performance.now() + sliceMs;
          let i = next;
          // At least one name per slice (only one with sliceMs 0); the clock is read every 16 names.
          do encoded.push(this.encodeOne(p.affected[i++]!));
          while (i < p.affected.length && sliceMs > 0 && ((i & 15) !== 0 || performance.now() < until));
          return i;
        });
        if (next < p.affected.length) await pause();
        if (this.snapshot.serial !== p.from)
          throw new Error('the served zone changed during a sliced update');
      }
      return this.commit(p, encoded);
    } catch (err) {
      this.snapshot.table.encoded = p.encodedAt;
      throw err;
    }
  }

  /** Checks an update and lists what it changes; changes nothing. */
  private plan(u: OverlayUpdate): Plan {
    const snap = this.snapshot;
    // The check parses every value once; setValues reuses what it parsed.
    const parsed = new Map<string, Rdata[]>();
    const problem = updateProblem(this.slotSpecs, snap.serial, u, parsed);
    if (problem) throw new Error(problem);
    const { serial, epoch } = u.kind === 'delta' ? u.delta : u.overlay;
    const changes: Change[] = [];
    const ttls = u.kind === 'delta' ? u.delta.ttls : u.overlay.ttls;
    const steered = u.kind === 'delta' ? u.delta.steered : u.overlay.steered;
    if (u.kind === 'delta') {
      for (const [id, values] of Object.entries(u.delta.records)) {
        const st = this.slots.get(id);
        const ttl = st && (ttls?.[id] ?? st.slot.ttl);
        const c = st && changeOf(st, values, ttl!, parsed.get(id), steered?.[id] ?? null);
        if (c) changes.push(c);
      }
    } else {
      for (const st of this.slots.values()) {
        const id = st.slot.id;
        const values = u.overlay.records[id] ?? st.slot.values;
        const c = changeOf(st, values, ttls?.[id] ?? st.slot.ttl, parsed.get(id), steered?.[id] ?? null);
        if (c) changes.push(c);
      }
    }
    const affected = new Set<FastName>();
    for (const c of changes)
      for (const e of this.snapshot.table.dependents.get(c.st.slot.name) ?? []) affected.add(e);
    return {
      from: snap.serial,
      serial,
      epoch,
      changes,
      affected: [...affected],
      encodedAt: snap.table.encoded,
    };
  }

  /** Runs `fn` with the plan's records and serial in the model, then restores the model (also on a throw). */
  private withChanges<T>(p: Plan, fn: () => T): T {
    const undo: (() => void)[] = [];
    try {
      for (const c of p.changes) this.setValues(c, undo);
      if (p.serial !== p.from) this.setSerial(p.serial, undo);
      return fn();
    } finally {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    }
  }

  /** Puts the plan in for good and swaps the re-encoded answers in: only assignments after the check. */
  private commit(p: Plan, encoded: [FastName, EncodedName][]): Omit<ApplyInfo, 'ms' | 'kind'> {
    const snap = this.snapshot;
    const table = snap.table;
    const serialMoved = p.serial !== snap.serial;
    let negatives: [ZoneModel, Buffer][];
    const undo: (() => void)[] = [];
    try {
      for (const c of p.changes) this.setValues(c, undo);
      if (serialMoved) this.setSerial(p.serial, undo);
      negatives = serialMoved ? [...snap.model.zones.values()].map((z) => [z, negativeBody(z)]) : [];
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      throw err;
    }
    // The commit: only assignments from here on.
    if (serialMoved) {
      // Bodies ending in the SOA (the only way this resolver embeds one) take the new serial in place;
      // the entries re-encoded below already have it.
      const fresh = new Set(encoded.map(([e]) => e));
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
    for (const [e, enc] of encoded) {
      table.unindex(e);
      e.answers = enc.answers;
      e.other = enc.other;
      e.deps = enc.deps;
      e.serialBound = enc.serialBound;
      table.index(e);
      if (enc.steer) table.steers.set(e, enc.steer);
      else if (enc.steer === null) table.steers.delete(e);
    }
    for (const [zone, body] of negatives) {
      const fz = table.zones.get(zone.apex)!;
      fz.nx.body = body;
      fz.nodata.body = body;
    }
    for (const c of p.changes) {
      c.st.values = c.values;
      c.st.ttl = c.ttl;
      c.st.steered = c.steered;
    }
    snap.serial = p.serial;
    snap.epoch = p.epoch;
    return { serial: p.serial, names: p.changes.length, bodies: table.encoded - p.encodedAt };
  }

  /** Puts new records into the model (with their undo); checks the alias rule at that name. */
  private setValues(c: Change, undo: (() => void)[]): void {
    const { slot, type } = c.st;
    const node = c.st.zone.nodes.get(slot.name)!;
    // Built once per update: a sliced update puts it in and takes it out again for every slice.
    const next: RRsetModel = (c.next ??= {
      name: slot.name,
      type,
      ttl: c.ttl,
      records: (c.rdata ?? c.values.map((v) => parsedOrThrow(slot, v))).map((r) =>
        toResource(slot.name, c.ttl, r),
      ),
    });
    const old = node.rrsets.get(type)!;
    const oldCname = node.cname;
    const oldSteered = c.st.steered;
    undo.push(() => {
      node.rrsets.set(type, old);
      node.cname = oldCname;
      c.st.steered = oldSteered;
    });
    c.st.steered = c.steered;
    node.rrsets.set(type, next);
    if (type === TYPE.CNAME) node.cname = next.records.length > 0 ? next : null;
    if (!node.cname) return;
    for (const r of node.rrsets.values())
      if (r.type !== TYPE.CNAME && r.records.length > 0)
        throw new Error(`${slot.id}: a CNAME cannot coexist with other data at ${slot.name}`);
  }

  private setSerial(serial: number, undo: (() => void)[]): void {
    for (const zone of this.snapshot.model.zones.values()) {
      const apex = zone.nodes.get(zone.apex)!;
      const soa = apex.rrsets.get(TYPE.SOA)!;
      const neg = zone.negativeSoa;
      undo.push(() => {
        apex.rrsets.set(TYPE.SOA, soa);
        zone.negativeSoa = neg;
      });
      apex.rrsets.set(TYPE.SOA, { ...soa, records: soa.records.map((r) => withSerial(r, serial)) });
      zone.negativeSoa = withSerial(neg, serial);
    }
  }

  /** Re-encodes the names that read a changed record (with the plan's records in the model). */
  private encodeAll(affected: readonly FastName[]): [FastName, EncodedName][] {
    return affected.map((e) => this.encodeOne(e));
  }

  private encodeOne(e: FastName): [FastName, EncodedName] {
    const { model, table } = this.snapshot;
    const zone = model.zones.get(e.home.apex)!;
    const enc = encodeName(model, zone, e.home, e.name, e.qtypes, this.watched, table);
    if (this.steer) enc.steer = this.steerOf(e, enc.deps);
    return [e, enc];
  }

  /** Issue 14 part 3: the per-rule answers of `e` with the model as it stands (see SteerEncoder). */
  private steerOf(e: FastName, deps: readonly string[]) {
    const slots = this.slots;
    const byId = (id: string) => slots.get(id)?.steered ?? null;
    return this.steer!.encode(this.snapshot.model, e, deps, this.watched, this.snapshot.table, byId);
  }
}

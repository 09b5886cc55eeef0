/**
 * What a DnsServer serves, and how it changes: a snapshot built once from a base and an overlay, then
 * updated in place by overlay updates in time proportional to the change. An update is checked and
 * re-encoded completely before anything the query path reads is touched; the commit is one synchronous
 * run of assignments, so no query sees half of it, and an error leaves the old answers serving.
 */
import { ConfigError, parseRdata } from '@understudy/core';
import type { ConfigProblem, OverlayUpdate, Rdata, ZoneOverlay, ZoneState } from '@understudy/core';
import { TYPE, TYPE_CODE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import { buildFastTable, encodeName, negativeBody, patchSerial } from './fast-table.js';
import type { EncodedName, FastName } from './fast-table.js';
import { buildModel } from './model.js';
import type { RRsetModel, ZoneModel } from './model.js';
import { toResource } from './records.js';
import type { Snapshot } from './snapshot.js';
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

interface SlotState {
  slot: FailoverSlot;
  type: number;
  zone: ZoneModel;
  values: string[];
  /** Issue 14: the TTL served (the slot's, or the overlay's adaptive TTL). */
  ttl: number;
}

type Change = { st: SlotState; values: string[]; ttl: number; rdata: Rdata[] | undefined };

/** The change a slot needs to serve `values` at `ttl`, or null when it serves them already. */
function changeOf(st: SlotState, values: string[], ttl: number, rdata: Rdata[] | undefined): Change | null {
  return sameValues(st.values, values) && st.ttl === ttl ? null : { st, values, ttl, rdata };
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function parsedOrThrow(slot: FailoverSlot, value: string): Rdata {
  const r = parseRdata(slot.type, value);
  if (!r.ok) throw new Error(`${slot.id}: ${r.error}`);
  return r.rdata;
}

function withSerial(rec: Resource, serial: number): Resource {
  return new Packet.Resource({ ...rec, serial });
}

export class ServedZones {
  /** The failover slots by id, for cheap checks (the pool primary uses the same ones). */
  readonly slotSpecs: ReadonlyMap<string, FailoverSlot>;

  private constructor(
    readonly snapshot: Snapshot,
    private readonly slots: Map<string, SlotState>,
    private readonly watched: ReadonlySet<string>,
  ) {
    this.slotSpecs = new Map([...slots].map(([id, s]) => [id, s.slot]));
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
      const st = { slot, type: TYPE_CODE[slot.type], zone, values: valuesOf(slot), ttl: ttlOf(slot) };
      states.set(slot.id, st);
    }
    const snap: Snapshot = { serial: zs.serial, epoch: zs.epoch, model, table };
    return new ServedZones(snap, states, watched);
  }

  /**
   * Applies an update; throws (with nothing changed) when it does not apply: a delta whose base is not
   * the served serial, a value that does not parse for its record's type, an answer too large.
   */
  apply(u: OverlayUpdate): Omit<ApplyInfo, 'ms' | 'kind'> {
    const snap = this.snapshot;
    // The check parses every value once; setValues reuses what it parsed.
    const parsed = new Map<string, Rdata[]>();
    const problem = updateProblem(this.slotSpecs, snap.serial, u, parsed);
    if (problem) throw new Error(problem);
    const { serial, epoch } = u.kind === 'delta' ? u.delta : u.overlay;
    const changes: Change[] = [];
    const ttls = u.kind === 'delta' ? u.delta.ttls : u.overlay.ttls;
    if (u.kind === 'delta') {
      for (const [id, values] of Object.entries(u.delta.records)) {
        const st = this.slots.get(id);
        const c = st && changeOf(st, values, ttls?.[id] ?? st.slot.ttl, parsed.get(id));
        if (c) changes.push(c);
      }
    } else {
      for (const st of this.slots.values()) {
        const id = st.slot.id;
        const values = u.overlay.records[id] ?? st.slot.values;
        const c = changeOf(st, values, ttls?.[id] ?? st.slot.ttl, parsed.get(id));
        if (c) changes.push(c);
      }
    }
    const before = snap.table.encoded;
    const undo: (() => void)[] = [];
    let encoded: [FastName, EncodedName][];
    let negatives: [ZoneModel, Buffer][];
    try {
      for (const c of changes) this.setValues(c.st, c.values, c.ttl, c.rdata, undo);
      if (serial !== snap.serial) this.setSerial(serial, undo);
      ({ encoded, negatives } = this.encode(changes, serial !== snap.serial));
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      snap.table.encoded = before;
      throw err;
    }
    // The commit: only assignments from here on.
    const table = snap.table;
    if (serial !== snap.serial) {
      // Bodies ending in the SOA (the only way this resolver embeds one) take the new serial in place;
      // the entries re-encoded below already have it.
      const fresh = new Set(encoded.map(([e]) => e));
      for (const e of table.serialBound) {
        if (fresh.has(e)) continue;
        for (const a of e.answers) patchSerial(a, serial);
        patchSerial(e.other, serial);
      }
    }
    for (const [e, enc] of encoded) {
      table.unindex(e);
      e.answers = enc.answers;
      e.other = enc.other;
      e.deps = enc.deps;
      e.serialBound = enc.serialBound;
      table.index(e);
    }
    for (const [zone, body] of negatives) {
      const fz = table.zones.get(zone.apex)!;
      fz.nx.body = body;
      fz.nodata.body = body;
    }
    for (const c of changes) {
      c.st.values = c.values;
      c.st.ttl = c.ttl;
    }
    snap.serial = serial;
    snap.epoch = epoch;
    return { serial, names: changes.length, bodies: table.encoded - before };
  }

  /** Puts new records into the model (with their undo); checks the alias rule at that name. */
  private setValues(
    st: SlotState,
    values: string[],
    ttl: number,
    rdata: readonly Rdata[] | undefined,
    undo: (() => void)[],
  ): void {
    const { slot, type } = st;
    const node = st.zone.nodes.get(slot.name)!;
    const records = (rdata ?? values.map((v) => parsedOrThrow(slot, v))).map((r) =>
      toResource(slot.name, ttl, r),
    );
    const next: RRsetModel = { name: slot.name, type, ttl, records };
    const old = node.rrsets.get(type)!;
    const oldCname = node.cname;
    undo.push(() => {
      node.rrsets.set(type, old);
      node.cname = oldCname;
    });
    node.rrsets.set(type, next);
    if (type === TYPE.CNAME) node.cname = records.length > 0 ? next : null;
    const data = [...node.rrsets.values()].some((r) => r.type !== TYPE.CNAME && r.records.length > 0);
    if (node.cname && data)
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

  /** Re-encodes the names that read a changed record, and the zones' negative answers if the serial moved. */
  private encode(
    changes: { st: SlotState }[],
    serialMoved: boolean,
  ): { encoded: [FastName, EncodedName][]; negatives: [ZoneModel, Buffer][] } {
    const { model, table } = this.snapshot;
    const affected = new Set<FastName>();
    for (const c of changes) for (const e of table.dependents.get(c.st.slot.name) ?? []) affected.add(e);
    const encoded: [FastName, EncodedName][] = [];
    for (const e of affected) {
      const zone = model.zones.get(e.home.apex)!;
      encoded.push([e, encodeName(model, zone, e.home, e.name, e.qtypes, this.watched, table)]);
    }
    const negatives: [ZoneModel, Buffer][] = serialMoved
      ? [...model.zones.values()].map((z) => [z, negativeBody(z)])
      : [];
    return { encoded, negatives };
  }
}

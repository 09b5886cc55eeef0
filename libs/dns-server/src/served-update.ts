/**
 * One overlay update of a ServedZones, checked, planned and re-encoded without touching what queries
 * read (issue 11: decision → served at 110,000 records). The update's new nodes (its records, and the
 * apex SOA when the serial moves) are built once and read through a view of the model that shows them
 * over the served nodes, so the work is O(delta) in total however many slices it is cut into, and the
 * slow path between slices still answers from the served model. ServedZones commits the plan by putting
 * those nodes into the model and swapping the encoded answers in, in one synchronous step.
 */
import type { OverlayUpdate, Rdata } from '@understudy/core';
import { TYPE } from './constants.js';
import type { Resource } from './dns2.js';
import { encodeName, negativeBody } from './fast-table.js';
import type { EncodedName, FastName } from './fast-table.js';
import type { NodeModel, RRsetModel, ZoneModel, ZoneModelSet } from './model.js';
import { toResource } from './records.js';
import { RRsetMap } from './rrset-map.js';
import { parsedOrThrow, sameValues, withSerial } from './served-changes.js';
import { changesOf, ownAnswer } from './served-targets.js';
import type { SlotState, SlotVariant, Steered } from './served-changes.js';
import type { SteerEncoder } from './served-steer.js';
import type { SliceClock } from './slice-clock.js';
import type { Snapshot } from './snapshot.js';
import { checkUpdate } from './zone-base.js';
import type { FailoverSlot } from './zone-base.js';

export interface Change {
  st: SlotState;
  values: string[];
  ttl: number;
  /** Issue 14 part 3: the values per steering rule (null: not steered). */
  steered: Steered;
  /** Issue 11: the record goes back to what it served before its last change (SlotState.prev). */
  hit: SlotVariant | null;
  /** Issue 11: the fast-table entry of the record's own name, met while encoding (cacheable records). */
  entry: FastName | null;
  /** The records planned (not for a hit). */
  records: Resource[] | null;
}

/** A checked and encoded update: everything its commit assigns. */
export interface UpdatePlan {
  serial: number;
  epoch: number;
  changes: Change[];
  /** Per zone apex: the nodes that replace the served ones (changed records, the apex on a new serial). */
  nodes: Map<string, Map<string, NodeModel>>;
  /** Per zone apex: the negative-answer SOA record under the new serial (only when it moves). */
  negativeSoas: Map<string, Resource>;
  /** Issue 11: the changes of cacheable records by owner name (SlotState.cacheable). */
  own: Map<string, Change>;
  /** The served model with `nodes` and `negativeSoas` in: what the new answers were encoded from. */
  view: ZoneModelSet;
  encoded: [FastName, EncodedName][];
  /** The zones' shared negative bodies under the new serial (only when it moves). */
  negatives: [ZoneModel, Buffer][];
}

/** What an update reads of its ServedZones. */
export interface UpdateContext {
  snapshot: Snapshot;
  slots: ReadonlyMap<string, SlotState>;
  specs: ReadonlyMap<string, FailoverSlot>;
  watched: ReadonlySet<string>;
  /** Issue 14 part 3: the per-rule answers of steered records; null when none is steered. */
  steer: SteerEncoder | null;
}

/**
 * A zone's nodes with some replaced: resolve() only calls get and has. Nothing else may be read from it
 * (its size and iteration are those of an empty Map).
 */
class ShadowNodes extends Map<string, NodeModel> {
  constructor(
    private readonly served: Map<string, NodeModel>,
    private readonly replaced: Map<string, NodeModel>,
  ) {
    super();
  }

  override get(name: string): NodeModel | undefined {
    return this.replaced.get(name) ?? this.served.get(name);
  }

  override has(name: string): boolean {
    return this.replaced.has(name) || this.served.has(name);
  }
}

/** The node `name` of `zone` as the plan has it so far (replaced, or served). */
function currentNode(plan: UpdatePlan, zone: ZoneModel, name: string): NodeModel {
  return plan.nodes.get(zone.apex)?.get(name) ?? zone.nodes.get(name)!;
}

/** A copy of `node` with `rrset` in place of its RRset of that type. */
function replaceRRset(node: NodeModel, rrset: RRsetModel): NodeModel {
  let rrsets: RRsetMap;
  if (node.rrsets instanceof RRsetMap) rrsets = node.rrsets.copyWith(rrset.type, rrset);
  else {
    rrsets = new RRsetMap();
    for (const [t, r] of node.rrsets) rrsets.set(t, r);
    rrsets.set(rrset.type, rrset);
  }
  const cname = rrset.type === TYPE.CNAME ? (rrset.records.length > 0 ? rrset : null) : node.cname;
  return { name: node.name, rrsets, cname };
}

function putNode(plan: UpdatePlan, zone: ZoneModel, node: NodeModel): void {
  let nodes = plan.nodes.get(zone.apex);
  if (!nodes) {
    nodes = new Map<string, NodeModel>();
    plan.nodes.set(zone.apex, nodes);
  }
  nodes.set(node.name, node);
}

/** The change's new node; throws when a CNAME would share its name with other data. */
function planChange(plan: UpdatePlan, c: Change, rdata: Rdata[] | undefined): void {
  const { slot, type, zone } = c.st;
  const records = (rdata ?? c.values.map((v) => parsedOrThrow(slot, v))).map((r) =>
    toResource(slot.name, c.ttl, r),
  );
  c.records = records;
  const node = replaceRRset(currentNode(plan, zone, slot.name), {
    name: slot.name,
    type,
    ttl: c.ttl,
    records,
  });
  if (node.cname)
    for (const r of node.rrsets.values())
      if (r.type !== TYPE.CNAME && r.records.length > 0)
        throw new Error(`${slot.id}: a CNAME cannot coexist with other data at ${slot.name}`);
  putNode(plan, zone, node);
}

function planSerial(plan: UpdatePlan, model: ZoneModelSet): void {
  for (const zone of model.zones.values()) {
    const apex = currentNode(plan, zone, zone.apex);
    const soa = apex.rrsets.get(TYPE.SOA)!;
    putNode(
      plan,
      zone,
      replaceRRset(apex, { ...soa, records: soa.records.map((r) => withSerial(r, plan.serial)) }),
    );
    plan.negativeSoas.set(zone.apex, withSerial(zone.negativeSoa, plan.serial));
  }
}

function viewOf(plan: UpdatePlan, model: ZoneModelSet): ZoneModelSet {
  const zones = new Map<string, ZoneModel>();
  for (const [apex, zone] of model.zones) {
    const nodes = plan.nodes.get(apex);
    const negativeSoa = plan.negativeSoas.get(apex) ?? zone.negativeSoa;
    zones.set(apex, nodes ? { ...zone, nodes: new ShadowNodes(zone.nodes, nodes), negativeSoa } : zone);
  }
  return { zones, types: model.types };
}

/**
 * Checks, plans and encodes `u`, yielding whenever `clock` says the slice is used up (never, for a
 * synchronous apply); returns the plan to commit. Throws, with nothing served changed, when the update
 * does not apply. The caller must keep the served zones unchanged until it has committed.
 */
export function* planUpdate(
  ctx: UpdateContext,
  u: OverlayUpdate,
  clock: SliceClock,
): Generator<void, UpdatePlan> {
  const snap = ctx.snapshot;
  // The check parses every value once; the plan reuses what it parsed.
  const parsed = new Map<string, Rdata[]>();
  // Values a record serves, or served before its last change, were checked then.
  const known = (id: string, values: unknown): boolean => {
    const st = ctx.slots.get(id);
    if (st === undefined || !Array.isArray(values)) return false;
    const v = values as string[];
    return sameValues(st.values, v) || (st.prev !== null && sameValues(st.prev.values, v));
  };
  const due = (): boolean => clock.due();
  const check = checkUpdate(ctx.specs, snap.serial, u, parsed, known, due);
  for (let step = check.next(); ; step = check.next()) {
    if (step.done) {
      if (step.value) throw new Error(step.value);
      break;
    }
    yield; // checkUpdate yields only when the slice is used up
  }
  const { serial, epoch } = u.kind === 'delta' ? u.delta : u.overlay;
  const plan: UpdatePlan = {
    serial,
    epoch,
    changes: [],
    nodes: new Map(),
    own: new Map(),
    negativeSoas: new Map(),
    view: snap.model,
    encoded: [],
    negatives: [],
  };
  // Indexed loops here and below: code that runs a few times per update is not optimized, and a for-of
  // there allocates an iterator result per element (issue 11: the workers' GC during a publish).
  const changes = changesOf(ctx.slots, u);
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const { st } = c;
    const prev = st.prev;
    if (prev !== null && prev.ttl === c.ttl && sameValues(prev.values, c.values)) {
      c.hit = prev;
      putNode(plan, st.zone, prev.node);
    } else planChange(plan, c, parsed.get(st.slot.id));
    if (st.cacheable) plan.own.set(st.slot.name, c);
    if (clock.due()) yield;
  }
  plan.changes = changes;
  if (serial !== snap.serial) planSerial(plan, snap.model);
  plan.view = viewOf(plan, snap.model);
  const affectedSet = new Set<FastName>();
  const affect = (e: FastName): void => void affectedSet.add(e);
  for (let i = 0; i < changes.length; i++) {
    snap.table.dependents.get(changes[i]!.st.slot.name)?.forEach(affect);
    if (clock.due()) yield;
  }
  const affected = [...affectedSet];
  if (serial !== snap.serial)
    plan.negatives = [...snap.model.zones.values()].map((z) => [
      z,
      negativeBody(plan.view.zones.get(z.apex)!),
    ]);
  clock.enter('encode');
  // Issue 14 part 3: the rules' values as the plan has them (its changes, else what is served).
  const planned = ctx.steer
    ? new Map(changes.map((c) => [c.st.slot.id, c.steered]))
    : new Map<string, Steered>();
  const steeredOf = (id: string): Steered =>
    planned.has(id) ? planned.get(id)! : (ctx.slots.get(id)?.steered ?? null);
  for (let i = 0; i < affected.length; i++) {
    const e = affected[i]!;
    const own = plan.own.get(e.name);
    if (own !== undefined && own.st.zone.apex === e.home.apex) {
      own.entry = e;
      // Issue 11: back to the bodies served before; they read nothing else that may have moved.
      const enc = own.hit?.enc ?? ownAnswer(own, e, snap.table);
      if (enc) {
        plan.encoded.push([e, enc]);
        if (clock.due()) yield;
        continue;
      }
    }
    const zone = plan.view.zones.get(e.home.apex)!;
    const enc = encodeName(plan.view, zone, e.home, e.name, e.qtypes, ctx.watched, snap.table);
    if (ctx.steer) enc.steer = ctx.steer.encode(plan.view, e, enc.deps, ctx.watched, snap.table, steeredOf);
    plan.encoded.push([e, enc]);
    if (clock.due()) yield;
  }
  clock.enter('commit');
  return plan;
}

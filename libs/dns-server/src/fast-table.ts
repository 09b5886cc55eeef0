/**
 * The fast path's lookup table: (name, qtype) → pre-encoded answer and authority bytes.
 *
 * Each body is encoded by dns2 inside a template message whose question is the lower-cased name, then
 * cut after the question. A real query for the same name has a question of the same length, so every
 * compression pointer in the body (owner names point at offset 12) stays valid, and owner names render
 * in the asker's own letter case (0x20).
 */
import { MAX_MESSAGE, PROBE_ABSENT_TYPE, RCODE, TYPE } from './constants.js';
import { encodeBody as encodeAnswerBody } from './body-encoder.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import type { ZoneModel, ZoneModelSet } from './model.js';
import { findZone, resolve } from './resolve.js';
import type { Resolution } from './resolve.js';
import { hashWireName, keyEquals, nameToWire, slotOf } from './wire.js';
import type { RulePicker } from '@understudy/core';

export interface FastAnswer {
  aa: boolean;
  rcode: number;
  an: number;
  ns: number;
  ar: number;
  /**
   * True for the shared negative answers of a zone: the body is the zone's SOA whose first two octets
   * are the owner slot, patched per query with a pointer to the apex suffix of the question. Answers
   * that share it need no re-encoding when only the serial changes.
   */
  soa: boolean;
  /**
   * The body's last record is an SOA (an apex SOA answer, a CNAME chain ending negative): its serial is
   * the body's octets [length - 20, length - 16), patched in place when only the serial moves.
   */
  tailSoa: boolean;
  body: Buffer;
}

/** Writes a new serial into a body whose last record is an SOA (see FastAnswer.tailSoa). */
export function patchSerial(a: FastAnswer, serial: number): void {
  if (a.tailSoa) a.body.writeUInt32BE(serial, a.body.length - 20);
}

/** Per zone: the negative answers (SOA in authority) every name of the zone shares. */
export interface FastZone {
  apex: string;
  /** Wire length of the apex name: the question's apex suffix starts this far before its end. */
  apexLen: number;
  /** False when wildcards or delegations make "not in the table" mean more than NXDOMAIN. */
  simple: boolean;
  /** NXDOMAIN; the body is replaced in place when the serial changes. */
  nx: FastAnswer;
  /** NODATA (NOERROR, no answer), sharing nx's body. */
  nodata: FastAnswer;
}

export interface FastName {
  /** Canonical name, for re-encoding. */
  name: string;
  key: Buffer;
  hash: number;
  qtypes: number[];
  answers: FastAnswer[];
  /** The answer for every other qtype at this name (often the zone's shared nodata). */
  other: FastAnswer;
  /** The zone the name belongs to, for the shared negative answers. */
  home: FastZone;
  /** Set on zone apexes. */
  zone: FastZone | null;
  /** The watched (failover) names the answers were read from, itself included when watched. */
  deps: readonly string[];
  /**
   * Some body embeds the SOA other than through the shared answers: patched (FastAnswer.tailSoa) or
   * re-encoded on a serial change.
   */
  serialBound: boolean;
}

/**
 * Issue 14 part 3: the answers of a name that reads a steered failover record, per steering rule. A
 * rule whose entry is null serves the name's default answers.
 */
export interface Steer {
  picker: RulePicker;
  rules: ({ answers: FastAnswer[]; other: FastAnswer } | null)[];
}

/** Room a reply needs besides the body: header, an OPT record. The question comes on top. */
const REPLY_OVERHEAD = 12 + 11;

export class FastTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** Watched name → the entries whose answers read it. */
  readonly dependents = new Map<string, Set<FastName>>();
  /** Entries to re-encode when the serial changes (see FastName.serialBound). */
  readonly serialBound = new Set<FastName>();
  /** Bodies encoded over the table's life: what an update cost (tests and onApplied read it). */
  encoded = 0;
  /**
   * Issue 14 part 3: the entries that read a steered record. Beside the entries, not in them: a field
   * per name would cost every name of a large zone, and only names with deps are looked up here.
   */
  readonly steers = new Map<FastName, Steer>();

  constructor(
    readonly names: readonly FastName[],
    readonly zones: ReadonlyMap<string, FastZone>,
  ) {
    let cap = 16;
    while (cap < names.length * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    names.forEach((n, idx) => {
      let i = slotOf(n.hash, this.mask);
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = idx + 1;
      this.index(n);
    });
  }

  /** Records what `n` depends on; call unindex first when its dependencies change. */
  index(n: FastName): void {
    for (const d of n.deps) {
      let set = this.dependents.get(d);
      if (!set) this.dependents.set(d, (set = new Set()));
      set.add(n);
    }
    if (n.serialBound) this.serialBound.add(n);
  }

  unindex(n: FastName): void {
    for (const d of n.deps) this.dependents.get(d)?.delete(n);
    this.serialBound.delete(n);
  }

  /** The entry whose key equals msg[start, end) case-insensitively, given that suffix's hash. */
  find(hash: number, msg: Uint8Array, start: number, end: number): FastName | undefined {
    for (let i = slotOf(hash, this.mask); ; i = (i + 1) & this.mask) {
      const s = this.slots[i]!;
      if (s === 0) return undefined;
      const e = this.names[s - 1]!;
      if (e.hash === hash && keyEquals(e.key, msg, start, end)) return e;
    }
  }
}

function encodeBody(name: string, qtype: number, res: Resolution): FastAnswer {
  // body-encoder writes what dns2's Packet.toBuffer would after the question, about ten times faster.
  const { body } = encodeAnswerBody(name, qtype, res.answer, res.authority, res.additional);
  // The question's name in wire form is one octet longer than the canonical text ("." is one octet).
  const size = 12 + (name === '.' ? 1 : name.length + 1) + 4 + body.length;
  if (size + REPLY_OVERHEAD > MAX_MESSAGE)
    throw new Error(`the answer for ${name} type ${qtype} is ${size} octets, too large for one message`);
  return {
    aa: res.aa,
    rcode: res.rcode,
    an: res.answer.length,
    ns: res.authority.length,
    ar: res.additional.length,
    soa: false,
    tailSoa: lastIsSoa(res),
    body,
  };
}

/**
 * Issue 11: the answer resolve() gives for a non-empty RRset that exists at `name` itself (no alias, no
 * cut): the records and nothing else. An overlay update re-encodes a failover record's own answer
 * with it, without resolving the name again.
 */
export function plainAnswer(
  name: string,
  qtype: number,
  records: Resource[],
  table: { encoded: number },
): FastAnswer {
  table.encoded++;
  return encodeBody(name, qtype, {
    rcode: RCODE.NOERROR,
    aa: true,
    answer: records,
    authority: [],
    additional: [],
  });
}

/** The SOA record with its owner replaced by a pointer placeholder (patched per query). */
function nxBodyFor(zone: ZoneModel): Buffer {
  const rr = Packet.Resource.encode(zone.negativeSoa, new Packet.Writer());
  const ownerLen = nameToWire(zone.apex).length;
  return Buffer.concat([Buffer.from([0xc0, 0x00]), rr.subarray(ownerLen)]);
}

/** Types worth a table slot at a name: its own, or for an alias every type the chain may end on. */
function typesAt(model: ZoneModelSet, zone: ZoneModel, name: string): number[] {
  const node = zone.nodes.get(name)!;
  // Any CNAME RRset, even empty: a failover alias keeps its slots while its values come and go.
  const alias = node.rrsets.has(TYPE.CNAME);
  const types = new Set<number>(alias ? [...model.types, TYPE.CNAME] : node.rrsets.keys());
  if (zone.cuts.has(name)) types.add(TYPE.DS);
  return [...types];
}

/** The zone's shared negative answers, or new bodies for them after a serial change. */
export function negativeBody(zone: ZoneModel): Buffer {
  return nxBodyFor(zone);
}

function fastZoneOf(zone: ZoneModel): FastZone {
  const body = nxBodyFor(zone);
  const neg = (rcode: number): FastAnswer => ({
    aa: true,
    rcode,
    an: 0,
    ns: 1,
    ar: 0,
    soa: true,
    tailSoa: false,
    body,
  });
  return {
    apex: zone.apex,
    apexLen: nameToWire(zone.apex).length,
    simple: !zone.hasWildcard && zone.cuts.size === 0,
    nx: neg(RCODE.NXDOMAIN),
    nodata: neg(RCODE.NOERROR),
  };
}

function lastIsSoa(res: Resolution): boolean {
  if (res.additional.length > 0) return false;
  const last = res.authority.length > 0 ? res.authority.at(-1) : res.answer.at(-1);
  return last?.type === TYPE.SOA;
}

function hasSoa(res: Resolution): boolean {
  return res.answer.some((r) => r.type === TYPE.SOA) || res.authority.some((r) => r.type === TYPE.SOA);
}

export interface EncodedName {
  answers: FastAnswer[];
  other: FastAnswer;
  deps: readonly string[];
  serialBound: boolean;
  /** Issue 14 part 3: set by ServedZones for names that read a steered record. */
  steer?: Steer | null;
}

const NO_DEPS: readonly string[] = [];

/**
 * Resolves and encodes every answer at `name`. A plain negative answer of the name's own zone becomes
 * the zone's shared one (no body of its own, no re-encoding on a serial change).
 */
export function encodeName(
  model: ZoneModelSet,
  zone: ZoneModel,
  fz: FastZone,
  name: string,
  qtypes: readonly number[],
  watched: ReadonlySet<string>,
  table: { encoded: number },
): EncodedName {
  let deps: Set<string> | null = null;
  let serialBound = false;
  const reads: string[] = [];
  const one = (t: number): FastAnswer => {
    reads.length = 0;
    const res = resolve(model, name, t, reads);
    for (const r of reads) if (watched.has(r)) (deps ??= new Set()).add(r);
    const auth = res.authority;
    if (res.answer.length === 0 && res.additional.length === 0 && auth.length === 1)
      if (auth[0] === zone.negativeSoa) return res.rcode === RCODE.NXDOMAIN ? fz.nx : fz.nodata;
    if (hasSoa(res)) serialBound = true;
    table.encoded++;
    return encodeBody(name, t, res);
  };
  const answers = qtypes.map(one);
  const other = one(PROBE_ABSENT_TYPE);
  return { answers, other, deps: deps ? [...(deps as Set<string>)] : NO_DEPS, serialBound };
}

/**
 * Copies keys into shared 64 KiB slabs: a Buffer of its own per key costs an ArrayBuffer and its backing
 * store (about 140 bytes) on top of the view, for every name of the zone.
 */
class KeySlab {
  private slab = Buffer.allocUnsafeSlow(0);
  private used = 0;

  put(key: Buffer): Buffer {
    if (this.used + key.length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(1 << 16, key.length));
      this.used = 0;
    }
    key.copy(this.slab, this.used);
    this.used += key.length;
    return this.slab.subarray(this.used - key.length, this.used);
  }
}

/**
 * typesAt, with one array per distinct list of types (most names share [A]; lists are never changed in
 * place). A name with one RRset, no alias and no cut, the common case, is looked up without building one.
 */
function typesOf(pool: Map<string, number[]>, model: ZoneModelSet, zone: ZoneModel, name: string): number[] {
  const rrsets = zone.nodes.get(name)!.rrsets;
  if (rrsets.size === 1 && !rrsets.has(TYPE.CNAME) && !zone.cuts.has(name)) {
    const only = rrsets.keys().next().value!;
    const hit = pool.get(String(only));
    if (hit) return hit;
  }
  const types = typesAt(model, zone, name);
  const k = types.join(',');
  const hit = pool.get(k);
  if (hit) return hit;
  pool.set(k, types);
  return types;
}

/** Builds the table; `watched` names (failover owners) get a dependency index for incremental updates. */
export function buildFastTable(model: ZoneModelSet, watched: ReadonlySet<string> = new Set()): FastTable {
  const names: FastName[] = [];
  const zones = new Map<string, FastZone>();
  const counter = { encoded: 0 };
  const keys = new KeySlab();
  const typeLists = new Map<string, number[]>();
  for (const zone of model.zones.values()) {
    const fz = fastZoneOf(zone);
    zones.set(zone.apex, fz);
    for (const name of zone.nodes.keys()) {
      // A name inside a more specific zone we also serve belongs to that zone.
      if (findZone(model, name) !== zone) continue;
      const qtypes = typesOf(typeLists, model, zone, name);
      const key = keys.put(nameToWire(name));
      const enc = encodeName(model, zone, fz, name, qtypes, watched, counter);
      // Every field written out (no spread): a literal keeps them all inside the object, no property array.
      names.push({
        name,
        key,
        hash: hashWireName(key),
        qtypes,
        answers: enc.answers,
        other: enc.other,
        home: fz,
        zone: name === zone.apex ? fz : null,
        deps: enc.deps,
        serialBound: enc.serialBound,
      });
    }
  }
  const table = new FastTable(names, zones);
  table.encoded = counter.encoded;
  return table;
}

/**
 * The fast path's lookup table: (name, qtype) → pre-encoded answer and authority bytes.
 *
 * Each body is encoded by dns2 inside a template message whose question is the lower-cased name, then
 * cut after the question. A real query for the same name has a question of the same length, so every
 * compression pointer in the body (owner names point at offset 12) stays valid, and owner names render
 * in the asker's own letter case (0x20).
 */
import { CLASS_IN, MAX_MESSAGE, PROBE_ABSENT_TYPE, RCODE, TYPE } from './constants.js';
import { Packet } from './dns2.js';
import type { ZoneModel, ZoneModelSet } from './model.js';
import { dns2Name } from './records.js';
import { findZone, resolve } from './resolve.js';
import type { Resolution } from './resolve.js';
import { hashWireName, keyEquals, nameToWire, slotOf } from './wire.js';

export interface FastAnswer {
  aa: boolean;
  rcode: number;
  an: number;
  ns: number;
  ar: number;
  body: Buffer;
}

/** Per zone: the NXDOMAIN authority (SOA) with a two-octet owner slot to patch with a pointer. */
export interface FastZone {
  apex: string;
  /** False when wildcards or delegations make "not in the table" mean more than NXDOMAIN. */
  simple: boolean;
  /** NXDOMAIN with the SOA in authority; the body's first two octets are the owner pointer to patch. */
  nx: FastAnswer;
}

export interface FastName {
  key: Buffer;
  hash: number;
  qtypes: number[];
  answers: FastAnswer[];
  /** The answer for every other qtype at this name. */
  other: FastAnswer;
  /** Set on zone apexes. */
  zone: FastZone | null;
}

/** Room a reply needs besides the body: header, an OPT record. The question comes on top. */
const REPLY_OVERHEAD = 12 + 11;

export class FastTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(readonly names: readonly FastName[]) {
    let cap = 16;
    while (cap < names.length * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    names.forEach((n, idx) => {
      let i = slotOf(n.hash, this.mask);
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = idx + 1;
    });
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
  const p = new Packet();
  p.header = new Packet.Header({ qr: 1 });
  p.questions = [new Packet.Question(dns2Name(name), qtype, CLASS_IN)];
  p.answers = res.answer;
  p.authorities = res.authority;
  p.additionals = res.additional;
  const wire = p.toBuffer();
  const qlen = nameToWire(name).length + 4;
  if (wire.length + REPLY_OVERHEAD > MAX_MESSAGE)
    throw new Error(
      `the answer for ${name} type ${qtype} is ${wire.length} octets, too large for one message`,
    );
  return {
    aa: res.aa,
    rcode: res.rcode,
    an: res.answer.length,
    ns: res.authority.length,
    ar: res.additional.length,
    body: Buffer.from(wire.subarray(12 + qlen)),
  };
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
  const types = new Set<number>(node.cname ? [...model.types, TYPE.CNAME] : node.rrsets.keys());
  if (zone.cuts.has(name)) types.add(TYPE.DS);
  return [...types];
}

export function buildFastTable(model: ZoneModelSet): FastTable {
  const names: FastName[] = [];
  for (const zone of model.zones.values()) {
    const fastZone: FastZone = {
      apex: zone.apex,
      simple: !zone.hasWildcard && zone.cuts.size === 0,
      nx: { aa: true, rcode: RCODE.NXDOMAIN, an: 0, ns: 1, ar: 0, body: nxBodyFor(zone) },
    };
    for (const name of zone.nodes.keys()) {
      // A name inside a more specific zone we also serve belongs to that zone.
      if (findZone(model, name) !== zone) continue;
      const qtypes = typesAt(model, zone, name);
      const key = nameToWire(name);
      names.push({
        key,
        hash: hashWireName(key),
        qtypes,
        answers: qtypes.map((t) => encodeBody(name, t, resolve(model, name, t))),
        other: encodeBody(name, PROBE_ABSENT_TYPE, resolve(model, name, PROBE_ABSENT_TYPE)),
        zone: name === zone.apex ? fastZone : null,
      });
    }
  }
  return new FastTable(names);
}

/**
 * The validated, indexed form of a ZoneState: zones → nodes → RRsets of dns2 records.
 * Built whole before it is used, so a bad ZoneState never reaches the query path.
 */
import { ConfigError, isInZone, normalizeName, parseRdata } from '@understudy/core';
import type { ConfigProblem, RRset, ZoneData, ZoneState } from '@understudy/core';
import { TYPE, TYPE_CODE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import { toResource } from './records.js';
import { RRsetMap } from './rrset-map.js';

export interface RRsetModel {
  name: string;
  type: number;
  ttl: number;
  /** Empty when the RRset marks a name that exists without data of this type. */
  records: Resource[];
}

export interface NodeModel {
  name: string;
  /** Every RRset at this name, empty ones included; none at an empty non-terminal. */
  rrsets: Map<number, RRsetModel>;
  /** A CNAME with a target (an empty CNAME RRset is no alias). */
  cname: RRsetModel | null;
}

export interface ZoneModel {
  apex: string;
  /** The SOA record with the negative-caching TTL, min(SOA TTL, SOA minimum) (RFC 2308 §3). */
  negativeSoa: Resource;
  /** Every name that exists: owners of RRsets and the empty non-terminals above them. */
  nodes: Map<string, NodeModel>;
  /** Owners of NS RRsets below the apex: delegations. */
  cuts: Set<string>;
  hasWildcard: boolean;
}

export interface ZoneModelSet {
  zones: Map<string, ZoneModel>;
  /** Every type code that has an RRset somewhere. */
  types: Set<number>;
}

const MAX_TTL = 0x7fffffff;

/** Parent of a canonical name ("a.b." → "b.", "b." → "."), or null for the root. */
export function parentName(name: string): string | null {
  if (name === '.') return null;
  const dot = name.indexOf('.');
  return dot === name.length - 1 ? '.' : name.slice(dot + 1);
}

function isCanonical(name: unknown): name is string {
  if (typeof name !== 'string') return false;
  const r = normalizeName(name);
  return r.ok && r.name === name;
}

function nodeFor(zone: ZoneModel, name: string): NodeModel {
  let node = zone.nodes.get(name);
  if (!node) {
    node = { name, rrsets: new RRsetMap(), cname: null };
    zone.nodes.set(name, node);
  }
  return node;
}

/** Adds the empty non-terminals between an owner and the apex (RFC 8020: they exist). */
function addAncestors(zone: ZoneModel, name: string): void {
  for (let n = parentName(name); n !== null && n !== zone.apex && isInZone(n, zone.apex); n = parentName(n)) {
    nodeFor(zone, n);
  }
  nodeFor(zone, zone.apex);
}

function rrsetProblem(rr: RRset, zone: ZoneModel): string | null {
  if (!isCanonical(rr.name)) return `name "${String(rr.name)}" is not canonical (lower case, trailing dot)`;
  if (!isInZone(rr.name, zone.apex)) return `${rr.name} is outside zone ${zone.apex}`;
  if (!(rr.type in TYPE_CODE)) return `${rr.name}: unsupported type ${String(rr.type)}`;
  if (!Number.isInteger(rr.ttl) || rr.ttl < 0 || rr.ttl > MAX_TTL)
    return `${rr.name}/${rr.type}: ttl ${String(rr.ttl)} is not an integer in 0..${MAX_TTL}`;
  if (!Array.isArray(rr.values)) return `${rr.name}/${rr.type}: values must be a list`;
  if (rr.type === 'CNAME' && rr.values.length > 1) return `${rr.name}/CNAME: a CNAME RRset holds one value`;
  if (rr.type === 'SOA' && (rr.name !== zone.apex || rr.values.length !== 1))
    return `${rr.name}/SOA: exactly one SOA value is allowed, at the apex`;
  return null;
}

function addRRset(zone: ZoneModel, rr: RRset, path: string, problems: ConfigProblem[]): void {
  const bad = rrsetProblem(rr, zone);
  if (bad) {
    problems.push({ path, message: bad });
    return;
  }
  const type = TYPE_CODE[rr.type];
  const node = nodeFor(zone, rr.name);
  if (node.rrsets.has(type)) {
    problems.push({ path, message: `${rr.name}/${rr.type}: duplicate RRset` });
    return;
  }
  const records: Resource[] = [];
  for (const value of rr.values) {
    const parsed = typeof value === 'string' ? parseRdata(rr.type, value) : null;
    if (!parsed?.ok) {
      problems.push({
        path,
        message: `${rr.name}/${rr.type}: ${parsed ? parsed.error : 'value is not a string'}`,
      });
      return;
    }
    records.push(toResource(rr.name, rr.ttl, parsed.rdata));
  }
  const model: RRsetModel = { name: rr.name, type, ttl: rr.ttl, records };
  node.rrsets.set(type, model);
  if (type === TYPE.CNAME && records.length > 0) node.cname = model;
  if (type === TYPE.NS && rr.name !== zone.apex && records.length > 0) zone.cuts.add(rr.name);
  if (rr.name.startsWith('*.')) zone.hasWildcard = true;
  addAncestors(zone, rr.name);
}

/** RFC 1034 §3.6.2: an alias has no other data. */
function checkCnames(zone: ZoneModel, path: string, problems: ConfigProblem[]): void {
  for (const node of zone.nodes.values()) {
    if (!node.cname) continue;
    const others = [...node.rrsets.values()].filter((r) => r.type !== TYPE.CNAME && r.records.length > 0);
    if (others.length > 0 || node.name === zone.apex)
      problems.push({
        path,
        message: `${node.name}: a CNAME cannot coexist with other data or sit at the apex`,
      });
  }
}

function buildZone(data: ZoneData, path: string, problems: ConfigProblem[]): ZoneModel | null {
  if (!isCanonical(data.apex)) {
    problems.push({ path: `${path}.apex`, message: `apex "${String(data.apex)}" is not a canonical name` });
    return null;
  }
  if (!Array.isArray(data.rrsets)) {
    problems.push({ path: `${path}.rrsets`, message: 'rrsets must be a list' });
    return null;
  }
  const zone: ZoneModel = {
    apex: data.apex,
    negativeSoa: undefined as unknown as Resource,
    nodes: new Map(),
    cuts: new Set(),
    hasWildcard: false,
  };
  const before = problems.length;
  data.rrsets.forEach((rr, i) => addRRset(zone, rr, `${path}.rrsets[${i}]`, problems));
  checkCnames(zone, path, problems);
  const soa = zone.nodes.get(zone.apex)?.rrsets.get(TYPE.SOA)?.records[0];
  if (!soa) {
    if (problems.length === before) problems.push({ path, message: `zone ${zone.apex} has no SOA RRset` });
    return null;
  }
  const minimum = soa.minimum ?? 0;
  zone.negativeSoa = toNegative(soa, minimum);
  return problems.length === before ? zone : null;
}

function toNegative(soa: Resource, minimum: number): Resource {
  return new Packet.Resource({ ...soa, ttl: Math.min(soa.ttl, minimum) });
}

/** Validates and indexes a ZoneState; throws ConfigError listing every problem, each naming its RRset. */
export function buildModel(zs: ZoneState): ZoneModelSet {
  const problems: ConfigProblem[] = [];
  if (!zs || typeof zs !== 'object' || !Array.isArray(zs.zones))
    throw new ConfigError([{ path: 'zones', message: 'zone state has no zones list' }], 'zone state');
  if (!Number.isInteger(zs.serial) || zs.serial < 0 || zs.serial > 0xffffffff)
    problems.push({
      path: 'serial',
      message: `serial ${String(zs.serial)} is not a 32-bit unsigned integer`,
    });
  const zones = new Map<string, ZoneModel>();
  const types = new Set<number>();
  zs.zones.forEach((data, i) => {
    const zone = buildZone(data, `zones[${i}]`, problems);
    if (!zone) return;
    if (zones.has(zone.apex))
      problems.push({ path: `zones[${i}]`, message: `zone ${zone.apex} is listed twice` });
    zones.set(zone.apex, zone);
    for (const node of zone.nodes.values()) for (const t of node.rrsets.keys()) types.add(t);
  });
  if (problems.length > 0) throw new ConfigError(problems, 'zone state');
  return { zones, types };
}

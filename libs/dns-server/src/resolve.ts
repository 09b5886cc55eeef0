/**
 * Authoritative answering over the zone model: one function serves the slow path and the snapshot
 * pre-encoder, so the two paths cannot disagree.
 */
import { isInZone } from '@understudy/core';
import { MAX_CNAME_CHAIN, RCODE, TYPE } from './constants.js';
import type { Resource } from './dns2.js';
import { parentName } from './model.js';
import type { NodeModel, ZoneModel, ZoneModelSet } from './model.js';
import { dns2Name, withOwner } from './records.js';

export interface Resolution {
  rcode: number;
  aa: boolean;
  answer: Resource[];
  authority: Resource[];
  additional: Resource[];
}

type Step =
  | { kind: 'answer'; records: Resource[] }
  | { kind: 'cname'; records: Resource[]; target: string }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'referral'; ns: Resource[]; glue: Resource[] };

/**
 * RFC 8482: ANY gets one RRset, not all of them. The order says which one: the alias if there is one,
 * else the address records most clients are after.
 */
const ANY_PREFERENCE = [
  TYPE.CNAME,
  TYPE.A,
  TYPE.AAAA,
  TYPE.MX,
  TYPE.TXT,
  TYPE.SRV,
  TYPE.CAA,
  TYPE.NS,
  TYPE.SOA,
];

/** The closest enclosing zone we serve (longest apex wins), or undefined. */
export function findZone(model: ZoneModelSet, name: string): ZoneModel | undefined {
  for (let n: string | null = name; n !== null; n = parentName(n)) {
    const zone = model.zones.get(n);
    if (zone) return zone;
  }
  return undefined;
}

function canonicalTarget(domain: string | undefined): string {
  return domain ? `${domain.toLowerCase()}.` : '.';
}

function cutAbove(zone: ZoneModel, name: string): string | null {
  if (zone.cuts.size === 0) return null;
  for (let n: string | null = name; n !== null && n !== zone.apex; n = parentName(n)) {
    if (zone.cuts.has(n)) return n;
  }
  return null;
}

function referral(zone: ZoneModel, cut: string, seen: string[] | undefined): Step {
  seen?.push(cut);
  const ns = zone.nodes.get(cut)?.rrsets.get(TYPE.NS)?.records ?? [];
  const glue: Resource[] = [];
  for (const rec of ns) {
    const target = canonicalTarget(rec.ns);
    if (!isInZone(target, cut)) continue;
    seen?.push(target);
    const node = zone.nodes.get(target);
    glue.push(...(node?.rrsets.get(TYPE.A)?.records ?? []), ...(node?.rrsets.get(TYPE.AAAA)?.records ?? []));
  }
  return { kind: 'referral', ns, glue };
}

/** RFC 4592: the wildcard child of the closest encloser, for a name that does not exist. */
function wildcardFor(zone: ZoneModel, name: string): NodeModel | undefined {
  let encloser = parentName(name);
  while (encloser !== null && !zone.nodes.has(encloser)) encloser = parentName(encloser);
  if (encloser === null) return undefined;
  return zone.nodes.get(encloser === '.' ? '*.' : `*.${encloser}`);
}

function fromNode(node: NodeModel, qtype: number, owner: string | null): Step {
  const own = (records: Resource[]): Resource[] =>
    owner === null ? records : records.map((r) => withOwner(r, owner));
  if (qtype === TYPE.ANY) {
    for (const t of ANY_PREFERENCE) {
      const rr = node.rrsets.get(t);
      if (rr && rr.records.length > 0) return { kind: 'answer', records: own(rr.records) };
    }
    return { kind: 'nodata' };
  }
  if (node.cname && qtype !== TYPE.CNAME) {
    return {
      kind: 'cname',
      records: own(node.cname.records),
      target: canonicalTarget(node.cname.records[0]?.domain),
    };
  }
  const rr = node.rrsets.get(qtype);
  return rr && rr.records.length > 0 ? { kind: 'answer', records: own(rr.records) } : { kind: 'nodata' };
}

function stepIn(zone: ZoneModel, name: string, qtype: number, seen: string[] | undefined): Step {
  const cut = cutAbove(zone, name);
  // The parent side answers DS at the cut itself; everything else at or below it is the child's.
  if (cut !== null && !(cut === name && qtype === TYPE.DS)) return referral(zone, cut, seen);
  seen?.push(name);
  const node = zone.nodes.get(name);
  if (node) return fromNode(node, qtype, null);
  const wild = zone.hasWildcard ? wildcardFor(zone, name) : undefined;
  if (wild) seen?.push(wild.name);
  return wild ? fromNode(wild, qtype, dns2Name(name)) : { kind: 'nxdomain' };
}

/**
 * Answers `qtype` at `qname` (canonical: lower case, trailing dot). CNAMEs are chased while their targets
 * stay in our zones, at most MAX_CNAME_CHAIN links and never twice through the same name; the rcode and
 * the negative SOA describe the last name of the chain (RFC 6604). `reads`, when given, collects every
 * name whose data the answer was read from (chain links, wildcards, cuts, glue owners): the snapshot's
 * dependency index, so an overlay change re-encodes only the answers that read the changed name.
 */
export function resolve(model: ZoneModelSet, qname: string, qtype: number, reads?: string[]): Resolution {
  let zone = findZone(model, qname);
  if (!zone) return { rcode: RCODE.REFUSED, aa: false, answer: [], authority: [], additional: [] };
  const answer: Resource[] = [];
  const seen = new Set<string>([qname]);
  let name = qname;
  for (let links = 0; ; links++) {
    const step = stepIn(zone, name, qtype, reads);
    switch (step.kind) {
      case 'answer':
        answer.push(...step.records);
        return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
      case 'nodata':
      case 'nxdomain': {
        const rcode = step.kind === 'nodata' ? RCODE.NOERROR : RCODE.NXDOMAIN;
        return { rcode, aa: true, answer, authority: [zone.negativeSoa], additional: [] };
      }
      case 'referral':
        if (answer.length > 0)
          return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
        return { rcode: RCODE.NOERROR, aa: false, answer, authority: step.ns, additional: step.glue };
      case 'cname': {
        answer.push(...step.records);
        const next = findZone(model, step.target);
        if (!next || seen.has(step.target) || links + 1 >= MAX_CNAME_CHAIN)
          return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
        seen.add(step.target);
        zone = next;
        name = step.target;
      }
    }
  }
}

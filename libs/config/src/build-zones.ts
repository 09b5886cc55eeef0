/** `zones:` → ZoneConfig[]: apex, SOA, NS, static records and failover records. */
import { normalizeName, resolveOwner } from '@understudy/core';
import type { FailoverRecordConfig, RecordType, RRset, SoaConfig, ZoneConfig } from '@understudy/core';
import { buildFailover } from './build-failover.js';
import type { TemplateExpander } from './check-templates.js';
import { warnCnameLoops } from './cname-loops.js';
import type { Path, Problems } from './problems.js';
import { int, isObj, list, obj, str } from './read.js';
import type { Obj } from './read.js';
import { collectValues } from './record-values.js';
import { checkZoneData } from './zone-conflicts.js';
import type { Owned } from './zone-conflicts.js';

const STATIC_TYPES: readonly string[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA'];
const UINT32 = 4_294_967_295;

export interface ZoneContext {
  problems: Problems;
  checkIds: ReadonlySet<string>;
  /** Issue 14: check templates and their per-address expansions. */
  expander: TemplateExpander;
  /** Issue 14 part 3: the config's regions (steering rules' healthFrom). */
  regions: readonly string[];
}

export function buildZones(raw: unknown, ctx: ZoneContext): ZoneConfig[] {
  const zones: { zone: ZoneConfig; owned: Owned[]; at: Path }[] = [];
  const apexSeen = new Map<string, number>();
  for (const [i, item] of list(raw).entries()) {
    if (!isObj(item)) continue;
    const at = ['zones', i];
    const built = buildZone(item, at, ctx);
    if (!built) continue;
    const first = apexSeen.get(built.zone.apex);
    if (first !== undefined)
      ctx.problems.error([...at, 'apex'], `zone ${built.zone.apex} is already defined at zones[${first}]`);
    else apexSeen.set(built.zone.apex, i);
    zones.push({ ...built, at });
  }
  const apexes = zones.map((z) => z.zone.apex);
  for (const z of zones) checkZoneData(z.zone.apex, z.owned, apexes, ctx.problems);
  warnCnameLoops(
    zones.map((z) => z.zone),
    zones.map((z) => z.at),
    ctx.problems,
  );
  return zones.map((z) => z.zone);
}

function buildZone(o: Obj, at: Path, ctx: ZoneContext): { zone: ZoneConfig; owned: Owned[] } | undefined {
  const { problems } = ctx;
  const apexText = str(o.apex);
  if (apexText === undefined) return undefined;
  const apex = normalizeName(apexText);
  if (!apex.ok || apex.name === '.') {
    problems.error([...at, 'apex'], apex.ok ? 'must not be the root zone' : apex.error);
    return undefined;
  }
  const defaultTtl = int(o.ttl, 0, 2_147_483_647) ?? 300;
  const ns = nameList(o.ns, [...at, 'ns'], problems);
  const soa = buildSoa(obj(o.soa), apex.name, ns, [...at, 'soa'], problems);
  const owned: Owned[] = [];
  const records: RRset[] = [];
  for (const [i, item] of list(o.records).entries()) {
    if (!isObj(item)) continue;
    const here = [...at, 'records', i];
    const rrset = buildRecord(item, apex.name, defaultTtl, here, problems);
    if (!rrset) continue;
    records.push(rrset);
    owned.push({ name: rrset.name, type: rrset.type, path: here, kind: 'static' });
  }
  const failover: FailoverRecordConfig[] = [];
  const fctx = {
    problems,
    apex: apex.name,
    zoneTtl: defaultTtl,
    checkIds: ctx.checkIds,
    expander: ctx.expander,
    regions: ctx.regions,
  };
  for (const [i, item] of list(o.failover).entries()) {
    if (!isObj(item)) continue;
    const here = [...at, 'failover', i];
    const record = buildFailover(item, here, fctx);
    if (!record) continue;
    failover.push(record);
    owned.push({ name: record.name, type: record.type, path: here, kind: 'failover' });
  }
  return { zone: { apex: apex.name, defaultTtl, soa, ns, records, failover }, owned };
}

function nameList(raw: unknown, at: Path, problems: Problems): string[] {
  const out: string[] = [];
  for (const [i, item] of list(raw).entries()) {
    if (typeof item !== 'string') continue;
    const n = normalizeName(item);
    if (!n.ok) problems.error([...at, i], n.error);
    else if (out.includes(n.name)) problems.error([...at, i], `duplicate name server ${n.name}`);
    else out.push(n.name);
  }
  return out;
}

function buildSoa(o: Obj, apex: string, ns: readonly string[], at: Path, problems: Problems): SoaConfig {
  const name = (raw: unknown, key: string, fallback: string): string => {
    const text = str(raw);
    if (text === undefined) return fallback;
    const n = normalizeName(text);
    if (n.ok) return n.name;
    problems.error([...at, key], n.error);
    return fallback;
  };
  return {
    mname: name(o.mname, 'mname', ns[0] ?? `ns1.${apex}`),
    rname: name(mailbox(o.rname, [...at, 'rname'], problems), 'rname', `hostmaster.${apex}`),
    refresh: int(o.refresh, 0, UINT32) ?? 3600,
    retry: int(o.retry, 0, UINT32) ?? 600,
    expire: int(o.expire, 0, UINT32) ?? 1_209_600,
    minimum: int(o.minimum, 0, UINT32) ?? 60,
    ttl: int(o.ttl, 0, 2_147_483_647) ?? 3600,
  };
}

/** Accepts "hostmaster@example.test" as well as the DNS form "hostmaster.example.test" (RFC 1035 §8). */
function mailbox(raw: unknown, at: Path, problems: Problems): unknown {
  if (typeof raw !== 'string' || !raw.includes('@')) return raw;
  const [local, domain, ...rest] = raw.split('@');
  if (rest.length > 0 || !local || !domain || local.includes('.')) {
    problems.error(at, `"${raw}" is not a mailbox this server can write as a name (no dots before the @)`);
    return undefined;
  }
  return `${local}.${domain}`;
}

function buildRecord(o: Obj, apex: string, zoneTtl: number, at: Path, problems: Problems): RRset | undefined {
  const type = str(o.type);
  const owner = str(o.name);
  if (type === undefined || !STATIC_TYPES.includes(type) || owner === undefined) return undefined;
  const name = resolveOwner(owner, apex);
  if (!name.ok) {
    problems.error([...at, 'name'], name.error);
    return undefined;
  }
  const values = collectValues(o, type as RecordType, at, problems);
  // Every value was rejected (and reported): an empty RRset would quietly mean NODATA.
  if (!values || values.length === 0) return undefined;
  return { name: name.name, type: type as RecordType, ttl: int(o.ttl, 0, 2_147_483_647) ?? zoneTtl, values };
}

/** Hosted zones, their RRsets and submitted changes: the emulator's state. Batches apply atomically. */
import { canonicalName, compareNames, compareSets } from './names.js';
import type { ChangeInfo, EmuChange, EmuRecord } from './types.js';
import { ApiError, invalidBatch } from './types.js';
import { validateBatch } from './validate.js';
import { coexistProblem, noSuchSet, sameSet, setKey } from './routing.js';

export interface HostedZone {
  id: string;
  name: string;
  records: Map<string, EmuRecord>;
}

const key = (r: { name: string; type: string; setIdentifier?: string }): string =>
  setKey(r.name, r.type, r.setIdentifier);

export class ZoneStore {
  private readonly zones = new Map<string, HostedZone>();
  private readonly changes = new Map<string, ChangeInfo & { zoneId: string }>();
  private seq = 0;

  createZone(name: string, id?: string): HostedZone {
    const apex = canonicalName(name);
    const zoneId = id ?? `Z${String(++this.seq).padStart(4, '0')}EMULATED${apex.length}`;
    if (this.zones.has(zoneId)) throw new Error(`zone id ${zoneId} exists`);
    const records = new Map<string, EmuRecord>();
    const ns = [1, 2, 3, 4].map((i) => `ns-${i}.awsdns-emulator.example.`);
    records.set(setKey(apex, 'NS'), { name: apex, type: 'NS', ttl: 172800, values: ns });
    records.set(setKey(apex, 'SOA'), {
      name: apex,
      type: 'SOA',
      ttl: 900,
      values: [`${ns[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    });
    const zone: HostedZone = { id: zoneId, name: apex, records };
    this.zones.set(zoneId, zone);
    return zone;
  }

  zone(id: string): HostedZone {
    const z = this.zones.get(id);
    if (!z) throw new ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return z;
  }

  /** Zones in Route 53's ListHostedZonesByName order: by name, labels compared right to left. */
  zonesByName(): HostedZone[] {
    return [...this.zones.values()].sort((a, b) => compareNames(a.name, b.name) || (a.id < b.id ? -1 : 1));
  }

  list(id: string): EmuRecord[] {
    return [...this.zone(id).records.values()].sort(compareSets).map(copy);
  }

  /** Replace records by name/type without validation or change tracking (test seeding, drift). */
  put(id: string, recs: readonly EmuRecord[]): void {
    const z = this.zone(id);
    for (const r of recs) {
      const rec = { ...copy(r), name: canonicalName(r.name) };
      z.records.set(key(rec), rec);
    }
  }

  /** Removes every set at the name and type (all identifiers). */
  remove(id: string, name: string, type: string): boolean {
    const z = this.zone(id);
    const n = canonicalName(name);
    let removed = false;
    for (const [k, r] of z.records) if (r.name === n && r.type === type) removed = z.records.delete(k);
    return removed;
  }

  /** Validate, then apply every change or none. Returns the new change's info (PENDING). */
  apply(id: string, changes: readonly EmuChange[], now: number, comment: string | null): ChangeInfo {
    const z = this.zone(id);
    validateBatch(changes, z.name);
    const work = new Working(z.records);
    const errors: string[] = [];
    for (const c of changes) {
      const problem = applyOne(work, c, z.name);
      if (problem !== null) errors.push(problem);
    }
    // Route 53 lists every refused change of the batch, as [m1, m2, …]; nothing applies.
    if (errors.length > 0) throw invalidBatch(`[${errors.join(', ')}]`);
    z.records.clear();
    for (const [k, v] of work.records) z.records.set(k, v);
    const info: ChangeInfo = {
      id: `C${Date.now().toString(36).toUpperCase()}${String(++this.seq).padStart(6, '0')}`,
      status: 'PENDING',
      submittedAt: now,
      comment,
    };
    this.changes.set(info.id, { ...info, zoneId: id });
    return info;
  }

  change(id: string, now: number, insyncDelayMs: number): ChangeInfo {
    const c = this.changes.get(id);
    if (!c)
      throw new ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    if (c.status === 'PENDING' && now >= c.submittedAt + insyncDelayMs) c.status = 'INSYNC';
    return { id: c.id, status: c.status, submittedAt: c.submittedAt, comment: c.comment };
  }

  /** A change to this zone is still PENDING at `now` (for PriorRequestNotComplete). */
  hasPending(zoneId: string, now: number, insyncDelayMs: number): boolean {
    for (const c of this.changes.values()) {
      if (c.zoneId === zoneId && now < c.submittedAt + insyncDelayMs) return true;
    }
    return false;
  }
}

function copy(r: EmuRecord): EmuRecord {
  const out: EmuRecord = { name: r.name, type: r.type, ttl: r.ttl, values: [...r.values] };
  if (r.setIdentifier !== undefined) out.setIdentifier = r.setIdentifier;
  if (r.policy) out.policy = { ...r.policy };
  if (r.alias) out.alias = { ...r.alias };
  return out;
}

const describe = (r: EmuRecord): string => `[name='${r.name}', type='${r.type}']`;

/** The records of a batch being applied, indexed by name so per-change checks stay O(sets at the name). */
class Working {
  readonly records: Map<string, EmuRecord>;
  private readonly byName = new Map<string, Set<string>>();

  constructor(from: Map<string, EmuRecord>) {
    this.records = new Map(from);
    for (const [k, r] of this.records) this.index(r.name).add(k);
  }

  private index(name: string): Set<string> {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = new Set()));
    return s;
  }

  atName(name: string): [string, EmuRecord][] {
    return [...(this.byName.get(name) ?? [])].map((k) => [k, this.records.get(k)!]);
  }

  set(k: string, r: EmuRecord): void {
    this.records.set(k, r);
    this.index(r.name).add(k);
  }

  delete(k: string, name: string): void {
    this.records.delete(k);
    this.byName.get(name)?.delete(k);
  }
}

/** Applies one change to the working set, or returns why Route 53 would refuse it. */
function applyOne(work: Working, c: EmuChange, apex: string): string | null {
  const r = c.record;
  const k = key(r);
  const existing = work.records.get(k);
  if (c.action === 'DELETE') {
    if (!existing) return noSuchSet(r);
    if (!sameSet(existing, r)) {
      return `Tried to delete resource record set ${describe(r)} but the values provided do not match the current values`;
    }
    if (r.name === apex && (r.type === 'SOA' || r.type === 'NS')) {
      return `A HostedZone must contain exactly one SOA record and at least one NS record at the apex`;
    }
    work.delete(k, r.name);
    return null;
  }
  if (c.action === 'CREATE' && existing) {
    return `Tried to create resource record set ${describe(r)} but it already exists`;
  }
  const atName = work.atName(r.name).filter(([ok]) => ok !== k);
  const coexist = coexistProblem(
    r,
    atName.filter(([, o]) => o.type === r.type).map(([, o]) => o),
  );
  if (coexist) return coexist;
  for (const [, other] of atName) {
    if (other.type === r.type) continue;
    if (other.type === 'CNAME' || r.type === 'CNAME') {
      return `RRSet of type ${r.type} with DNS name ${r.name} is not permitted because a conflicting RRSet of type ${other.type} with the same DNS name already exists`;
    }
  }
  work.set(k, copy(r));
  return null;
}

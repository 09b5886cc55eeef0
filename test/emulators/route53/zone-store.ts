/** Hosted zones, their RRsets and submitted changes: the emulator's state. Batches apply atomically. */
import { canonicalName, compareNames, compareRrsets } from './names.js';
import type { ChangeInfo, EmuChange, EmuRecord } from './types.js';
import { ApiError, invalidBatch } from './types.js';
import { validateBatch } from './validate.js';

export interface HostedZone {
  id: string;
  name: string;
  records: Map<string, EmuRecord>;
}

const key = (name: string, type: string): string => `${name}/${type}`;
const sameValues = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

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
    records.set(key(apex, 'NS'), { name: apex, type: 'NS', ttl: 172800, values: ns });
    records.set(key(apex, 'SOA'), {
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
    return [...this.zone(id).records.values()].sort(compareRrsets).map(copy);
  }

  /** Replace records by name/type without validation or change tracking (test seeding, drift). */
  put(id: string, recs: readonly EmuRecord[]): void {
    const z = this.zone(id);
    for (const r of recs) {
      const rec = { ...copy(r), name: canonicalName(r.name) };
      z.records.set(key(rec.name, rec.type), rec);
    }
  }

  remove(id: string, name: string, type: string): boolean {
    return this.zone(id).records.delete(key(canonicalName(name), type));
  }

  /** Validate, then apply every change or none. Returns the new change's info (PENDING). */
  apply(id: string, changes: readonly EmuChange[], now: number, comment: string | null): ChangeInfo {
    const z = this.zone(id);
    validateBatch(changes, z.name);
    const next = new Map(z.records);
    for (const c of changes) applyOne(next, c, z.name);
    z.records.clear();
    for (const [k, v] of next) z.records.set(k, v);
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
  return { name: r.name, type: r.type, ttl: r.ttl, values: [...r.values] };
}

const describe = (r: EmuRecord): string => `[name='${r.name}', type='${r.type}']`;

function applyOne(records: Map<string, EmuRecord>, c: EmuChange, apex: string): void {
  const r = c.record;
  const k = key(r.name, r.type);
  const existing = records.get(k);
  if (c.action === 'DELETE') {
    if (!existing)
      throw invalidBatch(`Tried to delete resource record set ${describe(r)} but it was not found`);
    if (existing.ttl !== r.ttl || !sameValues(existing.values, r.values)) {
      throw invalidBatch(
        `Tried to delete resource record set ${describe(r)} but the values provided do not match the current values`,
      );
    }
    if (r.name === apex && (r.type === 'SOA' || r.type === 'NS')) {
      throw invalidBatch(
        `A HostedZone must contain exactly one SOA record and at least one NS record at the apex`,
      );
    }
    records.delete(k);
    return;
  }
  if (c.action === 'CREATE' && existing) {
    throw invalidBatch(`Tried to create resource record set ${describe(r)} but it already exists`);
  }
  for (const other of records.values()) {
    if (other.name !== r.name || other.type === r.type) continue;
    if (other.type === 'CNAME' || r.type === 'CNAME') {
      throw invalidBatch(
        `RRSet of type ${r.type} with DNS name ${r.name} is not permitted because a conflicting RRSet of type ${other.type} with the same DNS name already exists`,
      );
    }
  }
  records.set(k, copy(r));
}

/**
 * The emulator's state: zones and their records. A batch runs deletes → patches → puts → posts on a copy
 * and replaces the zone's records only when every operation succeeded (one transaction, as Cloudflare does).
 */
import { createHash, randomBytes } from 'node:crypto';
import { buildRecord, patchRecord, type RecordInput } from './records.js';
import { ApiFailure, type CfRecord, type EmulatorZone, type EmulatorZoneOptions } from './types.js';

export interface BatchBody {
  deletes?: unknown;
  patches?: unknown;
  puts?: unknown;
  posts?: unknown;
}

export interface BatchResult {
  deletes: CfRecord[];
  patches: CfRecord[];
  puts: CfRecord[];
  posts: CfRecord[];
}

const ID = /^[0-9a-f]{32}$/;

export const zoneIdFor = (name: string): string =>
  createHash('sha256').update(`zone:${name}`).digest('hex').slice(0, 32);

function list(value: unknown, what: string): RecordInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null))
    throw new ApiFailure(400, 1004, `DNS Validation Error: ${what} must be an array of objects`);
  return value as RecordInput[];
}

function idOf(op: RecordInput, where: string): string {
  const id = op['id'];
  if (typeof id !== 'string' || !ID.test(id))
    throw new ApiFailure(400, 1004, `${where}: id is missing or invalid`);
  return id;
}

export class ZoneStore {
  private readonly zones = new Map<string, EmulatorZone>();
  private readonly records = new Map<string, Map<string, CfRecord>>();

  constructor(private readonly now: () => number) {}

  addZone(opts: EmulatorZoneOptions): EmulatorZone {
    const name = opts.name.trim().toLowerCase().replace(/\.$/, '');
    const zone: EmulatorZone = { id: opts.id ?? zoneIdFor(name), name, enterprise: opts.enterprise === true };
    this.zones.set(zone.id, zone);
    if (!this.records.has(zone.id)) this.records.set(zone.id, new Map());
    return zone;
  }

  listZones(name?: string): EmulatorZone[] {
    const wanted = name?.toLowerCase().replace(/\.$/, '');
    return [...this.zones.values()].filter((z) => wanted === undefined || z.name === wanted);
  }

  /** By id, or by apex name (for the admin API and tests). */
  zone(idOrName: string): EmulatorZone {
    const z = this.zones.get(idOrName) ?? this.listZones(idOrName)[0];
    if (!z)
      throw new ApiFailure(
        404,
        7003,
        `Could not route to /zones/${idOrName}, perhaps your object identifier is invalid?`,
      );
    return z;
  }

  /** Strictly by id, as the API addresses zones. */
  byId(id: string): EmulatorZone {
    const z = this.zones.get(id);
    if (!z)
      // Cloudflare answers an unknown or malformed zone id with 400 and two errors, 7003 then 7000.
      throw new ApiFailure(
        400,
        7003,
        `Could not route to /zones/${id}, perhaps your object identifier is invalid?`,
        {},
        { more: [{ code: 7000, message: 'No route for that URI' }] },
      );
    return z;
  }

  all(zoneIdOrName: string): CfRecord[] {
    const z = this.zone(zoneIdOrName);
    return [...this.records.get(z.id)!.values()].map((r) => structuredClone(r));
  }

  get(zoneId: string, id: string): CfRecord {
    const r = this.records.get(this.zone(zoneId).id)!.get(id);
    if (!r) throw new ApiFailure(404, 81044, 'Record does not exist.');
    return structuredClone(r);
  }

  /** Runs a batch atomically; throws ApiFailure naming the failing operation and changes nothing. */
  batch(zoneId: string, body: BatchBody): BatchResult {
    const zone = this.zone(zoneId);
    const work = new Map(this.records.get(zone.id));
    const at = new Date(this.now()).toISOString();
    const out: BatchResult = { deletes: [], patches: [], puts: [], posts: [] };
    const step = <T>(kind: string, i: number, fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof ApiFailure)
          throw new ApiFailure(err.status, err.code, `${kind}[${i}]: ${err.message}`);
        throw err;
      }
    };
    list(body.deletes, 'deletes').forEach((op, i) =>
      step('deletes', i, () => out.deletes.push(this.remove(work, idOf(op, 'delete')))),
    );
    list(body.patches, 'patches').forEach((op, i) =>
      step('patches', i, () => {
        const old = this.existing(work, idOf(op, 'patch'));
        out.patches.push(this.put(work, zone, patchRecord(old, op, zone, at)));
      }),
    );
    list(body.puts, 'puts').forEach((op, i) =>
      step('puts', i, () => {
        const old = this.existing(work, idOf(op, 'put'));
        out.puts.push(this.put(work, zone, buildRecord(op, zone, old.id, at, old.created_on)));
      }),
    );
    list(body.posts, 'posts').forEach((op, i) =>
      step('posts', i, () => out.posts.push(this.put(work, zone, buildRecord(op, zone, this.newId(), at)))),
    );
    this.records.set(zone.id, work);
    return out;
  }

  /** Counts the operations of a batch body without running it (for the batch-size limit). */
  static size(body: BatchBody): number {
    const n = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
    return n(body.deletes) + n(body.patches) + n(body.puts) + n(body.posts);
  }

  /** An out-of-band edit, as an operator would make by hand in the dashboard (drift). */
  edit(zoneId: string, id: string, patch: RecordInput): CfRecord {
    return this.batch(zoneId, { patches: [{ ...patch, id }] }).patches[0]!;
  }

  seed(zoneId: string, inputs: RecordInput[]): CfRecord[] {
    return this.batch(zoneId, { posts: inputs }).posts;
  }

  private newId(): string {
    return randomBytes(16).toString('hex');
  }

  private existing(work: Map<string, CfRecord>, id: string): CfRecord {
    const r = work.get(id);
    if (!r) throw new ApiFailure(404, 81044, `Record ${id} does not exist.`);
    return r;
  }

  private remove(work: Map<string, CfRecord>, id: string): CfRecord {
    const r = this.existing(work, id);
    work.delete(id);
    return { ...r };
  }

  private put(work: Map<string, CfRecord>, zone: EmulatorZone, rec: CfRecord): CfRecord {
    for (const other of work.values()) {
      if (other.id === rec.id || other.name !== rec.name) continue;
      if (other.type === rec.type && other.content === rec.content && other.priority === rec.priority)
        throw new ApiFailure(400, 81058, 'An identical record already exists.');
      if (other.type === 'CNAME' || rec.type === 'CNAME')
        throw new ApiFailure(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
      // Below the apex an NS record delegates its name: nothing else may live there (either way round).
      if (other.type !== rec.type && (other.type === 'NS' || rec.type === 'NS') && rec.name !== zone.name)
        throw new ApiFailure(400, 81056, 'NS records with that host already exist.');
    }
    if (rec.zone_id !== zone.id) throw new Error('record from another zone');
    work.set(rec.id, rec);
    return structuredClone(rec);
  }
}

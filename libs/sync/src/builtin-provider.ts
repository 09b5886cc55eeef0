/**
 * A DnsProvider over an in-memory zone store: what our own authoritative server serves. The built-in
 * target is normally fed the ZoneState directly; this store lets the conformance suite and the sync
 * tests exercise the same port without a vendor.
 *
 * Ownership is marked the way marker-based providers do it: a TXT RRset named
 * `<type>._understudy.<name>` holding `"understudy:owner=<ownerId>"` sits next to each owned record.
 */
import {
  BUILTIN_TARGET,
  canonicalRdata,
  planChanges,
  quote,
  recordKey,
  sortRecords,
  type ApplyReport,
  type ChangeResult,
  type Clock,
  type DnsProvider,
  type NormalizeResult,
  type Plan,
  type PlanChange,
  type ProviderRecord,
  type ZoneRead,
} from '@understudy/core';

const MARKER_LABEL = '_understudy';

export interface BuiltinProviderOptions {
  /** Target name (default "dns"). */
  name?: string;
  ownerId: string;
  /** Zone apexes the store holds (absolute). */
  zones: string[];
  clock: Clock;
}

export class BuiltinProvider implements DnsProvider {
  readonly name: string;
  readonly type = 'builtin' as const;
  private readonly zones = new Map<string, Map<string, ProviderRecord>>();
  private readonly ownerId: string;
  private readonly clock: Clock;
  private closed = false;
  /** apply() calls that changed something, for tests counting writes. */
  writes = 0;

  constructor(opts: BuiltinProviderOptions) {
    this.name = opts.name ?? BUILTIN_TARGET;
    this.ownerId = opts.ownerId;
    this.clock = opts.clock;
    for (const z of opts.zones) this.zones.set(z.toLowerCase(), new Map());
  }

  /** Add records without our marker, as an operator would (foreign records). */
  seed(zone: string, records: ProviderRecord[]): void {
    const z = this.zone(zone);
    for (const r of sortRecords(records)) z.set(recordKey(r), r);
  }

  /** Change a record out of band, keeping whatever marker it has (drift). */
  edit(zone: string, record: ProviderRecord): void {
    this.seed(zone, [record]);
  }

  /** Everything the store holds in a zone, markers included. */
  records(zone: string): ProviderRecord[] {
    return sortRecords([...this.zone(zone).values()]);
  }

  read(zone: string): Promise<ZoneRead> {
    return Promise.resolve().then(() => this.readNow(zone));
  }

  private readNow(zone: string): ZoneRead {
    this.assertOpen();
    const z = this.zone(zone);
    const owned: ProviderRecord[] = [];
    const foreign: ProviderRecord[] = [];
    for (const r of z.values()) {
      if (isMarkerName(r)) continue;
      (this.isOwned(z, r) ? owned : foreign).push(r);
    }
    return { zone: zone.toLowerCase(), owned: sortRecords(owned), foreign: sortRecords(foreign) };
  }

  /**
   * Canonical values; a value that does not parse is left out with a warning, and a record left with
   * no values is left out with a warning (the store never holds an RRset without values).
   */
  normalize(desired: ProviderRecord[]): NormalizeResult {
    const warnings: string[] = [];
    const records: ProviderRecord[] = [];
    for (const r of desired) {
      const values: string[] = [];
      const errors: string[] = [];
      for (const v of r.values) {
        const c = canonicalRdata(r.type, v);
        if (c.ok) values.push(c.value);
        else errors.push(c.error);
      }
      if (values.length === 0) {
        warnings.push(`${r.name} ${r.type}: ${[...errors, 'no valid values'].join('; ')}; left out`);
        continue;
      }
      for (const e of errors) warnings.push(`${r.name} ${r.type}: ${e}; value left out`);
      records.push({ ...r, values });
    }
    return { records: sortRecords(records), warnings };
  }

  apply(plan: Plan): Promise<ApplyReport> {
    return Promise.resolve().then(() => this.applyNow(plan));
  }

  private applyNow(plan: Plan): ApplyReport {
    this.assertOpen();
    const z = this.zone(plan.zone);
    const changes = planChanges(plan).map((c) => this.applyOne(z, c));
    if (changes.length > 0) this.writes++;
    return {
      target: this.name,
      zone: plan.zone,
      changes,
      propagated: true,
      publishedAt: this.clock.now(),
      apiCalls: changes.length > 0 ? 1 : 0,
      batches: changes.length > 0 ? 1 : 0,
      retries: 0,
    };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private applyOne(z: Map<string, ProviderRecord>, c: PlanChange): ChangeResult {
    const rec = c.kind === 'update' ? c.after : c.record;
    const result = (error?: string): ChangeResult => ({
      kind: c.kind,
      name: rec.name,
      type: rec.type,
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
    });
    const current = z.get(recordKey(rec));
    if (c.kind === 'create') {
      if (current) return result('record exists');
    } else if (!current) {
      return result('record not found');
    } else if (c.kind === 'delete' && !this.isOwned(z, current)) {
      return result('record is not owned');
    }
    if (c.kind === 'delete') {
      z.delete(recordKey(rec));
      z.delete(recordKey(this.marker(rec)));
    } else {
      z.set(recordKey(rec), rec);
      z.set(recordKey(this.marker(rec)), this.marker(rec));
    }
    return result();
  }

  private marker(r: ProviderRecord): ProviderRecord {
    return {
      name: `${r.type.toLowerCase()}.${MARKER_LABEL}.${r.name.toLowerCase()}`,
      type: 'TXT',
      ttl: r.ttl,
      values: [quote(`understudy:owner=${this.ownerId}`)],
    };
  }

  private isOwned(z: Map<string, ProviderRecord>, r: ProviderRecord): boolean {
    const m = this.marker(r);
    return z.get(recordKey(m))?.values.includes(m.values[0]!) ?? false;
  }

  private zone(apex: string): Map<string, ProviderRecord> {
    const z = this.zones.get(apex.toLowerCase());
    if (!z) throw new Error(`builtin target "${this.name}": unknown zone ${apex}`);
    return z;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`builtin target "${this.name}": closed`);
  }
}

function isMarkerName(r: ProviderRecord): boolean {
  return r.type === 'TXT' && r.name.split('.')[1] === MARKER_LABEL;
}

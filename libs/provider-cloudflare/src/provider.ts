/**
 * DnsProvider for Cloudflare over the official SDK. Reads split records by our comment marker,
 * applies plans through /dns_records/batch in batches of `batchSize`, holds to the token's rate limit.
 */
import Cloudflare from 'cloudflare';
import {
  canonicalRecord,
  ConfigError,
  normalizeName,
  planIsEmpty,
  recordKey,
  sortRecords,
  type ApplyReport,
  type BackoffOptions,
  type Clock,
  type CloudflareTargetConfig,
  type DnsProvider,
  type Logger,
  type NormalizeResult,
  type OwnershipMarker,
  type Plan,
  type ProviderRecord,
  type Random,
  type RecordType,
  type ZoneRead,
} from '@understudy/core';
import { newCounters, type CallCounters, type CallPolicy } from './api-call.js';
import { runBatches } from './apply-run.js';
import { buildOps } from './apply-ops.js';
import { targetLabel } from './errors.js';
import { isOwnedBy, ownerIdProblem, ownerMarker } from './marker.js';
import { normalizeForCloudflare } from './normalize.js';
import { bucketFor } from './rate-limit.js';
import { absoluteName, canonicalValue, ttlSeconds, type CfRecord } from './record-map.js';
import { findZoneId, listRecords, type ZoneApi } from './zone-api.js';
import { systemClock, systemRandom } from '@understudy/system';

export const DEFAULT_ENDPOINT = 'https://api.cloudflare.com/client/v4';
const MAX_BATCH = 3500;

export interface CloudflareProviderOptions {
  /** sync.ownerId: written into every record's comment as `understudy:owner=<ownerId>`. */
  ownerId: string;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per API call, the first included (default 8). */
  maxAttempts?: number;
  /** Longest single wait slept through; longer ones fail as TransientError with retryAfterMs (default 60 s). */
  maxWaitMs?: number;
  backoff?: BackoffOptions;
  /** Records per list page (default 1,000). */
  perPage?: number;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
}

export interface CloudflareProviderStats extends CallCounters {
  batches: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Group {
  name: string;
  type: RecordType;
  records: CfRecord[];
}

export class CloudflareProvider implements DnsProvider {
  readonly type = 'cloudflare' as const;
  readonly name: string;
  private readonly api: ZoneApi;
  private readonly zoneIds = new Map<string, string>();
  private readonly totals: CloudflareProviderStats = { ...newCounters(), batches: 0 };
  private closed = false;

  constructor(
    private readonly config: CloudflareTargetConfig,
    private readonly opts: CloudflareProviderOptions,
  ) {
    this.name = config.name;
    const problems = [
      ownerIdProblem(opts.ownerId),
      Number.isInteger(config.batchSize) && config.batchSize >= 1 && config.batchSize <= MAX_BATCH
        ? null
        : `batchSize must be an integer from 1 to ${MAX_BATCH}`,
      config.apiToken ? null : 'apiToken is empty',
    ].filter((p): p is string => p !== null);
    if (problems.length > 0)
      throw new ConfigError(
        problems.map((message) => ({ path: `targets[name=${config.name}]`, message })),
        targetLabel(config.name),
      );
    const endpoint = config.endpoint ?? DEFAULT_ENDPOINT;
    const policy: CallPolicy = {
      target: config.name,
      bucket: bucketFor(config, endpoint, config.rateLimit),
      clock: opts.clock ?? systemClock,
      random: opts.random ?? systemRandom,
      sleep: opts.sleep ?? realSleep,
      logger: opts.logger,
      maxAttempts: opts.maxAttempts ?? 8,
      maxWaitMs: opts.maxWaitMs ?? 60_000,
      backoff: opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
    };
    // maxRetries 0: every attempt goes through our bucket and counters instead of the SDK's loop.
    const client = new Cloudflare({
      apiToken: config.apiToken,
      baseURL: endpoint,
      maxRetries: 0,
      timeout: opts.timeoutMs ?? 30_000,
    });
    this.api = { client, policy, perPage: opts.perPage ?? 1000 };
  }

  /** Cumulative counters over every read and apply of this provider. */
  stats(): CloudflareProviderStats {
    return { ...this.totals };
  }

  async read(zone: string): Promise<ZoneRead> {
    const counters = newCounters();
    try {
      const { apex, records } = await this.fetchZone(zone, counters);
      const owned: ProviderRecord[] = [];
      const foreign: ProviderRecord[] = [];
      for (const g of this.groups(records)) {
        const mine = g.records.filter((r) => isOwnedBy(r.comment, this.opts.ownerId));
        const theirs = g.records.filter((r) => !isOwnedBy(r.comment, this.opts.ownerId));
        if (mine.length > 0) owned.push(this.toProviderRecord(g, mine));
        if (theirs.length > 0) foreign.push(this.toProviderRecord(g, theirs));
      }
      return { zone: apex, owned: sortRecords(owned), foreign: sortRecords(foreign) };
    } finally {
      this.addTotals(counters, 0);
    }
  }

  normalize(desired: ProviderRecord[]): NormalizeResult {
    return normalizeForCloudflare(desired, this.config);
  }

  /** Records we create carry our comment; an update keeps or sets it (takeover), not shown as new. */
  ownershipMarkers(plan: Plan): OwnershipMarker[] {
    return plan.creates.map((r) => ({
      record: `${r.name}/${r.type}`,
      kind: 'comment',
      text: `comment ${JSON.stringify(ownerMarker(this.opts.ownerId))}`,
    }));
  }

  async apply(plan: Plan): Promise<ApplyReport> {
    const counters = newCounters();
    let batches = 0;
    try {
      const apex = this.apexOf(plan.zone);
      const report: ApplyReport = {
        target: this.name,
        zone: apex,
        changes: [],
        propagated: true,
        publishedAt: null,
        apiCalls: 0,
        batches: 0,
        retries: 0,
      };
      if (planIsEmpty(plan)) return report;
      const { zoneId, records } = await this.fetchZone(apex, counters);
      const ops = buildOps(plan, records, {
        ownerId: this.opts.ownerId,
        takeover: this.config.takeover,
        proxied: this.config.proxied,
      });
      const run = await runBatches(
        this.api,
        counters,
        { zoneId, apex, batchSize: this.config.batchSize },
        ops,
      );
      batches = run.batches;
      return { ...report, ...run, apiCalls: counters.apiCalls, retries: counters.retries };
    } finally {
      this.addTotals(counters, batches);
    }
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private apexOf(zone: string): string {
    if (this.closed) throw new Error(`${targetLabel(this.name)}: provider is closed`);
    const n = normalizeName(zone);
    const configured = n.ok ? this.config.zones.find((z) => z.apex.toLowerCase() === n.name) : undefined;
    if (!n.ok || !configured)
      throw new ConfigError(
        [
          {
            path: `targets[name=${this.name}].zones`,
            message: `zone ${zone} is not configured for this target`,
          },
        ],
        targetLabel(this.name),
      );
    return n.name;
  }

  private async fetchZone(
    zone: string,
    counters: CallCounters,
  ): Promise<{ apex: string; zoneId: string; records: CfRecord[] }> {
    const apex = this.apexOf(zone);
    let zoneId = this.zoneIds.get(apex);
    if (zoneId === undefined) {
      const configured = this.config.zones.find((z) => z.apex.toLowerCase() === apex)?.id ?? null;
      zoneId = await findZoneId(this.api, counters, apex, configured);
      this.zoneIds.set(apex, zoneId);
    }
    return { apex, zoneId, records: await listRecords(this.api, counters, zoneId, apex) };
  }

  /** Records grouped into RRsets; types we do not sync (PTR, HTTPS, …) are left out of both lists. */
  private groups(records: CfRecord[]): Group[] {
    const map = new Map<string, Group>();
    for (const r of records) {
      if (canonicalValue(r) === null) continue;
      const name = absoluteName(r.name);
      const type = r.type as RecordType;
      const key = recordKey({ name, type });
      const g = map.get(key) ?? { name, type, records: [] };
      g.records.push(r);
      map.set(key, g);
    }
    return [...map.values()];
  }

  private toProviderRecord(g: Group, records: CfRecord[]): ProviderRecord {
    // Records of one RRset may disagree on TTL after a hand edit: the latest edit is the drift to report.
    const latest = [...records].sort((a, b) => (b.modified_on ?? '').localeCompare(a.modified_on ?? ''))[0]!;
    const values = records.map(canonicalValue).filter((v): v is string => v !== null);
    return canonicalRecord({ name: g.name, type: g.type, ttl: ttlSeconds(latest.ttl), values });
  }

  private addTotals(c: CallCounters, batches: number): void {
    this.totals.apiCalls += c.apiCalls;
    this.totals.retries += c.retries;
    this.totals.rateLimited += c.rateLimited;
    this.totals.batches += batches;
  }
}

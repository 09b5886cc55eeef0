/** DnsProvider over Route 53: read owned records, apply plans in limit-sized batches, wait for INSYNC. */
import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import type {
  ApplyReport,
  ChangeResult,
  Clock,
  DnsProvider,
  Logger,
  NormalizeResult,
  OwnershipMarker,
  Plan,
  ProviderRecord,
  Random,
  Route53TargetConfig,
  ZoneRead,
} from '@understudy/core';
import { changeRecord, planIsEmpty } from '@understudy/core';
import type { CallCounters, RetryPolicy } from './api-client.js';
import { DEFAULT_RETRY, Route53Api } from './api-client.js';
import type { ChangeGroup, ZoneSnapshot } from './change-batches.js';
import { batchGroups, groupsFor, markerClaims, recordApplied } from './change-batches.js';
import { Route53TargetError } from './errors.js';
import { decodeName, normalizeRecords } from './records.js';
import { readZone, resolveZoneId } from './zone-reader.js';
import { systemClock, systemRandom } from '@understudy/system';

export interface Route53ProviderOptions {
  /** sync.ownerId: written into ownership markers. */
  ownerId: string;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** MaxItems per ListResourceRecordSets page (Route 53 returns at most 300). */
  pageSize?: number;
  /** Give up waiting for INSYNC after this long (the report then says propagated: false). */
  insyncTimeoutMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Route53Provider implements DnsProvider {
  readonly type = 'route53' as const;
  readonly name: string;
  private readonly api: Route53Api;
  private readonly zoneIds = new Map<string, string>();
  private readonly snapshots = new Map<string, ZoneSnapshot>();
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Logger;
  private readonly totals: CallCounters = { apiCalls: 0, retries: 0 };

  constructor(
    private readonly config: Route53TargetConfig,
    private readonly opts: Route53ProviderOptions,
  ) {
    this.name = config.name;
    this.clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.logger = opts.logger.child({ target: config.name, provider: 'route53' });
    this.api = new Route53Api(config, {
      logger: this.logger,
      clock: this.clock,
      random: opts.random ?? systemRandom,
      sleep: this.sleep,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
    });
  }

  /** API calls and retries since construction (reads and applies). */
  stats(): CallCounters {
    return { ...this.totals };
  }

  async read(zone: string): Promise<ZoneRead> {
    const apex = decodeName(zone);
    const counters = this.counters();
    const zoneId = await this.zoneId(apex, counters);
    const r = await readZone(this.api, zoneId, this.opts.ownerId, this.opts.pageSize ?? 300, counters);
    this.snapshots.set(apex, r.snapshot);
    return { zone: apex, owned: r.owned, foreign: r.foreign };
  }

  normalize(desired: ProviderRecord[]): NormalizeResult {
    return normalizeRecords(desired);
  }

  ownershipMarkers(plan: Plan): OwnershipMarker[] {
    const apex = decodeName(plan.zone);
    const snap = this.snapshots.get(apex) ?? { records: new Map(), markers: new Map(), special: new Map() };
    return markerClaims(plan, this.opts.ownerId, snap).map(({ record, marker }) => ({
      record: `${record.name}/${record.type}`,
      kind: 'record',
      text: `${marker.name} TXT ${marker.ttl} ${marker.values.join(' ')}`,
    }));
  }

  async apply(plan: Plan): Promise<ApplyReport> {
    const apex = decodeName(plan.zone);
    const counters = this.counters();
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
    const zoneId = await this.zoneId(apex, counters);
    const snap = this.snapshots.get(apex) ?? { records: new Map(), markers: new Map(), special: new Map() };
    this.snapshots.set(apex, snap);
    const batches = batchGroups(groupsFor(plan, this.opts.ownerId, snap));
    // Only the writes are serialized per zone; waiting for INSYNC must not hold up the next plan.
    const changeIds = await this.api.account
      .zoneQueue(zoneId)
      .push(() => this.submit(zoneId, batches, snap, report, counters));
    if (changeIds.length > 0) await this.awaitInsync(changeIds, report, counters);
    // A refused batch means the target does not hold the plan: not in sync, whatever did go through.
    if (changeIds.length === 0 || report.changes.some((c) => !c.ok)) report.propagated = false;
    report.apiCalls = counters.apiCalls;
    report.retries = counters.retries;
    return report;
  }

  async close(): Promise<void> {
    this.api.close();
    return Promise.resolve();
  }

  private async submit(
    zoneId: string,
    batches: ChangeGroup[][],
    snap: ZoneSnapshot,
    report: ApplyReport,
    counters: CallCounters,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, batch] of batches.entries()) {
      const command = new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: `understudy ${this.opts.ownerId}: batch ${i + 1}/${batches.length}`,
          Changes: batch.flatMap((g) => g.changes),
        },
      });
      let error: string | null = null;
      try {
        const res = await this.api.call('ChangeResourceRecordSets', (c) => c.send(command), counters);
        ids.push(res.ChangeInfo?.Id ?? '');
        report.batches++;
        recordApplied(snap, batch, this.opts.ownerId);
      } catch (err) {
        // A refused batch (bad value, a record changed under us) fails only its own changes.
        if (
          !(err instanceof Route53TargetError) ||
          !['InvalidChangeBatch', 'InvalidInput'].includes(err.code)
        )
          throw err;
        error = err.message;
        this.logger.warn({ err, batch: i + 1 }, 'route53 change batch refused');
      }
      for (const g of batch) report.changes.push(this.result(g, error));
    }
    return ids;
  }

  private result(g: ChangeGroup, error: string | null): ChangeResult {
    const r = changeRecord(g.change);
    return {
      kind: g.change.kind,
      name: r.name,
      type: r.type,
      ok: error === null,
      ...(error ? { error } : {}),
    };
  }

  private async awaitInsync(ids: string[], report: ApplyReport, counters: CallCounters): Promise<void> {
    const deadline = this.clock.now() + (this.opts.insyncTimeoutMs ?? 600_000);
    for (const id of ids) {
      for (;;) {
        const res = await this.api.call(
          'GetChange',
          (c) => c.send(new GetChangeCommand({ Id: id })),
          counters,
        );
        if (res.ChangeInfo?.Status === 'INSYNC') break;
        if (this.clock.now() >= deadline) {
          this.logger.warn({ changeId: id }, 'route53 change still PENDING at the INSYNC timeout');
          report.propagated = false;
          return;
        }
        await this.sleep(this.config.pollInterval);
      }
    }
    report.publishedAt = this.clock.now();
  }

  private async zoneId(apex: string, counters: CallCounters): Promise<string> {
    const known = this.zoneIds.get(apex);
    if (known) return known;
    const entry = this.config.zones.find((z) => decodeName(z.apex) === apex);
    if (!entry)
      throw new Route53TargetError(
        this.name,
        'UnknownZone',
        `zone ${apex} is not configured for this target`,
      );
    const id = await resolveZoneId(this.api, this.name, apex, entry.id, counters);
    this.zoneIds.set(apex, id);
    return id;
  }

  /** Counters for one operation that also feed the provider's totals. */
  private counters(): CallCounters {
    const totals = this.totals;
    let apiCalls = 0;
    let retries = 0;
    return {
      get apiCalls() {
        return apiCalls;
      },
      set apiCalls(v: number) {
        totals.apiCalls += v - apiCalls;
        apiCalls = v;
      },
      get retries() {
        return retries;
      },
      set retries(v: number) {
        totals.retries += v - retries;
        retries = v;
      },
    };
  }
}

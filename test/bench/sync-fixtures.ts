/** bench:sync's fixtures: the env knobs, the generated config and zone states, and a metering provider decorator. */
import { parseConfig } from '@understudy/config';
import {
  checkPlanSafety,
  createPlan,
  desiredRecords,
  failoverAnswerValues,
  failoverKeys,
  summarizePlan,
  type ApplyReport,
  type DnsProvider,
  type NormalizeResult,
  type Plan,
  type PlanSummary,
  type ProviderRecord,
  type SafetyViolation,
  type UnderstudyConfig,
  type ZoneRead,
  type ZoneState,
} from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';

export const RECORDS = Number(process.env.RECORDS ?? 1000);
export const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 120_000);
export const INSYNC_MS = Number(process.env.INSYNC_MS ?? 1000);
export const PRIOR_REQUEST = process.argv.includes('--prior-request-not-complete');
export const R53_RPS = 5; // Route 53: 5 requests/s per AWS account, every API
export const CF_BATCH = 200; // Cloudflare Free plan: 200 changes per /dns_records/batch
export const R53_UPSERTS_PER_BATCH = 500; // target: ≤ 1 change batch per 500 UPSERTs
export const CF_CHANGES_PER_BATCH = 200; // target: ≤ 1 batch call per 200 changes
export const APEX = 'bench.example.';
export const TOKEN = 'bench-token';
export const R53 = 'route53';
export const CF = 'cloudflare';
export const TARGETS = [R53, CF] as const;
export type Target = (typeof TARGETS)[number];

if (!Number.isInteger(RECORDS) || RECORDS < 1 || RECORDS > 65_536) throw new Error('RECORDS: 1 to 65536');
if (!(TIMEOUT_MS > 0) || !(INSYNC_MS >= 0)) throw new Error('TIMEOUT_MS must be > 0 and INSYNC_MS ≥ 0');

export const clock = { now: (): number => Date.now() };
export const started = clock.now();
export const logs = recordingLogger();

// ---------------------------------------------------------------------------------------------- fixtures

export const label = (i: number): string => `r${String(i).padStart(5, '0')}`;
export const ip = (net: number, i: number): string => `10.${net}.${i >> 8}.${i & 255}`;
export const PRIMARY = (i: number): string => ip(1, i);
export const SECONDARY = (i: number): string => ip(2, i);

export function benchConfig(r53Url: string, cfUrl: string): UnderstudyConfig {
  const doc = {
    regions: ['bench'],
    zones: [
      {
        apex: APEX,
        ns: [`ns1.${APEX}`],
        failover: Array.from({ length: RECORDS }, (_, i) => ({
          name: label(i),
          type: 'A',
          ttl: 60,
          answers: [
            { name: 'primary', values: [PRIMARY(i)], check: null },
            { name: 'secondary', values: [SECONDARY(i)], check: null },
          ],
        })),
      },
    ],
    // Everything not given here is the production default (client 5 req/s, GetChange every 2 s,
    // Cloudflare batchSize 200 and 1,200 requests per 5 minutes, maxChangeShare 0.5).
    targets: [
      {
        name: R53,
        type: 'route53',
        zones: [{ apex: APEX }],
        endpoint: r53Url,
        accessKeyId: 'AKIDBENCH',
        secretAccessKey: 'bench-secret',
      },
      { name: CF, type: 'cloudflare', zones: [{ apex: APEX }], endpoint: cfUrl, apiToken: TOKEN },
    ],
    // The default guard: a mass flip is what a real outage does, and it must pass (see guardCheck).
    sync: { allowUnsafe: false, ownerId: 'bench' },
  };
  return parseConfig(JSON.stringify(doc), { source: 'bench-sync.yaml', baseDir: process.cwd() }).config;
}

export function zoneState(serial: number, value: (i: number) => string): ZoneState {
  return {
    serial,
    epoch: 1,
    generatedAt: clock.now(),
    zones: [
      {
        apex: APEX,
        rrsets: Array.from({ length: RECORDS }, (_, i) => ({
          name: `${label(i)}.${APEX}`,
          type: 'A' as const,
          ttl: 60,
          values: [value(i)],
        })),
      },
    ],
  };
}

// -------------------------------------------------------------------------------- a metering decorator

export interface ApplyLog {
  startedAt: number;
  endedAt: number;
  plan: PlanSummary;
  report: ApplyReport | null;
  error: string | null;
}

/** The real provider, with every read and apply timed and every report kept. */
export class Metered implements DnsProvider {
  readonly name: string;
  readonly type: DnsProvider['type'];
  readonly reads: { startedAt: number; endedAt: number; error: string | null }[] = [];
  readonly applies: ApplyLog[] = [];

  constructor(readonly inner: DnsProvider) {
    this.name = inner.name;
    this.type = inner.type;
  }

  async read(zone: string): Promise<ZoneRead> {
    const startedAt = clock.now();
    const entry = { startedAt, endedAt: startedAt, error: null as string | null };
    this.reads.push(entry);
    try {
      return await this.inner.read(zone);
    } catch (err) {
      entry.error = errorText(err);
      throw err;
    } finally {
      entry.endedAt = clock.now();
    }
  }

  normalize(desired: ProviderRecord[]): NormalizeResult {
    return this.inner.normalize(desired);
  }

  async apply(plan: Plan): Promise<ApplyReport> {
    const entry: ApplyLog = {
      startedAt: clock.now(),
      endedAt: 0,
      plan: summarizePlan(plan),
      report: null,
      error: null,
    };
    this.applies.push(entry);
    try {
      entry.report = await this.inner.apply(plan);
      return entry.report;
    } catch (err) {
      entry.error = errorText(err);
      throw err;
    } finally {
      entry.endedAt = clock.now();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// ------------------------------------------------------------------------------------- the plan guard

export interface GuardVerdict {
  target: Target;
  safe: boolean;
  changes: number;
  owned: number;
  violations: SafetyViolation[];
}

/**
 * What the share guard says about the flip, computed with the same pure functions planTarget uses
 * (normalize, createPlan, checkPlanSafety) on the records phase 1 left owned: no API call is spent on it.
 */
export function guardCheck(
  config: UnderstudyConfig,
  providers: Record<Target, DnsProvider>,
  before: ZoneState,
  after: ZoneState,
): GuardVerdict[] {
  return TARGETS.map((t) => {
    const p = providers[t];
    const owned = p.normalize(desiredRecords(config, before, APEX)).records;
    const want = p.normalize(desiredRecords(config, after, APEX)).records;
    const plan = createPlan(t, APEX, { zone: APEX, owned, foreign: [] }, want, { takeover: false });
    const s = checkPlanSafety(plan, {
      ownedCount: owned.length,
      maxChangeShare: config.sync.maxChangeShare,
      protectedKeys: failoverKeys(config, APEX),
      decisions: failoverAnswerValues(config, APEX),
    });
    return {
      target: t,
      safe: s.safe,
      changes: summarizePlan(plan).changes,
      owned: owned.length,
      violations: s.violations,
    };
  });
}

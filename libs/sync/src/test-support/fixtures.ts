/** A small config, zone states, deterministic timers and a provider with fault switches, for sync tests. */
import { DEFAULT_HTTP_SERVERS } from '@understudy/core';
import type {
  ApplyReport,
  DnsProvider,
  FailoverRecordConfig,
  NormalizeResult,
  Plan,
  ProviderRecord,
  UnderstudyConfig,
  ZoneRead,
  ZoneState,
} from '@understudy/core';
import type { SyncTimers, TimerHandle } from '../timers.js';

export const ZONE = 'example.test.';

export function failover(label: string, primary = '192.0.2.1'): FailoverRecordConfig {
  return {
    id: `${label}.${ZONE}/A`,
    zone: ZONE,
    name: `${label}.${ZONE}`,
    type: 'A',
    ttl: 60,
    answers: [
      { name: 'primary', values: [primary], check: null },
      { name: 'secondary', values: ['198.51.100.1'], check: null },
    ],
    whenAllDown: { mode: 'none' },
    failbackAfter: 60_000,
    flapDamping: null,
  };
}

export function testConfig(labels: string[], sync: Partial<UnderstudyConfig['sync']> = {}): UnderstudyConfig {
  return {
    regions: ['r1'],
    quorum: { kind: 'majority' },
    zones: [
      {
        apex: ZONE,
        defaultTtl: 300,
        soa: {
          mname: `ns1.${ZONE}`,
          rname: `h.${ZONE}`,
          refresh: 1,
          retry: 1,
          expire: 1,
          minimum: 1,
          ttl: 1,
        },
        ns: [`ns1.${ZONE}`],
        records: [],
        failover: labels.map((l) => failover(l)),
      },
    ],
    checks: [],
    decider: {
      staleAfterIntervals: 3,
      minVoters: 1,
      tickInterval: 1000,
      leaseTtl: 5000,
      massFailureGuard: { enabled: false, share: 0.5, minChecks: 4, window: 60_000 },
    },
    listen: { dns: [], http: null, dashboard: null },
    dns: {
      workers: 1,
      udpPayloadSize: 1232,
      tcpIdleTimeout: 10_000,
      limits: {
        tcpFrameTimeout: 3000,
        tcpMaxConnections: 256,
        tcpMaxConnectionsPerClient: 16,
        rateLimit: { responsesPerSecond: 0, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
      },
    },
    admin: { tokens: [] },
    state: { file: null },
    probe: { flushInterval: 0, jitter: 0, health: { maxEventLoopDelay: 1_000, maxFdShare: 0.9 } },
    logging: { level: 'info' },
    dashboard: { readAuth: false },
    httpServers: DEFAULT_HTTP_SERVERS,
    metrics: { perRecord: true },
    targets: [],
    sync: { reconcileInterval: 60_000, maxChangeShare: 0.5, allowUnsafe: false, ownerId: 'test', ...sync },
    webhooks: [],
  };
}

/** A zone state serving `values[label]` for each failover record (absent: left out of the state). */
export function zoneState(serial: number, values: Record<string, string[]>): ZoneState {
  return {
    serial,
    epoch: 1,
    generatedAt: serial,
    zones: [
      {
        apex: ZONE,
        rrsets: Object.entries(values).map(([l, v]) => ({
          name: `${l}.${ZONE}`,
          type: 'A' as const,
          ttl: 60,
          values: v,
        })),
      },
    ],
  };
}

/** Timers driven by hand, with the clock they share. */
export class ManualTimers implements SyncTimers {
  now = 1_000_000;
  private pending: { at: number; fn: () => void; h: object }[] = [];
  readonly clock = { now: () => this.now };

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h = {};
    this.pending.push({ at: this.now + ms, fn, h });
    return h;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.h !== handle);
  }

  /** Move the clock forward, firing what falls due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.now = next.at;
      next.fn();
    }
    this.now = end;
  }

  get count(): number {
    return this.pending.length;
  }
}

/** A real DnsProvider (usually a BuiltinProvider underneath) with switches that make it fail or stall. */
export class FaultyProvider implements DnsProvider {
  readonly name: string;
  readonly type: DnsProvider['type'];
  failRead: Error | null = null;
  failApply: Error | null = null;
  /** While set, apply waits for it before writing. */
  gate: Promise<void> | null = null;
  readonly applied: Plan[] = [];

  constructor(private readonly inner: DnsProvider) {
    this.name = inner.name;
    this.type = inner.type;
  }

  read(zone: string): Promise<ZoneRead> {
    return this.failRead ? Promise.reject(this.failRead) : this.inner.read(zone);
  }

  normalize(desired: ProviderRecord[]): NormalizeResult {
    return this.inner.normalize(desired);
  }

  async apply(plan: Plan): Promise<ApplyReport> {
    if (this.gate) await this.gate;
    if (this.failApply) throw this.failApply;
    this.applied.push(plan);
    return this.inner.apply(plan);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

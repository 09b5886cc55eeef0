/** Config and result builders for core tests. */
import { DEFAULT_HTTP_SERVERS } from '../config-types.js';
import type {
  CheckConfig,
  FailoverRecordConfig,
  HttpCheckConfig,
  UnderstudyConfig,
  ZoneConfig,
} from '../config-types.js';
import type { ProbeResult, ResultBatch } from '../results.js';

export const REGIONS = ['us-east', 'eu-west', 'ap-south'];

export function httpCheck(id: string, over: Partial<HttpCheckConfig> = {}): HttpCheckConfig {
  return {
    id,
    type: 'https',
    host: '127.0.0.1',
    port: 443,
    path: '/',
    method: 'GET',
    headers: {},
    hostHeader: null,
    sni: null,
    expectStatus: [{ from: 200, to: 399 }],
    body: null,
    tls: { verify: true, caFile: null, minCertDays: null },
    maxBodyBytes: 65536,
    timeout: 500,
    interval: 1000,
    fall: 2,
    rise: 2,
    regions: [...REGIONS],
    quorum: { kind: 'fraction', numerator: 2, denominator: 3 },
    ...over,
  };
}

export function failoverRecord(over: Partial<FailoverRecordConfig> = {}): FailoverRecordConfig {
  return {
    id: 'app.example.test./A',
    zone: 'example.test.',
    name: 'app.example.test.',
    type: 'A',
    ttl: 30,
    answers: [
      { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
      { name: 'secondary', values: ['198.51.100.10'], check: 'secondary' },
    ],
    whenAllDown: { mode: 'primary' },
    failbackAfter: 60_000,
    flapDamping: { maxFlips: 4, window: 900_000 },
    ...over,
  };
}

export function zone(failover: FailoverRecordConfig[], over: Partial<ZoneConfig> = {}): ZoneConfig {
  return {
    apex: 'example.test.',
    defaultTtl: 300,
    soa: {
      mname: 'ns1.example.test.',
      rname: 'hostmaster.example.test.',
      refresh: 3600,
      retry: 600,
      expire: 1209600,
      minimum: 60,
      ttl: 3600,
    },
    ns: ['ns1.example.test.'],
    records: [{ name: 'ns1.example.test.', type: 'A', ttl: 300, values: ['127.0.0.1'] }],
    failover,
    ...over,
  };
}

export function config(
  opts: {
    checks?: CheckConfig[];
    records?: FailoverRecordConfig[];
    regions?: string[];
    decider?: Partial<UnderstudyConfig['decider']>;
  } = {},
): UnderstudyConfig {
  const checks = opts.checks ?? [httpCheck('primary'), httpCheck('secondary')];
  return {
    regions: opts.regions ?? [...REGIONS],
    quorum: { kind: 'majority' },
    zones: [zone(opts.records ?? [failoverRecord()])],
    checks,
    decider: {
      staleAfterIntervals: 3,
      minVoters: 2,
      tickInterval: 1000,
      leaseTtl: 5000,
      massFailureGuard: { enabled: true, share: 0.5, minChecks: 4, window: 60_000 },
      ...opts.decider,
    },
    listen: { dns: [{ host: '127.0.0.1', port: 5300 }], http: null, dashboard: null },
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
    probe: { flushInterval: 0, jitter: 0.1, health: { maxEventLoopDelay: 1_000, maxFdShare: 0.9 } },
    logging: { level: 'info' },
    metrics: { perRecord: true },
    dashboard: { readAuth: false },
    httpServers: DEFAULT_HTTP_SERVERS,
    targets: [],
    sync: { reconcileInterval: 60_000, maxChangeShare: 0.5, allowUnsafe: false, ownerId: 'understudy' },
    webhooks: [],
  };
}

let seq = 0;
export function result(
  checkId: string,
  region: string,
  ok: boolean,
  observedAt: number,
  over: Partial<ProbeResult> = {},
): ProbeResult {
  return {
    checkId,
    region,
    probeId: `probe-${region}`,
    seq: ++seq,
    observedAt,
    ok,
    timings: { total: 5 },
    ...(ok ? {} : { reason: 'connect' as const, message: 'ECONNREFUSED' }),
    ...over,
  };
}

export function batch(
  region: string,
  results: ProbeResult[],
  sentAt = results[0]?.observedAt ?? 0,
): ResultBatch {
  return { probeId: `probe-${region}`, region, sentAt, results };
}

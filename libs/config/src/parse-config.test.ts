import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpCheckConfig, TcpCheckConfig } from '@understudy/core';
import { parseConfig } from './parse-config.js';

const BASE = '/etc/understudy';

const MINIMAL = `
regions: [us-east, eu-west, ap-south]
checks:
  web:
    type: https
    url: https://192.0.2.10:8443/healthz?full=1
  smtp:
    type: tcp
    host: Mail.Example.Test
    port: 25
zones:
  - apex: Example.Test
    ns: [ns1.example.test, ns2.example.test.]
    records:
      - { name: www, type: CNAME, value: app.example.test }
      - { name: "@", type: MX, values: ["10 mail.example.test", { preference: 20, exchange: mx2.example.test }] }
      - { name: "@", type: TXT, values: ["v=spf1 -all"] }
      - { name: x, type: A, ttl: 60, values: [192.0.2.1, 192.0.2.2] }
      - { name: abs.example.test., type: AAAA, value: "2001:DB8:0:0:0:0:0:1" }
    failover:
      - name: app
        type: A
        answers:
          - { values: [192.0.2.10], check: web }
          - { values: [198.51.100.10], check: web }
          - { values: [203.0.113.1], check: web }
          - { values: [203.0.113.2], check: web }
`;

const parse = (text: string) => parseConfig(text, { baseDir: BASE, env: {}, source: 'test.yaml' });

describe('parseConfig: defaults', () => {
  const { config, warnings, source } = parse(MINIMAL);

  it('fills every top-level default', () => {
    expect(source).toBe('test.yaml');
    expect(warnings).toEqual([]);
    expect(config.regions).toEqual(['us-east', 'eu-west', 'ap-south']);
    expect(config.quorum).toEqual({ kind: 'majority' });
    expect(config.listen).toEqual({
      dns: [{ host: '127.0.0.1', port: 5300 }],
      http: { host: '127.0.0.1', port: 9053 },
      dashboard: null,
    });
    expect(config.state).toEqual({ file: null });
    expect(config.targets).toEqual([]);
    expect(config.webhooks).toEqual([]);
    expect(config.dashboard).toEqual({ readAuth: false });
    expect(config.sync).toEqual({
      reconcileInterval: 60_000,
      maxChangeShare: 0.5,
      allowUnsafe: false,
      ownerId: 'understudy',
    });
    expect(config.decider).toEqual({
      staleAfterIntervals: 3,
      minVoters: 2,
      tickInterval: 1000,
      leaseTtl: 5000,
      massFailureGuard: { enabled: true, share: 0.5, minChecks: 4, window: 60_000 },
    });
    expect(config.probe).toEqual({
      flushInterval: 0,
      jitter: 0.1,
      health: { maxEventLoopDelay: 1000, maxFdShare: 0.9 },
    });
    expect(config.logging).toEqual({ level: 'info' });
    expect(config.dns).toEqual({
      workers: 'auto',
      udpPayloadSize: 1232,
      tcpIdleTimeout: 10_000,
      limits: {
        tcpFrameTimeout: 3000,
        tcpMaxConnections: 256,
        tcpMaxConnectionsPerClient: 16,
        rateLimit: { responsesPerSecond: 0, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
      },
      cacheFile: path.resolve(BASE, 'understudy-dns-cache.json'),
      identity: { id: null, nsid: null, version: null },
      transfer: {
        allow: [],
        keys: [],
        notify: [],
        journalSize: 1000,
        notifyRetry: 1000,
        notifyRetryMax: 60_000,
        notifyMinInterval: 20,
      },
      udpIo: 'auto', // issue 11: batched UDP I/O
      geo: { ecs: true, database: 'bundled', networks: [] }, // issue 14 part 3
    });
  });

  it('decomposes a check url and fills http defaults', () => {
    const web = config.checks.find((c) => c.id === 'web') as HttpCheckConfig;
    expect(web).toEqual({
      id: 'web',
      type: 'https',
      host: '192.0.2.10',
      port: 8443,
      path: '/healthz?full=1',
      method: 'GET',
      headers: {},
      hostHeader: null,
      sni: null,
      expectStatus: [{ from: 200, to: 399 }],
      body: null,
      tls: { verify: true, caFile: null, minCertDays: null },
      maxBodyBytes: 65536,
      timeout: 2000,
      interval: 10_000,
      fall: 3,
      rise: 2,
      regions: ['us-east', 'eu-west', 'ap-south'],
      quorum: { kind: 'majority' },
    });
  });

  it('fills tcp defaults and lower-cases the host', () => {
    const smtp = config.checks.find((c) => c.id === 'smtp') as TcpCheckConfig;
    expect(smtp).toEqual({
      id: 'smtp',
      type: 'tcp',
      host: 'mail.example.test',
      port: 25,
      timeout: 2000,
      interval: 10_000,
      fall: 3,
      rise: 2,
      regions: ['us-east', 'eu-west', 'ap-south'],
      quorum: { kind: 'majority' },
    });
  });

  it('canonicalises the zone, its SOA defaults and its static records', () => {
    const zone = config.zones[0]!;
    expect(zone.apex).toBe('example.test.');
    expect(zone.defaultTtl).toBe(300);
    expect(zone.ns).toEqual(['ns1.example.test.', 'ns2.example.test.']);
    expect(zone.soa).toEqual({
      mname: 'ns1.example.test.',
      rname: 'hostmaster.example.test.',
      refresh: 3600,
      retry: 600,
      expire: 1_209_600,
      minimum: 60,
      ttl: 3600,
    });
    expect(zone.records).toEqual([
      { name: 'www.example.test.', type: 'CNAME', ttl: 300, values: ['app.example.test.'] },
      {
        name: 'example.test.',
        type: 'MX',
        ttl: 300,
        values: ['10 mail.example.test.', '20 mx2.example.test.'],
      },
      { name: 'example.test.', type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
      { name: 'x.example.test.', type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] },
      { name: 'abs.example.test.', type: 'AAAA', ttl: 300, values: ['2001:db8::1'] },
    ]);
  });

  it('fills failover defaults: tier names, zone ttl, whenAllDown, failback, damping', () => {
    const record = config.zones[0]!.failover[0]!;
    expect(record).toEqual({
      id: 'app.example.test./A',
      zone: 'example.test.',
      name: 'app.example.test.',
      type: 'A',
      ttl: 300,
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'web' },
        { name: 'secondary', values: ['198.51.100.10'], check: 'web' },
        { name: 'tertiary', values: ['203.0.113.1'], check: 'web' },
        { name: 'tier-4', values: ['203.0.113.2'], check: 'web' },
      ],
      whenAllDown: { mode: 'primary' },
      failbackAfter: 300_000,
      flapDamping: { maxFlips: 4, window: 900_000 },
    });
  });

  it('freezes the result', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.zones[0]!.records[0]!.values)).toBe(true);
  });
});

describe('parseConfig: explicit values', () => {
  const FULL = `
regions: [a, b, c]
quorum: "2/3"
listen: { dns: ["0.0.0.0:53", "[::0]:53"], http: null }
state: { file: data/state.json }
decider:
  staleAfterIntervals: 5
  minVoters: 2
  tickInterval: 250ms
  massFailureGuard: { enabled: false, share: 0.8, minChecks: 10, window: 2m30s }
probe: { flushInterval: 2s, jitter: 0.25, health: { maxEventLoopDelay: 300ms, maxFdShare: 0.5 } }
dns:
  workers: 3
  udpPayloadSize: 1400
  tcpIdleTimeout: 30s
  limits:
    tcpFrameTimeout: 1500ms
    tcpMaxConnections: 1024
    tcpMaxConnectionsPerClient: 8
    rateLimit: { responsesPerSecond: 200, slip: 3, ipv4PrefixLength: 22, ipv6PrefixLength: 48 }
  cacheFile: null
  identity: { id: dns-a.example.net, nsid: dns-a, version: "" }
  transfer:
    keys: [{ name: Xfr-Key, secret: "aXNzdWUtMTUtdHJhbnNmZXItdHNpZy1zZWNyZXQ=" }]
    allow: [{ network: 192.0.2.0/24, key: xfr-key }, { network: "2001:db8::/32" }]
    notify: [{ address: "192.0.2.53:53", key: xfr-key }, { address: "[2001:db8::53]:5300" }]
    journalSize: 50
    notifyRetry: 2s
    notifyRetryMax: 30s
    notifyMinInterval: 100ms
  udpIo: dgram
  geo: { ecs: false, database: null, networks: [{ prefix: 10.0.0.0/8, country: de }] }
logging: { level: debug }
checks:
  web:
    type: http
    host: app.example.test
    path: /status
    method: head
    headers: { X-Probe: understudy, X-Num: 5 }
    hostHeader: app.example.test:8080
    expectStatus: [204, "300-302", 2xx]
    body: { regex: "^ok$" }
    maxBodyBytes: 1024
    timeout: 500ms
    interval: 1
    fall: 1
    rise: 5
    regions: [a, c]
    quorum: all
  tls:
    type: https
    host: "[2001:db8::10]"
    sni: app.example.test
    tls: { verify: false, caFile: certs/ca.pem, minCertDays: 14 }
    interval: 1s
zones:
  - apex: example.test
    ttl: 120
    soa: { mname: ns9.example.test, rname: admin@example.test, refresh: 1, retry: 2, expire: 3, minimum: 4, ttl: 5 }
    ns: [ns1.example.test]
    failover:
      - name: "@"
        type: AAAA
        ttl: 20
        answers:
          - { name: main, values: ["2001:db8::1"], check: web }
          - { name: backup, value: "2001:db8::2", check: null }
        whenAllDown: sorry
        fallbacks: { sorry: ["2001:db8::3"] }
        failbackAfter: manual
        flapDamping: false
`;
  const { config, warnings } = parse(FULL);

  it('uses every value as written', () => {
    expect(warnings).toEqual([]);
    expect(config.quorum).toEqual({ kind: 'fraction', numerator: 2, denominator: 3 });
    expect(config.listen).toEqual({
      dns: [
        { host: '0.0.0.0', port: 53 },
        { host: '::', port: 53 },
      ],
      http: null,
      dashboard: null,
    });
    expect(config.state.file).toBe(path.resolve(BASE, 'data/state.json'));
    expect(config.decider).toEqual({
      staleAfterIntervals: 5,
      minVoters: 2,
      tickInterval: 250,
      leaseTtl: 5000,
      massFailureGuard: { enabled: false, share: 0.8, minChecks: 10, window: 150_000 },
    });
    expect(config.probe).toEqual({
      flushInterval: 2000,
      jitter: 0.25,
      health: { maxEventLoopDelay: 300, maxFdShare: 0.5 },
    });
    expect(config.dns).toEqual({
      workers: 3,
      udpPayloadSize: 1400,
      tcpIdleTimeout: 30_000,
      limits: {
        tcpFrameTimeout: 1500,
        tcpMaxConnections: 1024,
        tcpMaxConnectionsPerClient: 8,
        rateLimit: { responsesPerSecond: 200, slip: 3, ipv4PrefixLength: 22, ipv6PrefixLength: 48 },
      },
      cacheFile: null,
      identity: { id: 'dns-a.example.net', nsid: 'dns-a', version: null },
      transfer: {
        keys: [{ name: 'xfr-key.', secret: 'aXNzdWUtMTUtdHJhbnNmZXItdHNpZy1zZWNyZXQ=' }],
        allow: [
          { network: '192.0.2.0/24', key: 'xfr-key.' },
          { network: '2001:db8::/32', key: null },
        ],
        notify: [
          { host: '192.0.2.53', port: 53, key: 'xfr-key.' },
          { host: '2001:db8::53', port: 5300, key: null },
        ],
        journalSize: 50,
        notifyRetry: 2000,
        notifyRetryMax: 30_000,
        notifyMinInterval: 100,
      },
      udpIo: 'dgram', // issue 11: batched UDP I/O
      geo: { ecs: false, database: null, networks: [{ prefix: '10.0.0.0/8', country: 'DE' }] }, // issue 14 part 3
    });
    expect(config.logging.level).toBe('debug');
  });

  it('reads http check options', () => {
    const web = config.checks[0] as HttpCheckConfig;
    expect(web).toMatchObject({
      type: 'http',
      host: 'app.example.test',
      port: 80,
      path: '/status',
      method: 'HEAD',
      headers: { 'X-Probe': 'understudy', 'X-Num': '5' },
      hostHeader: 'app.example.test:8080',
      sni: null,
      expectStatus: [
        { from: 204, to: 204 },
        { from: 300, to: 302 },
        { from: 200, to: 299 },
      ],
      body: { regex: '^ok$' },
      maxBodyBytes: 1024,
      timeout: 500,
      interval: 1000,
      fall: 1,
      rise: 5,
      regions: ['a', 'c'],
      quorum: { kind: 'all' },
    });
  });

  it('reads https options, strips IPv6 brackets and resolves caFile', () => {
    const tls = config.checks[1] as HttpCheckConfig;
    expect(tls.host).toBe('2001:db8::10');
    expect(tls.port).toBe(443);
    expect(tls.sni).toBe('app.example.test');
    expect(tls.tls).toEqual({ verify: false, caFile: path.resolve(BASE, 'certs/ca.pem'), minCertDays: 14 });
    expect(tls.timeout).toBe(500);
    expect(tls.quorum).toEqual({ kind: 'fraction', numerator: 2, denominator: 3 });
  });

  it('reads zone and failover options', () => {
    const zone = config.zones[0]!;
    expect(zone.soa).toEqual({
      mname: 'ns9.example.test.',
      rname: 'admin.example.test.',
      refresh: 1,
      retry: 2,
      expire: 3,
      minimum: 4,
      ttl: 5,
    });
    expect(zone.failover[0]).toEqual({
      id: 'example.test./AAAA',
      zone: 'example.test.',
      name: 'example.test.',
      type: 'AAAA',
      ttl: 20,
      answers: [
        { name: 'main', values: ['2001:db8::1'], check: 'web' },
        { name: 'backup', values: ['2001:db8::2'], check: null },
      ],
      whenAllDown: { mode: 'fallback', name: 'sorry', values: ['2001:db8::3'] },
      failbackAfter: 'manual',
      flapDamping: null,
    });
  });
});

// --- issue 12: state under systemd's StateDirectory= (STATE_DIRECTORY), not next to a read-only config ---
describe('STATE_DIRECTORY', () => {
  const text = `regions: [eu]
checks: { web: { type: tcp, host: 192.0.2.1, port: 80 } }
state: { file: ./understudy-state.json }
zones: [{ apex: example.test, ns: [ns1.example.test], records: [{ name: ns1, type: A, values: [192.0.2.53] }] }]
`;
  const at = (env: Record<string, string>) => parseConfig(text, { baseDir: BASE, env }).config;

  it('takes relative state.file and dns.cacheFile; absolute paths and other relative paths stay', () => {
    const c = at({ STATE_DIRECTORY: '/var/lib/understudy:/var/lib/other' });
    expect(c.state.file).toBe('/var/lib/understudy/understudy-state.json');
    expect(c.dns.cacheFile).toBe('/var/lib/understudy/understudy-dns-cache.json');
    const abs = parseConfig(text.replace('./understudy-state.json', '/srv/s.json'), {
      baseDir: BASE,
      env: { STATE_DIRECTORY: '/var/lib/understudy' },
    }).config;
    expect(abs.state.file).toBe('/srv/s.json');
  });

  it('without it (or when it is not absolute), relative paths are next to the config', () => {
    expect(at({}).state.file).toBe(`${BASE}/understudy-state.json`);
    expect(at({ STATE_DIRECTORY: 'relative' }).dns.cacheFile).toBe(`${BASE}/understudy-dns-cache.json`);
  });
});

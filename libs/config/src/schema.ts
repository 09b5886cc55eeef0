/**
 * The JSON schema of understudy.yaml (draft-07). It checks structure only; references, names and record
 * values are checked by the semantic pass. libs/config/understudy.schema.json is this object, for editors.
 */
import { checkSchema } from './schema-checks.js';
import { defs, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';
import { httpServersSchema } from './http-servers.js';
import { zoneSchema } from './schema-zones.js';
import { dashboardSchema, syncSchema, targetsSchema, webhooksSchema } from './schema-integrations.js';

const listenSchema = strictObject({
  dns: {
    type: 'array',
    minItems: 1,
    items: defs.listenAddress,
    default: ['127.0.0.1:5300'],
    description: 'Addresses of the authoritative DNS server (UDP and TCP).',
  },
  http: {
    ...defs.listenAddress,
    type: ['string', 'null'],
    default: '127.0.0.1:9053',
    description: 'Health, readiness and metrics endpoint; null disables it.',
  },
  dashboard: {
    ...defs.listenAddress,
    type: ['string', 'null'],
    default: null,
    description:
      'Dashboard and HTTP API (/api/v1); null (the default) disables it. The demo uses 127.0.0.1:8080.',
  },
});

const deciderSchema = strictObject({
  staleAfterIntervals: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
  minVoters: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description: 'Default: min(2, number of regions).',
  },
  tickInterval: { ...defs.duration, default: '1s' },
  leaseTtl: {
    ...defs.duration,
    default: '5s',
    description: 'Distributed mode: leader lease TTL; a standby takes over within this long. At least 1s.',
  },
  massFailureGuard: strictObject({
    enabled: { type: 'boolean', default: true },
    share: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
    minChecks: { type: 'integer', minimum: 1, maximum: 1000000, default: 4 },
    window: {
      ...defs.duration,
      default: '60s',
      description: 'Only checks that went down within this long count (held checks always do). At least 1s.',
    },
  }),
});

// ---- DNS hostile-traffic limits (issue #10 §2) ----
const dnsLimitsSchema = strictObject({
  tcpFrameTimeout: {
    ...defs.duration,
    default: '3s',
    description: 'A TCP query frame must arrive whole within this long of its first octet. At least 100ms.',
  },
  tcpMaxConnections: {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    default: 256,
    description: 'TCP connections per DNS process; past it the least recently active one is closed.',
  },
  tcpMaxConnectionsPerClient: {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    default: 16,
    description: 'TCP connections from one address (IPv6: one /64); more are closed at once.',
  },
  rateLimit: strictObject({
    responsesPerSecond: {
      type: 'integer',
      minimum: 0,
      maximum: 1000000,
      default: 0,
      description: 'UDP replies per second per client network; 0 (the default) turns rate limiting off.',
    },
    slip: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 2,
      description: 'Every slip-th limited reply is sent truncated (TC=1) instead of dropped; 0 = never.',
    },
    ipv4PrefixLength: { type: 'integer', minimum: 8, maximum: 32, default: 24 },
    ipv6PrefixLength: { type: 'integer', minimum: 16, maximum: 128, default: 56 },
  }),
});
// ---- end of DNS hostile-traffic limits ----

// ---- zone transfer (issue 15) ----
const dnsTransferSchema = strictObject({
  allow: {
    type: 'array',
    default: [],
    description: 'Who may AXFR/IXFR. Empty (the default) refuses every transfer.',
    items: strictObject(
      {
        network: { type: 'string', description: 'An address or CIDR network, e.g. "192.0.2.0/24".' },
        key: { type: 'string', description: 'The TSIG key (keys[].name) that must sign the request.' },
      },
      { required: ['network'] },
    ),
  },
  keys: {
    type: 'array',
    default: [],
    description: 'TSIG keys, HMAC-SHA256 (RFC 8945).',
    items: strictObject(
      {
        name: { type: 'string', minLength: 1, description: 'Key name, as the secondaries spell it.' },
        secret: {
          type: 'string',
          minLength: 1,
          description: 'Base64 secret; put it in the environment: "${XFR_TSIG_SECRET}".',
        },
      },
      { required: ['name', 'secret'] },
    ),
  },
  notify: {
    type: 'array',
    default: [],
    description: 'Secondaries sent a NOTIFY (RFC 1996) on every new serial.',
    items: strictObject(
      {
        address: { ...defs.listenAddress, description: 'host:port of the secondary.' },
        key: { type: 'string', description: 'The TSIG key (keys[].name) to sign NOTIFYs with.' },
      },
      { required: ['address'] },
    ),
  },
  journalSize: { type: 'integer', minimum: 1, maximum: 1000000, default: 1000 },
  notifyRetry: { ...defs.duration, default: '1s' },
  notifyRetryMax: { ...defs.duration, default: '60s' },
  notifyMinInterval: { ...defs.duration, default: '20ms' },
});
// ---- end zone transfer ----

const dnsSchema = strictObject({
  workers: {
    oneOf: [{ const: 'auto' }, { type: 'integer', minimum: 1, maximum: 64 }],
    default: 'auto',
    description: 'Processes answering DNS: auto = one per core, at most 2; 1 = in the main process.',
  },
  udpPayloadSize: { type: 'integer', minimum: 512, maximum: 4096, default: 1232 },
  tcpIdleTimeout: { ...defs.duration, default: '10s' },
  limits: dnsLimitsSchema,
  // --- issue #10: DNS server disk cache (fix10-dnscache) ---
  cacheFile: {
    type: ['string', 'null'],
    default: 'understudy-dns-cache.json',
    description:
      'Last zone state served from Redis, served at a start without Redis; relative to the config file directory; null = off.',
  },
  // --- end issue #10 ---
  // --- issue 15: server identity (i15-conf) ---
  identity: strictObject({
    id: {
      type: ['string', 'null'],
      maxLength: 255,
      default: null,
      description:
        'Answered to CH TXT id.server and hostname.bind, to tell DNS servers apart; null (the default) = REFUSED.',
    },
    nsid: {
      type: ['string', 'null'],
      maxLength: 255,
      default: null,
      description: 'NSID (RFC 5001) sent to queries that ask for it (dig +nsid); null (the default) = none.',
    },
    version: {
      type: ['string', 'null'],
      maxLength: 255,
      default: null,
      description: 'Answered to CH TXT version.bind and version.server; null (the default) = REFUSED.',
    },
  }),
  // --- end issue 15 ---
  transfer: dnsTransferSchema, // zone transfer (issue 15)
  // --- issue 11: batched UDP I/O (i11-io) ---
  udpIo: {
    enum: ['auto', 'dgram', 'batched'],
    default: 'auto',
    description:
      'UDP I/O: batched = the recvmmsg/sendmmsg addon (Linux, built by npm run build), dgram = node:dgram, auto = batched where it loads. Falls back to dgram.',
  },
  // --- end issue 11: batched UDP I/O ---
  // --- issue 14 part 3: client location (i14geodns) ---
  geo: strictObject({
    ecs: {
      type: 'boolean',
      default: true,
      description:
        'Read EDNS Client Subnet (RFC 7871) and steer by the client subnet it carries, echoing it with its scope; false = steer by the resolver address only.',
    },
    database: {
      type: ['string', 'null'],
      default: 'bundled',
      description:
        "Country database for steered records: 'bundled' = the npm package @ip-location-db/geo-whois-asn-country-mmdb, or a path to an MMDB file (relative to the config file), null = operator networks only. Read only when some record is steered.",
    },
    networks: {
      type: 'array',
      default: [],
      description:
        'Operator networks, checked before the database (longest prefix wins): CIDR prefix → country.',
      items: strictObject(
        {
          prefix: { type: 'string', description: 'A CIDR prefix, e.g. "10.20.0.0/16" or "2001:db8::/32".' },
          country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 code.' },
        },
        { required: ['prefix', 'country'] },
      ),
    },
  }),
  // --- end issue 14 part 3 ---
});

const probeSchema = strictObject({
  flushInterval: { ...defs.duration, default: '0s' },
  jitter: { type: 'number', minimum: 0, maximum: 0.5, default: 0.1 },
  // --- probe self-health (issue #10) ---
  health: strictObject({
    maxEventLoopDelay: {
      ...defs.duration,
      default: '1s',
      description:
        'A probe whose event loop stalled longer than this is unhealthy (its region stops voting); a check deadline missed by a stall is a probe-error.',
    },
    maxFdShare: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.9,
      description: 'A probe using more than this share of its descriptor limit is unhealthy.',
    },
  }),
});

export const configSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Understudy configuration',
  ...strictObject(
    {
      $schema: { type: 'string', description: 'Ignored; lets editors find this schema.' },
      regions: { ...defs.regionList, description: 'Probe regions, unique.' },
      quorum: { ...defs.quorum, default: 'majority' },
      listen: listenSchema,
      state: strictObject({
        file: {
          type: ['string', 'null'],
          default: null,
          description: 'Embedded-mode state file, relative to the config file directory; null = memory only.',
        },
      }),
      dns: dnsSchema,
      admin: strictObject({
        tokens: {
          type: 'array',
          default: [],
          description:
            'Bearer tokens for operator actions; put the secret in the environment: "${ADMIN_TOKEN}".',
          items: {
            ...strictObject(
              {
                name: {
                  type: 'string',
                  pattern: defs.id.pattern,
                  description: 'Who acts, in the audit timeline.',
                },
                token: { type: 'string', minLength: 16, description: 'At least 16 characters.' },
              },
              { required: ['name', 'token'] },
            ),
          },
        },
      }),
      decider: deciderSchema,
      probe: probeSchema,
      logging: strictObject({
        level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], default: 'info' },
      }),
      // --- metrics cardinality (issue 11) ---
      metrics: strictObject({
        perRecord: {
          oneOf: [{ const: 'auto' }, { type: 'boolean' }],
          default: 'auto',
          description:
            'Series labelled per failover record on /metrics: auto = on up to 1,000 failover records, else off.',
        },
      }),
      // --- end metrics cardinality ---
      targets: targetsSchema,
      sync: syncSchema,
      webhooks: webhooksSchema,
      dashboard: dashboardSchema,
      httpServers: httpServersSchema,
      checks: {
        type: 'object',
        propertyNames: { pattern: defs.id.pattern },
        additionalProperties: checkSchema,
        description: 'Health checks by id.',
      },
      zones: { type: 'array', items: zoneSchema },
    },
    { required: ['regions'] },
  ),
};

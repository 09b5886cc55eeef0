/** JSON schema of the sections that connect Understudy to the outside: targets, sync, webhooks, dashboard. */
import { defs, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';
import { cloudflareRateScope, route53RateScope } from './schema-rate-scope.js';

export const WEBHOOK_EVENT_KINDS = [
  'failover',
  'failback',
  'all-down',
  'guard-hold',
  'region-stale',
  'sync-failed',
  'cert-expiring',
] as const;

const zoneRef = strictObject(
  {
    apex: {
      type: 'string',
      minLength: 1,
      description: 'Zone apex, e.g. example.com (must be a configured zone).',
    },
    id: {
      type: ['string', 'null'],
      default: null,
      description:
        "The provider's zone id (Route 53 hosted zone id, Cloudflare zone id); default: found by name.",
    },
  },
  { required: ['apex'] },
);

const targetCommon = {
  name: { ...defs.id, description: 'Target name, used in plans, events and metrics. "dns" is reserved.' },
  zones: { type: 'array', minItems: 1, items: zoneRef, description: 'Zones synced to this target.' },
  takeover: {
    type: 'boolean',
    default: false,
    description: 'Change records that lack our ownership marker (default: never touch them).',
  },
  endpoint: {
    type: ['string', 'null'],
    default: null,
    description: 'API endpoint override (an emulator or proxy); default: the vendor API.',
  },
};

const route53Target = strictObject(
  {
    ...targetCommon,
    type: { const: 'route53' },
    region: { type: 'string', default: 'us-east-1', description: 'AWS region for the API client.' },
    accessKeyId: {
      type: ['string', 'null'],
      default: null,
      description: 'Static credentials ("${AWS_ACCESS_KEY_ID}"); default: the standard AWS credential chain.',
    },
    secretAccessKey: { type: ['string', 'null'], default: null },
    profile: { type: ['string', 'null'], default: null, description: 'Shared-config profile name.' },
    requestsPerSecond: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      default: 5,
      description: 'Client-side limit for the whole account (Route 53 allows 5 requests/s).',
    },
    pollInterval: { ...defs.duration, default: '2s', description: 'GetChange polling until INSYNC.' },
    ...route53RateScope,
  },
  { required: ['name', 'type', 'zones'] },
);

const cloudflareTarget = strictObject(
  {
    ...targetCommon,
    type: { const: 'cloudflare' },
    apiToken: {
      type: 'string',
      minLength: 1,
      description: 'API token with Zone:Read and DNS:Edit ("${CF_API_TOKEN}").',
    },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 3500,
      default: 200,
      description: 'Changes per /dns_records/batch call: 200 on Free, up to 3,500 on paid plans.',
    },
    minTtl: {
      type: 'integer',
      enum: [30, 60],
      default: 60,
      description: 'Provider minimum TTL: 60, or 30 on Enterprise.',
    },
    proxied: {
      type: 'boolean',
      default: false,
      description: 'Publish proxied records (their TTL is fixed at 300 s by Cloudflare).',
    },
    rateLimit: strictObject({
      requests: { type: 'integer', minimum: 1, default: 1200 },
      window: { ...defs.duration, default: '5m' },
    }),
    ...cloudflareRateScope,
  },
  { required: ['name', 'type', 'zones', 'apiToken'] },
);

export const targetsSchema: Schema = {
  type: 'array',
  default: [],
  description: 'Providers the decision is synced to, besides the built-in DNS server.',
  items: {
    type: 'object',
    // Closed by then/else, which list every property of their target type.
    additionalProperties: true,
    required: ['type'],
    properties: { type: { enum: ['route53', 'cloudflare'] } },
    if: { properties: { type: { const: 'route53' } } },
    then: route53Target,
    else: cloudflareTarget,
  },
};

export const syncSchema: Schema = strictObject({
  reconcileInterval: {
    ...defs.duration,
    default: '60s',
    description: 'Periodic reconcile that repairs drift.',
  },
  maxChangeShare: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.5,
    description: 'A plan changing more than this share of owned records is refused unless forced.',
  },
  allowUnsafe: { type: 'boolean', default: false, description: 'Apply unsafe plans without --force.' },
  ownerId: {
    type: 'string',
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    default: 'understudy',
    description: 'Written into ownership markers; distinguishes installations sharing a zone.',
  },
});

export const webhooksSchema: Schema = {
  type: 'array',
  default: [],
  items: strictObject(
    {
      name: defs.id,
      url: { type: 'string', pattern: '^https?://', description: 'Receiver URL (http or https).' },
      format: { enum: ['json', 'slack'], default: 'json' },
      secret: {
        type: ['string', 'null'],
        default: null,
        description: 'HMAC-SHA256 key for X-Understudy-Signature ("${WEBHOOK_SECRET}").',
      },
      events: {
        type: 'array',
        items: { enum: [...WEBHOOK_EVENT_KINDS] },
        description: 'Which notifications to send; default: all.',
      },
      timeout: { ...defs.duration, default: '5s' },
      maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 6 },
    },
    { required: ['name', 'url'] },
  ),
};

export const dashboardSchema: Schema = strictObject({
  readAuth: {
    type: 'boolean',
    default: false,
    description: 'Require a token (admin.tokens) for reads as well as for changes.',
  },
});

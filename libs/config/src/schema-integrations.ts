/** JSON schema of the sections that connect Understudy to the outside: targets, sync, webhooks, dashboard. */
import { defs, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';
import type { TargetKind, TargetSchemaTools } from '@understudy/core';
import { TARGET_KINDS, TARGET_TYPES } from './target-kinds.js';

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

const tools: TargetSchemaTools = { duration: defs.duration, strictObject };

/** One target type's object: the common keys, `type`, then what its provider package adds. */
const targetOf = (kind: TargetKind): Schema =>
  strictObject(
    { ...targetCommon, type: { const: kind.type }, ...kind.schemaProperties(tools) },
    { required: ['name', 'type', 'zones', ...kind.required] },
  );

/** If type is the first kind then its object, else if the second … else the last: a chain of if/then/else. */
function byType(kinds: readonly TargetKind[]): Schema {
  const [first, ...rest] = kinds;
  if (!first) return {};
  if (rest.length === 0) return { allOf: [targetOf(first)] };
  return {
    if: { properties: { type: { const: first.type } } },
    then: targetOf(first),
    else: rest.length === 1 ? targetOf(rest[0]!) : byType(rest),
  };
}

export const targetsSchema: Schema = {
  type: 'array',
  default: [],
  description: 'Providers the decision is synced to, besides the built-in DNS server.',
  items: {
    type: 'object',
    // Closed by then/else, which list every property of their target type.
    additionalProperties: true,
    required: ['type'],
    properties: { type: { enum: TARGET_TYPES } },
    ...byType(TARGET_TYPES.map((t) => TARGET_KINDS[t] as TargetKind)),
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

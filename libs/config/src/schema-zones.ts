/** JSON schema of one entry under `zones:`. Names, values and conflicts are checked semantically. */
import { defs, recordValues, strictObject } from './schema-defs.js';
import type { Schema } from './schema-defs.js';

const uint32 = { type: 'integer', minimum: 0, maximum: 4_294_967_295 };

const soaSchema = strictObject({
  mname: { type: 'string', description: 'Primary name server. Default: the first NS.' },
  rname: { type: 'string', description: 'Mailbox of the zone admin. Default: hostmaster.<apex>.' },
  refresh: { ...uint32, default: 3600 },
  retry: { ...uint32, default: 600 },
  expire: { ...uint32, default: 1209600 },
  minimum: { ...uint32, default: 60, description: 'Negative-caching TTL (RFC 2308), seconds.' },
  ttl: { ...defs.ttl, default: 3600 },
});

const staticRecordSchema = strictObject(
  {
    name: { type: 'string', description: '"@" = apex; relative unless it ends with ".".' },
    type: { enum: ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA'] },
    ttl: { ...defs.ttl, description: 'Default: the zone ttl.' },
    value: defs.recordValue,
    values: { ...recordValues, minItems: 1 },
  },
  { required: ['name', 'type'] },
);

const answerSchema = strictObject({
  name: {
    type: 'string',
    pattern: defs.id.pattern,
    description: 'Default: primary, secondary, tertiary, tier-4…',
  },
  values: { type: 'array', minItems: 1, items: { type: 'string' } },
  value: { type: 'string' },
  check: { type: ['string', 'null'], description: 'Check id. Without one the answer is always healthy.' },
  // --- issue 14: health per address (i14addr) ---
  addresses: {
    type: 'array',
    minItems: 1,
    items: {
      type: ['string', 'object'],
      additionalProperties: false,
      required: ['value'],
      properties: {
        value: { type: 'string' },
        weight: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
        check: { type: ['string', 'null'], description: 'Default: checkTemplate expanded for this address.' },
      },
    },
    description: 'Addresses checked each on its own (instead of values + check).',
  },
  checkTemplate: {
    type: 'string',
    description: 'Id of a check whose host or URL holds {address}; one check per address is made from it.',
  },
  minHealthy: {
    type: ['integer', 'string'],
    minimum: 1,
    pattern: '^(100|[1-9]?[0-9])%$',
    description: 'Eligible addresses the tier needs to be up: a count or a share ("50%"). Default 1.',
  },
  // --- end issue 14 ---
});

// --- issue 14 part 3: steering by client location ---
const twoLetters = { type: 'string', pattern: '^[A-Za-z]{2}$' };

const steeringRuleSchema = strictObject(
  {
    match: strictObject({
      countries: {
        type: 'array',
        items: twoLetters,
        default: [],
        description: 'ISO 3166-1 alpha-2 codes ("DE", "fr"): clients located there match.',
      },
      continents: {
        type: 'array',
        items: twoLetters,
        default: [],
        description: 'AF, AN, AS, EU, NA, OC or SA: clients located there match (after every country rule).',
      },
    }),
    order: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'Answer names of this record, most preferred first: the first eligible one is served.',
    },
    healthFrom: {
      type: ['array', 'null'],
      minItems: 1,
      items: { type: 'string' },
      default: null,
      description: 'Regions whose probes alone decide health for this rule; null: the global verdict.',
    },
  },
  { required: ['match', 'order'] },
);

const steeringSchema = {
  ...strictObject(
    { rules: { type: 'array', minItems: 1, items: steeringRuleSchema } },
    { required: ['rules'] },
  ),
  type: ['object', 'null'],
  description:
    'Answers by client location (EDNS Client Subnet or resolver address); served by the built-in server only.',
};
// --- end issue 14 part 3 ---

const failoverSchema = strictObject(
  {
    name: { type: 'string' },
    type: { enum: ['A', 'AAAA', 'CNAME'] },
    ttl: { ...defs.ttl, description: 'Default: the zone ttl.' },
    answers: { type: 'array', minItems: 1, items: answerSchema, description: 'In tier order.' },
    whenAllDown: {
      type: 'string',
      default: 'primary',
      description: 'primary | last | none | the name of a fallback (or of an answer).',
    },
    fallbacks: {
      type: 'object',
      propertyNames: { pattern: defs.id.pattern },
      additionalProperties: { type: ['array', 'string'], minItems: 1, items: { type: 'string' } },
    },
    failbackAfter: {
      type: ['string', 'number'],
      minimum: 0,
      description: 'A duration or "manual". Default: max(ttl, 60s).',
    },
    flapDamping: {
      type: ['object', 'boolean', 'null'],
      additionalProperties: false,
      properties: {
        maxFlips: { type: 'integer', minimum: 2, maximum: 1000, default: 4 },
        window: { ...defs.duration, default: '15m' },
      },
      description: 'false disables; default { maxFlips: 4, window: 15m }.',
    },
    // --- issue 14: health per address (i14addr) ---
    maxAnswers: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      description: 'Serve at most this many values (Route 53 multivalue: 8). Default: no cap.',
    },
    degradedTtl: {
      ...defs.ttl,
      description: 'TTL (s) while degraded: some addresses or regions failing, the tier still up.',
    },
    // --- end issue 14 ---
    // --- issue 14 part 3: steering by client location ---
    steering: steeringSchema,
    // --- end issue 14 part 3 ---
  },
  { required: ['name', 'type', 'answers'] },
);

export const zoneSchema: Schema = strictObject(
  {
    apex: { type: 'string' },
    ttl: { ...defs.ttl, default: 300, description: 'Zone default TTL, seconds.' },
    soa: soaSchema,
    ns: { type: 'array', minItems: 1, items: { type: 'string' } },
    records: { type: 'array', items: staticRecordSchema },
    failover: { type: 'array', items: failoverSchema },
  },
  { required: ['apex', 'ns'] },
);

/** Building blocks of the JSON schema shared by several sections. */
import { DURATION_PATTERN } from './duration.js';
import { QUORUM_PATTERN } from './quorum.js';

// At most 200 characters: result batches refuse longer ids (libs/backends batch-check, the engine).
export const ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,199}$';
export const REGION_PATTERN = '^[a-z0-9][a-z0-9-]{0,199}$';
export const MAX_TTL = 2_147_483_647;

export type Schema = Record<string, unknown>;

export const strictObject = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});

/** Fragments are spread in place (no $ref) so siblings like `description` and `default` stay visible to editors. */
export const defs = {
  duration: {
    type: ['string', 'number'],
    pattern: DURATION_PATTERN,
    minimum: 0,
    description: 'A duration: "500ms", "30s", "5m", "1h", "1d", "1m30s", or a bare number of seconds.',
  },
  quorum: {
    type: 'string',
    pattern: QUORUM_PATTERN,
    description:
      'majority | all | any | "N/M" (down when at least N/M of the fresh voting regions see it down) | "P%".',
  },
  ttl: { type: 'integer', minimum: 0, maximum: MAX_TTL, description: 'Seconds, 0..2147483647.' },
  region: { type: 'string', pattern: REGION_PATTERN },
  regionList: { type: 'array', items: { type: 'string', pattern: REGION_PATTERN }, minItems: 1 },
  id: { type: 'string', pattern: ID_PATTERN },
  listenAddress: {
    type: 'string',
    pattern: '^(?:\\[[0-9A-Fa-f:.]+\\]|[0-9.]+|localhost):\\d{1,5}$',
    description: 'host:port; IPv6 in brackets, e.g. "[::1]:5300".',
  },
  /** One record value: presentation text, or an object for MX/SRV/CAA, or a list of TXT strings. */
  recordValue: {
    type: ['string', 'number', 'object', 'array'],
    additionalProperties: false,
    properties: {
      preference: { type: 'integer' },
      exchange: { type: 'string' },
      priority: { type: 'integer' },
      weight: { type: 'integer' },
      port: { type: 'integer' },
      target: { type: 'string' },
      flags: { type: 'integer' },
      tag: { type: 'string' },
      value: { type: 'string' },
    },
    items: { type: 'string' },
  },
} satisfies Record<string, Schema>;

export const recordValues: Schema = { type: 'array', items: defs.recordValue };

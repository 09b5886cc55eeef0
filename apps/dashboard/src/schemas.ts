/**
 * JSON Schemas of the API's bodies. Fastify validates requests and serializes responses with them, and the
 * OpenAPI document is generated from the same objects, so the two cannot drift apart.
 */

import { ERROR_CODES } from './errors.js';
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const nullable = (t: 'integer' | 'number' | 'string') => ({ type: [t, 'null'] }) as const;
const health = { type: 'string', enum: ['up', 'down', 'unknown'] } as const;
const strings = { type: 'array', items: str } as const;
const numberMap = { type: 'object', additionalProperties: num } as const;
/** Free-form JSON (event evidence, provider plans): serialized as it is. */
const anyObject = { type: 'object', additionalProperties: true } as const;

const obj = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});

export const errorBody = obj({
  error: { type: 'string', enum: [...ERROR_CODES] },
  message: str,
});

const timings = obj({ dns: num, connect: num, tls: num, firstByte: num, total: num }, [
  'dns',
  'connect',
  'tls',
  'firstByte',
]);

const lastResult = {
  ...obj({ ok: bool, reason: str, message: str, status: int, timings, certExpiresAt: num }, [
    'reason',
    'message',
    'status',
    'certExpiresAt',
  ]),
  type: ['object', 'null'],
};

const regionCell = obj({
  region: str,
  state: health,
  stale: bool,
  consecutiveOk: int,
  consecutiveFail: int,
  lastObservedAt: nullable('number'),
  changedAt: nullable('number'),
  last: lastResult,
});

export const checkItem = obj({
  id: str,
  type: { type: 'string', enum: ['http', 'https', 'tcp', 'dns', 'composite'] },
  target: str,
  interval: int,
  fall: int,
  rise: int,
  quorum: str,
  verdict: health,
  verdictChangedAt: nullable('number'),
  insufficient: bool,
  regions: { type: 'array', items: regionCell },
});

const targetType = { type: 'string', enum: ['builtin', 'route53', 'cloudflare', 'secondary'] } as const;

export const recordItem = obj({
  id: str,
  zone: str,
  name: str,
  type: str,
  ttl: int,
  active: obj({ kind: { type: 'string', enum: ['answer', 'fallback', 'none'] }, name: nullable('string') }),
  allDown: bool,
  values: strings,
  switchedAt: nullable('number'),
  switchedSerial: nullable('integer'),
  publishedAt: numberMap,
  effectiveBy: numberMap,
  pendingFailback: { ...obj({ to: str, dueAt: nullable('number') }), type: ['object', 'null'] },
  damped: bool,
  resumesAt: nullable('number'),
  answers: {
    type: 'array',
    items: obj(
      {
        name: str,
        values: strings,
        check: nullable('string'),
        health,
        override: { type: 'string', enum: ['up', 'down', 'obey'] },
        addresses: { type: 'array', items: obj({ value: str, check: nullable('string'), health }) },
        minHealthy: int,
      },
      ['addresses', 'minHealthy'],
    ),
  },
  ttlNow: int,
  degraded: bool,
  // Issue 14 part 3: steered records only (optional, below), one item per steering rule.
  steered: { type: 'array', items: obj({ match: strings, answer: nullable('string'), values: strings }) },
  targets: {
    type: 'array',
    items: obj({ target: str, type: targetType, inSync: bool, appliedSerial: nullable('integer') }),
  },
});
recordItem.required = recordItem.required.filter((k) => k !== 'steered');

const count = { type: 'integer', minimum: 0 } as const;

export const statusBody = obj({
  version: str,
  configHash: str,
  now: num,
  serial: int,
  epoch: int,
  zoneGeneratedAt: nullable('number'),
  leader: { ...obj({ holder: str, epoch: int }), type: ['object', 'null'] },
  counts: obj({
    checks: count,
    up: count,
    down: count,
    unknown: count,
    records: count,
    regions: count,
    staleRegions: count,
    probes: count,
    mismatchedProbes: count,
  }),
  guard: obj({ holding: bool, since: nullable('number'), released: bool }),
  eventSeq: int,
});

export const regionsBody = obj({
  items: {
    type: 'array',
    items: obj({
      region: str,
      stale: bool,
      lastSeenAt: nullable('number'),
      probes: {
        type: 'array',
        items: obj({
          probeId: str,
          lastSeenAt: num,
          configHash: nullable('string'),
          mismatch: bool,
          lagMs: num,
        }),
      },
    }),
  },
});

export const matrixBody = obj({
  regions: strings,
  totals: {
    type: 'object',
    additionalProperties: obj({ up: count, down: count, unknown: count, stale: count }),
  },
  checks: count,
});

export const checksBody = obj({
  total: count,
  offset: count,
  limit: count,
  items: { type: 'array', items: checkItem },
});

export const recordsBody = obj({ items: { type: 'array', items: recordItem } });

export const targetsBody = obj({
  items: {
    type: 'array',
    items: obj(
      {
        target: str,
        type: targetType,
        instances: { type: 'array', items: obj({ instance: str, serial: int, at: num }) },
        status: { type: ['object', 'null'], additionalProperties: true },
      },
      ['instances'],
    ),
  },
});

export const decisionEvent = {
  type: 'object',
  required: ['seq', 'at', 'type', 'severity', 'message', 'evidence'],
  properties: {
    seq: int,
    at: num,
    type: str,
    severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
    record: str,
    check: str,
    target: str,
    probe: str,
    region: str,
    from: str,
    to: str,
    serial: int,
    message: str,
    evidence: anyObject,
    actor: obj({ name: str, reason: str }),
  },
  additionalProperties: false,
} as const;

export const eventsBody = obj({
  items: { type: 'array', items: decisionEvent },
  nextBefore: nullable('integer'),
});

const drillTarget = obj(
  {
    target: str,
    instance: str,
    servedNewAt: nullable('number'),
    restoredAt: nullable('number'),
    error: str,
  },
  ['instance', 'error'],
);

export const drillReport = obj(
  {
    id: str,
    record: str,
    target: nullable('string'),
    actor: obj({ name: str, reason: str }),
    startedAt: num,
    from: strings,
    to: strings,
    status: { type: 'string', enum: ['running', 'done', 'failed'] },
    targets: { type: 'array', items: drillTarget },
    finishedAt: nullable('number'),
    error: str,
    fromAnswer: str,
    toAnswer: str,
    overrideAt: num,
    restoreAt: num,
  },
  ['error', 'fromAnswer', 'toAnswer', 'overrideAt', 'restoreAt'],
);

export const drillsBody = obj({ items: { type: 'array', items: drillReport } });

/** `reason` is required on every mutation: the audit timeline says why. */
const reason = { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } as const;

export const reasonBody = obj({ reason });
export const overrideBody = obj({
  answer: { type: 'string', minLength: 1, maxLength: 253 },
  mode: { type: 'string', enum: ['up', 'down', 'obey'] },
  reason,
});
export const drillBody = obj(
  {
    record: { type: 'string', minLength: 1, maxLength: 300 },
    target: { type: 'string', minLength: 1 },
    reason,
  },
  ['target'],
);

export const recordParams = obj({ name: { type: 'string', minLength: 1, maxLength: 254 }, type: str });
export const idParams = obj({ id: { type: 'string', minLength: 1, maxLength: 200 } });
export const targetParams = obj({ name: { type: 'string', minLength: 1, maxLength: 200 } });

export const checksQuery = obj(
  {
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    state: { type: 'string', enum: ['up', 'down', 'unknown', 'stale'] },
    q: { type: 'string', maxLength: 200 },
  },
  ['offset', 'limit', 'state', 'q'],
);

export const eventsQuery = obj(
  {
    before: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    type: { type: 'string', maxLength: 64 },
    record: { type: 'string', maxLength: 300 },
  },
  ['before', 'limit', 'type', 'record'],
);

export const recordBody = obj({ record: recordItem });
export const okBody = obj({ ok: bool });
/** POST /api/v1/reload (issue 13): 200 when applied, 422 with every problem when the file was refused. */
export const reloadBody = obj({
  ok: bool,
  from: str,
  to: nullable('string'),
  applied: strings,
  restartNeeded: strings,
  problems: strings,
});
export const forceBody = obj({ results: { type: 'array', items: anyObject } });
export const acceptedBody = obj({ id: str });
export const openapiBody = anyObject;

/**
 * Shape check for ResultBatch payloads read from the queue. Anything can be in Redis (an older or newer
 * probe, another application, a hand-edited job), so the consumer checks every field the decider relies on
 * and names the first problem with its path. The memory bus runs the same check on publish.
 *
 * Sizes are capped (issue #10): ids, messages and the number of results, so a hostile or broken payload
 * costs a bounded amount to refuse and cannot grow the decider's state. The caps sit far above anything a
 * real probe sends (one result per check per batch; 10 000 checks fit).
 */
import { isObject } from './stored.js';

type Check = (v: unknown) => string | null;

/** Most characters of an id (check, region, probe) and of a message or config hash. */
export const MAX_ID_LENGTH = 200;
export const MAX_MESSAGE_LENGTH = 4_096;
/** Most results in one batch. */
export const MAX_BATCH_RESULTS = 100_000;
/** Most bytes of one serialized batch (the Redis bus checks it on both sides). */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

const str: Check = (v) => {
  if (typeof v !== 'string' || v.length === 0) return 'expected a non-empty string';
  return v.length > MAX_ID_LENGTH ? `longer than ${MAX_ID_LENGTH} characters` : null;
};
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'expected a finite number');
const count: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'expected a non-negative integer';
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'expected a boolean');
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? null : check(v);
const anyStr: Check = (v) => {
  if (typeof v !== 'string') return 'expected a string';
  return v.length > MAX_MESSAGE_LENGTH ? `longer than ${MAX_MESSAGE_LENGTH} characters` : null;
};
const nullableCount: Check = (v) => (v === null ? null : count(v));

const TIMING_FIELDS = ['dns', 'connect', 'tls', 'firstByte'] as const;

function checkFields(
  obj: Record<string, unknown>,
  fields: Record<string, Check>,
  path: string,
): string | null {
  for (const [name, check] of Object.entries(fields)) {
    const problem = check(obj[name]);
    if (problem) return `${path}${name}: ${problem}`;
  }
  return null;
}

// Built once: every result of every batch is checked against them (result ingestion).
const RESULT_FIELDS: Record<string, Check> = {
  checkId: str,
  region: str,
  probeId: str,
  seq: count,
  observedAt: num,
  ok: bool,
  reason: optional(str),
  message: optional(anyStr),
  status: optional(count),
  certExpiresAt: optional(num),
};
const TIMINGS_FIELDS = Object.fromEntries([
  ['total', num],
  ...TIMING_FIELDS.map((f) => [f, optional(num)] as const),
]) as Record<string, Check>;

const HEALTH_FIELDS: Record<string, Check> = {
  eventLoopDelay: num,
  openFds: nullableCount,
  fdLimit: nullableCount,
  probeErrors: count,
};

function checkResult(r: unknown, path: string): string | null {
  if (!isObject(r)) return `${path}: expected an object`;
  const problem = checkFields(r, RESULT_FIELDS, `${path}.`);
  if (problem) return problem;
  if (!isObject(r.timings)) return `${path}.timings: expected an object`;
  return checkFields(r.timings, TIMINGS_FIELDS, `${path}.timings.`);
}

/** null when `v` is a well-formed ResultBatch, else the first problem found. */
export function checkBatch(v: unknown): string | null {
  if (!isObject(v)) return 'payload: expected an object';
  const problem = checkFields(
    v,
    { probeId: str, region: str, sentAt: num, configHash: optional(anyStr) },
    '',
  );
  if (problem) return problem;
  if (!Array.isArray(v.results)) return 'results: expected an array';
  if (v.results.length > MAX_BATCH_RESULTS)
    return `results: ${v.results.length} results, more than the ${MAX_BATCH_RESULTS} a batch may hold`;
  if (v.health !== undefined) {
    if (!isObject(v.health)) return 'health: expected an object';
    const bad = checkFields(v.health, HEALTH_FIELDS, 'health.');
    if (bad) return bad;
  }
  for (let i = 0; i < v.results.length; i++) {
    const bad = checkResult(v.results[i], `results[${i}]`);
    if (bad) return bad;
  }
  return null;
}

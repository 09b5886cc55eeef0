/**
 * Shape check for ResultBatch payloads read from the queue. Anything can be in Redis (an older or newer
 * probe, another application, a hand-edited job), so the consumer checks every field the decider relies on
 * and names the first problem with its path.
 */
import { isObject } from './stored.js';

type Check = (v: unknown) => string | null;

const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'expected a non-empty string');
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'expected a finite number');
const count: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'expected a non-negative integer';
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'expected a boolean');
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? null : check(v);
const anyStr: Check = (v) => (typeof v === 'string' ? null : 'expected a string');

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
  for (let i = 0; i < v.results.length; i++) {
    const bad = checkResult(v.results[i], `results[${i}]`);
    if (bad) return bad;
  }
  return null;
}

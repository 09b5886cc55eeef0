/**
 * Defensive readers for the semantic pass. It runs even when the schema found problems, so every read
 * tolerates a wrong type by returning undefined (the schema has already reported it).
 */
import { formatDuration, parseDuration } from './duration.js';
import type { Path, Problems } from './problems.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

export function int(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

export function num(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : undefined;
}

/** Timers take at most 2^31-1 ms; anything longer would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface DurationRule {
  min?: number;
  max?: number;
}

/** A duration in ms, or `fallback` after reporting why the written one is unusable. */
export function duration(
  value: unknown,
  path: Path,
  fallback: number,
  problems: Problems,
  rule: DurationRule = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') return fallback;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    problems.error(path, (err as Error).message);
    return fallback;
  }
  const min = rule.min ?? 0;
  const max = rule.max ?? MAX_TIMER_MS;
  if (ms < min) {
    problems.error(path, `must be at least ${formatDuration(min)}`);
    return fallback;
  }
  if (ms > max) {
    problems.error(path, `must be at most ${formatDuration(max)}`);
    return fallback;
  }
  return ms;
}

/** Reading back what the Redis adapters stored: JSON with a shape check, and an error that names the key. */
import {
  overlayUpdateProblem,
  withSteered,
  withTtls,
  type OverlayDelta,
  type ZoneOverlay,
} from '@understudy/core';

export class StoredDataError extends Error {
  override readonly name = 'StoredDataError';
}

export function parseStored<T>(text: string, where: string, check: (v: unknown) => string | null): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredDataError(`${where}: not JSON (${text.length} bytes)`);
  }
  const problem = check(value);
  if (problem) throw new StoredDataError(`${where}: ${problem}`);
  return value as T;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isSafeCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A journal entry. */
export function parseDelta(text: string, where: string): OverlayDelta {
  return parseStored<OverlayDelta>(text, where, (v) => overlayUpdateProblem({ kind: 'delta', delta: v }));
}

/** The overlay from its meta hash and its record hash (id → JSON values). */
export function parseOverlay(
  meta: Record<string, string>,
  fields: Record<string, string>,
  where: string,
): ZoneOverlay {
  const records: Record<string, string[]> = {};
  const ttls: Record<string, number> = {};
  const steered: Record<string, string[][]> = {};
  for (const [id, text] of Object.entries(fields)) {
    const v = parseStored<string[] | StoredRecord>(text, `${where} ${id.slice(0, 100)}`, storedRecordProblem);
    if (Array.isArray(v)) records[id] = v;
    else {
      records[id] = v.values;
      if (v.ttl !== undefined) ttls[id] = v.ttl;
      if (v.steered !== undefined) steered[id] = v.steered;
    }
  }
  const overlay: ZoneOverlay = {
    serial: Number(meta.serial),
    epoch: Number(meta.epoch),
    generatedAt: Number(meta.generatedAt),
    records,
  };
  withSteered(withTtls(overlay, ttls), steered);
  const problem = overlayUpdateProblem({ kind: 'full', overlay });
  if (problem) throw new StoredDataError(`${where}:meta: ${problem}`);
  return overlay;
}

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A record field: its values, or { values, ttl?, steered? } when it serves an adaptive TTL (issue 14) or
 * is steered (issue 14 part 3: its per-rule values).
 */
export interface StoredRecord {
  values: string[];
  ttl?: number;
  steered?: string[][];
}

/** The field a record is stored as. */
export function storedRecord(values: string[], ttl: number | undefined, steered: string[][] | undefined) {
  if (ttl === undefined && steered === undefined) return JSON.stringify(values);
  const v: StoredRecord = { values };
  if (ttl !== undefined) v.ttl = ttl;
  if (steered !== undefined) v.steered = steered;
  return JSON.stringify(v);
}

function storedRecordProblem(v: unknown): string | null {
  if (isStrings(v)) return null;
  if (
    isObject(v) &&
    isStrings(v.values) &&
    (v.ttl === undefined || isSafeCount(v.ttl)) &&
    (v.steered === undefined || (Array.isArray(v.steered) && v.steered.every(isStrings)))
  )
    return null;
  return 'not a list of strings (nor { values, ttl?, steered? })';
}

export const anObject = (v: unknown): string | null => (isObject(v) ? null : 'not an object');

/** Reading back what the Redis adapters stored: JSON with a shape check, and an error that names the key. */
import { overlayUpdateProblem, withTtls, type OverlayDelta, type ZoneOverlay } from '@understudy/core';

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
  for (const [id, text] of Object.entries(fields)) {
    const v = parseStored<string[] | { values: string[]; ttl: number }>(
      text,
      `${where} ${id.slice(0, 100)}`,
      storedRecordProblem,
    );
    if (Array.isArray(v)) records[id] = v;
    else {
      records[id] = v.values;
      ttls[id] = v.ttl;
    }
  }
  const overlay: ZoneOverlay = {
    serial: Number(meta.serial),
    epoch: Number(meta.epoch),
    generatedAt: Number(meta.generatedAt),
    records,
  };
  withTtls(overlay, ttls);
  const problem = overlayUpdateProblem({ kind: 'full', overlay });
  if (problem) throw new StoredDataError(`${where}:meta: ${problem}`);
  return overlay;
}

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A record field: its values, or (issue 14, adaptive TTL) { values, ttl }. */
function storedRecordProblem(v: unknown): string | null {
  if (isStrings(v)) return null;
  if (isObject(v) && isStrings(v.values) && isSafeCount(v.ttl)) return null;
  return 'not a list of strings (nor { values, ttl })';
}

export const anObject = (v: unknown): string | null => (isObject(v) ? null : 'not an object');

/** Reading back what the Redis adapters stored: JSON with a shape check, and an error that names the key. */
import type { ZoneState } from '@understudy/core';

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

export function checkZoneState(v: unknown): string | null {
  if (!isObject(v)) return 'not an object';
  if (!isSafeCount(v.serial)) return 'serial is not a non-negative integer';
  if (!isSafeCount(v.epoch)) return 'epoch is not a non-negative integer';
  if (!Array.isArray(v.zones)) return 'zones is not an array';
  return null;
}

export function parseZoneState(text: string, where = 'zone state'): ZoneState {
  return parseStored<ZoneState>(text, where, checkZoneState);
}

export const anObject = (v: unknown): string | null => (isObject(v) ? null : 'not an object');

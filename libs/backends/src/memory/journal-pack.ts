/**
 * Issue 11: the many near-identical items of one state-journal entry, packed. A failover of 1,100 records
 * brings 1,100 answer-switched events that differ only in their record, message and seq, and 1,100 record
 * states that differ only in their values: written whole they were ~1.3 MB of the ~1.4 MB entry the
 * decision waited for (serialised, deflated, written). Packed, the first item is whole and each next one
 * is what differs from the one before it, about a fifth of the bytes.
 *
 * A packed list is `[first, d1, d2, …]`, each `di` being `{ "s": { key: value, … }, "d": [key, …] }`: the
 * top-level keys whose value differs from the previous item's (compared as JSON values, deeply) and the
 * keys the previous item had that this one has not (either part may be absent). Unpacking gives items
 * JSON-equal to the originals (keys may come in another order), each one its own copy: nothing is shared
 * between two unpacked items. Plain JSON data only (no undefined in arrays, no functions, no NaN).
 */
import { cloneData } from '@understudy/core';

type Item = Record<string, unknown>;

/** Lists shorter than this are written whole: a one-record change stays readable text. */
export const PACK_MIN = 16;

/** Whether two JSON values are equal as JSON (a key whose value is undefined counts as absent). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  const x = a as Item;
  const y = b as Item;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || x[k] === undefined) continue;
    if (!sameJson(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (Object.hasOwn(y, k) && y[k] !== undefined) n--;
  return n === 0;
}

/** `items` packed: the first whole, each next one as its differences from the one before. */
export function pack(items: readonly object[]): unknown[] {
  const out: unknown[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Item;
    if (i === 0) {
      out[0] = item;
      continue;
    }
    const prev = items[i - 1] as Item;
    let set: Item | undefined;
    let del: string[] | undefined;
    for (const k in item) {
      if (!Object.hasOwn(item, k)) continue;
      const v = item[k];
      if (v === undefined || sameJson(v, prev[k])) continue;
      put((set ??= {}), k, v);
    }
    for (const k in prev)
      if (
        Object.hasOwn(prev, k) &&
        prev[k] !== undefined &&
        (!Object.hasOwn(item, k) || item[k] === undefined)
      )
        (del ??= []).push(k);
    const d: Item = {};
    if (set) d.s = set;
    if (del) d.d = del;
    out[i] = d;
  }
  return out;
}

/** item[k] = v, as an own property even for "__proto__" (a JSON key, not the prototype). */
function put(item: Item, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(item, k, { value: v, enumerable: true, writable: true, configurable: true });
  else item[k] = v;
}

function isItem(v: unknown): v is Item {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The items of a packed list, each its own copy; throws naming `what` and the index when malformed. */
export function unpack(packed: unknown, what: string): Item[] {
  if (!Array.isArray(packed)) throw new Error(`${what}: a packed list must be an array`);
  const out: Item[] = [];
  for (let i = 0; i < packed.length; i++) {
    const p: unknown = packed[i];
    if (!isItem(p)) throw new Error(`${what}[${i}]: not an object`);
    if (i === 0) {
      out.push(cloneData(p));
      continue;
    }
    const { s, d } = p;
    if (s !== undefined && !isItem(s)) throw new Error(`${what}[${i}]: "s" must be an object`);
    if (d !== undefined && !(Array.isArray(d) && d.every((k) => typeof k === 'string')))
      throw new Error(`${what}[${i}]: "d" must be a list of keys`);
    const prev = out[i - 1]!;
    const item: Item = {};
    const gone = d ? new Set(d) : null;
    for (const k in prev) if (Object.hasOwn(prev, k) && !gone?.has(k)) put(item, k, cloneData(prev[k]));
    if (s) for (const k in s) if (Object.hasOwn(s, k)) put(item, k, cloneData(s[k]));
    out.push(item);
  }
  return out;
}

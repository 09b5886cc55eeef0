/**
 * A Map of type code → RRset for one name, small for the common case (issue 11 §2: memory per name).
 * Most names of a large zone hold a single RRset; a real Map costs about 230 bytes even then (the object
 * and its hash table), this one about 40. A second type moves the entries into a real Map.
 */
import type { RRsetModel } from './model.js';

const NONE = -1;

export class RRsetMap implements Map<number, RRsetModel> {
  private type = NONE;
  private rrset: RRsetModel | undefined = undefined;
  private map: Map<number, RRsetModel> | null = null;

  get size(): number {
    return this.map ? this.map.size : this.type === NONE ? 0 : 1;
  }

  get(type: number): RRsetModel | undefined {
    if (this.map) return this.map.get(type);
    return type === this.type ? this.rrset : undefined;
  }

  has(type: number): boolean {
    return this.map ? this.map.has(type) : type === this.type && this.type !== NONE;
  }

  set(type: number, rrset: RRsetModel): this {
    if (this.map) this.map.set(type, rrset);
    else if (this.type === NONE || this.type === type) {
      this.type = type;
      this.rrset = rrset;
    } else {
      this.map = new Map([[this.type, this.rrset!]]);
      this.map.set(type, rrset);
      this.type = NONE;
      this.rrset = undefined;
    }
    return this;
  }

  /** A copy with `rrset` for `type` (issue 11: an overlay update replaces one RRset of a node). */
  copyWith(type: number, rrset: RRsetModel): RRsetMap {
    const c = new RRsetMap();
    if (this.map) {
      c.map = new Map(this.map);
      c.map.set(type, rrset);
    } else {
      if (this.type !== NONE) c.set(this.type, this.rrset!);
      c.set(type, rrset);
    }
    return c;
  }

  delete(type: number): boolean {
    if (this.map) return this.map.delete(type);
    if (type !== this.type || this.type === NONE) return false;
    this.type = NONE;
    this.rrset = undefined;
    return true;
  }

  clear(): void {
    this.map = null;
    this.type = NONE;
    this.rrset = undefined;
  }

  *entries(): MapIterator<[number, RRsetModel]> {
    if (this.map) yield* this.map.entries();
    else if (this.type !== NONE) yield [this.type, this.rrset!];
  }

  *keys(): MapIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<RRsetModel> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(
    fn: (value: RRsetModel, key: number, map: Map<number, RRsetModel>) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): MapIterator<[number, RRsetModel]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'RRsetMap';
  }
}

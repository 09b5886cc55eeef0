/**
 * The pieces of a served-zones update (served-zones.ts, served-update.ts): the state of each failover
 * slot, and small pure helpers to compare and parse values. Plain data.
 */
import { parseRdata } from '@understudy/core';
import type { Rdata } from '@understudy/core';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import type { ZoneModel } from './model.js';
import type { FailoverSlot } from './zone-base.js';

export interface SlotState {
  slot: FailoverSlot;
  type: number;
  zone: ZoneModel;
  values: string[];
  /** Issue 14: the TTL served (the slot's, or the overlay's adaptive TTL). */
  ttl: number;
  /** Issue 14 part 3: the values per steering rule (null: every rule serves `values`). */
  steered: string[][] | null;
}

export type Steered = string[][] | null;

export function sameSteered(a: Steered, b: Steered): boolean {
  if (a === null || b === null) return a === b;
  // A rule's entry may be null in JSON (absent: the rule serves the default values).
  const same = (x: string[] | null | undefined, y: string[] | null | undefined): boolean =>
    x === null || x === undefined ? y === null || y === undefined : !!y && sameValues(x, y);
  return a.length === b.length && a.every((v, i) => same(v, b[i]));
}

export function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function parsedOrThrow(slot: FailoverSlot, value: string): Rdata {
  const r = parseRdata(slot.type, value);
  if (!r.ok) throw new Error(`${slot.id}: ${r.error}`);
  return r.rdata;
}

export function withSerial(rec: Resource, serial: number): Resource {
  return new Packet.Resource({ ...rec, serial });
}

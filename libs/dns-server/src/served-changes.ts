/**
 * The pieces of a served-zones update (served-zones.ts, served-update.ts): the state of each failover
 * slot, and small pure helpers to compare and parse values. Plain data.
 */
import { parseRdata } from '@understudy/core';
import type { Rdata } from '@understudy/core';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import type { EncodedName } from './fast-table.js';
import type { NodeModel, ZoneModel } from './model.js';
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
  /**
   * Issue 11: the record is the only failover record at its name, which is not a zone apex, and it is
   * not steered; so its node and its name's bodies depend on its values and TTL alone (see SlotVariant).
   */
  cacheable: boolean;
  /** What was served before the last change of a cacheable record, kept for a flip back. */
  prev: SlotVariant | null;
}

/**
 * Issue 11: a failover record flips between a few answers (failover, failback). What a cacheable record
 * served before its last change, its model node and (when the name read no other failover record nor
 * the SOA) its name's encoded bodies, is kept; an update back to those values and TTL puts them back in
 * without parsing or encoding anything. One per record: memory grows with the records that changed.
 */
export interface SlotVariant {
  values: readonly string[];
  ttl: number;
  node: NodeModel;
  /** The bodies of the record's own name, or null when they also read something else that may move. */
  enc: EncodedName | null;
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
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function parsedOrThrow(slot: FailoverSlot, value: string): Rdata {
  const r = parseRdata(slot.type, value);
  if (!r.ok) throw new Error(`${slot.id}: ${r.error}`);
  return r.rdata;
}

export function withSerial(rec: Resource, serial: number): Resource {
  return new Packet.Resource({ ...rec, serial });
}

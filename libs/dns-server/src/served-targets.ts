/**
 * The pieces of an overlay update (served-update.ts) that look at records one by one: which records an
 * update changes, and (issue 11) the cheap re-encoding of a changed record's own name.
 */
import type { OverlayUpdate } from '@understudy/core';
import { TYPE } from './constants.js';
import { plainAnswer } from './fast-table.js';
import type { EncodedName, FastName } from './fast-table.js';
import { sameSteered, sameValues } from './served-changes.js';
import type { SlotState, Steered } from './served-changes.js';
import type { Change } from './served-update.js';

function add(out: Change[], st: SlotState, values: string[], ttl: number, steered: Steered): void {
  if (sameValues(st.values, values) && st.ttl === ttl && sameSteered(st.steered, steered)) return;
  out.push({ st, values, ttl, steered, hit: null, entry: null, records: null });
}

/**
 * The records an update names (a delta) or all of them (a full overlay) whose values, TTL or steered
 * values differ from what is served, with what the update gives them.
 */
export function changesOf(slots: ReadonlyMap<string, SlotState>, u: OverlayUpdate): Change[] {
  const out: Change[] = [];
  if (u.kind === 'delta') {
    const { records, ttls, steered } = u.delta;
    for (const id in records) {
      const st = Object.hasOwn(records, id) ? slots.get(id) : undefined;
      if (st !== undefined) add(out, st, records[id]!, ttls?.[id] ?? st.slot.ttl, steered?.[id] ?? null);
    }
  } else {
    const { records, ttls, steered } = u.overlay;
    slots.forEach((st, id) =>
      add(out, st, records[id] ?? st.slot.values, ttls?.[id] ?? st.slot.ttl, steered?.[id] ?? null),
    );
  }
  return out;
}

/**
 * Issue 11: the new bodies of a cacheable A or AAAA record's own name when only its answer of that type
 * can have changed: the served bodies read no other failover record and no SOA, and the served answer
 * of that type was the RRset itself or the zone's NODATA (not a referral, not an alias). Null: encode
 * the name in full.
 */
export function ownAnswer(c: Change, e: FastName, table: { encoded: number }): EncodedName | null {
  const { st, records } = c;
  const name = st.slot.name;
  if (records === null || st.type === TYPE.CNAME || e.serialBound) return null;
  if (e.deps.length !== 1 || e.deps[0] !== name) return null;
  const i = e.qtypes.indexOf(st.type);
  const served = e.answers[i];
  if (served === undefined) return null;
  const plain = served.aa && served.rcode === 0 && served.ns === 0 && served.ar === 0 && served.an > 0;
  if (served !== e.home.nodata && !plain) return null;
  const answers = e.answers.slice();
  answers[i] = records.length === 0 ? e.home.nodata : plainAnswer(name, st.type, records, table);
  return { answers, other: e.other, deps: e.deps, serialBound: false };
}

/**
 * Issue 14 part 3: the per-rule answers of the names that read a steered failover record. For each
 * rule with values in the overlay (`steered[id][i]`), the record's RRset is put into the model with
 * those values, the name is encoded as the fast table encodes it, and the RRset is put back: the model
 * itself always holds the default values (what AXFR/IXFR, providers and unmatched clients get).
 */
import { compileSteering, parseRdata } from '@understudy/core';
import type { RulePicker } from '@understudy/core';
import { TYPE, TYPE_CODE } from './constants.js';
import { encodeName } from './fast-table.js';
import type { FastName, Steer } from './fast-table.js';
import type { ZoneModelSet } from './model.js';
import { toResource } from './records.js';
import type { FailoverSlot } from './zone-base.js';

interface SteeredSlot {
  slot: FailoverSlot;
  picker: RulePicker;
  rules: number;
}

export class SteerEncoder {
  /** Steered slots by owner name (what FastName.deps lists). */
  private readonly byName = new Map<string, SteeredSlot>();

  private constructor(slots: readonly FailoverSlot[]) {
    for (const slot of slots) {
      const m = slot.steering;
      if (m && m.length > 0)
        this.byName.set(slot.name, { slot, picker: compileSteering(m), rules: m.length });
    }
  }

  /** An encoder for the steered slots, or null when none is (a plain server pays nothing). */
  static of(slots: readonly FailoverSlot[]): SteerEncoder | null {
    const e = new SteerEncoder(slots);
    return e.byName.size > 0 ? e : null;
  }

  get names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /**
   * The per-rule answers of `e` whose answers read `deps`, or null when none of them is steered. When a
   * name reads two steered records (an alias chain through both), the first one's rules steer it and the
   * other serves its default values.
   */
  encode(
    model: ZoneModelSet,
    e: FastName,
    deps: readonly string[],
    watched: ReadonlySet<string>,
    table: { encoded: number },
    steeredOf: (id: string) => readonly (readonly string[] | undefined)[] | null,
  ): Steer | null {
    let s: SteeredSlot | undefined;
    for (const d of deps) if ((s = this.byName.get(d)) !== undefined) break;
    if (s === undefined) return null;
    const { slot } = s;
    const values = steeredOf(slot.id);
    const node = model.zones.get(slot.zone)!.nodes.get(slot.name)!;
    const home = model.zones.get(e.home.apex)!;
    const type = TYPE_CODE[slot.type];
    const current = node.rrsets.get(type)!;
    const cname = node.cname;
    const rules: Steer['rules'] = [];
    for (let i = 0; i < s.rules; i++) {
      const v = values?.[i];
      if (v === undefined || v === null) {
        rules.push(null);
        continue;
      }
      const records = v.map((value) => {
        const r = parseRdata(slot.type, value);
        if (!r.ok) throw new Error(`${slot.id}: steering rule ${i}: ${r.error}`);
        return toResource(slot.name, current.ttl, r.rdata);
      });
      const variant = { ...current, records };
      node.rrsets.set(type, variant);
      if (type === TYPE.CNAME) node.cname = records.length > 0 ? variant : null;
      try {
        const enc = encodeName(model, home, e.home, e.name, e.qtypes, watched, table);
        rules.push({ answers: enc.answers, other: enc.other });
      } finally {
        node.rrsets.set(type, current);
        node.cname = cname;
      }
    }
    return { picker: s.picker, rules };
  }
}

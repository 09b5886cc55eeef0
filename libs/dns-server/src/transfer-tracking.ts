/**
 * Feeds the IXFR journal from the overlay updates a DnsServer applies: the RRsets a delta names are read
 * before and after it is applied (O(delta)); a whole overlay or a new base clears the journal instead,
 * so a secondary behind it gets the whole zone.
 */
import type { OverlayUpdate } from '@understudy/core';
import { TYPE_CODE } from './constants.js';
import type { Resource } from './dns2.js';
import type { ServedZones } from './served-zones.js';
import type { RRsetChange, TransferJournal } from './transfer-journal.js';

function recordsOf(served: ServedZones, zone: string, name: string, type: number): readonly Resource[] {
  return served.snapshot.model.zones.get(zone)?.nodes.get(name)?.rrsets.get(type)?.records ?? [];
}

/** Call before applying `u`; call the returned function once it was applied. */
export function trackUpdate(journal: TransferJournal, served: ServedZones, u: OverlayUpdate): () => void {
  const from = served.snapshot.serial;
  if (u.kind !== 'delta') return () => journal.clear();
  const before: RRsetChange[] = [];
  for (const id of Object.keys(u.delta.records)) {
    const s = served.slotSpecs.get(id);
    if (!s) continue;
    const type = TYPE_CODE[s.type];
    before.push({
      zone: s.zone,
      name: s.name,
      type,
      before: recordsOf(served, s.zone, s.name, type),
      after: [],
    });
  }
  return () => {
    for (const c of before) c.after = recordsOf(served, c.zone, c.name, c.type);
    journal.add(from, served.snapshot.serial, before);
  };
}

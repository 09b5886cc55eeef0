/**
 * The memory store's overlay writes: judging an update against the stored serial, and applying it in place
 * (O(delta) for a delta) with an undo for when the file write that must precede it fails.
 */
import {
  cloneData,
  deepFreeze,
  patchOverlay,
  updateSerial,
  type OverlayDelta,
  type OverlayUpdate,
  type WriteOutcome,
  type ZoneOverlay,
} from '@understudy/core';

/**
 * 'apply', 'skip' (a retry of an accepted write: `retry` says whether that is allowed) or the refusal.
 * A delta needs a stored overlay at its base: after a previous-format file there is only a serial.
 */
export function judgeUpdate(
  overlay: ZoneOverlay | null,
  storedSerial: number,
  u: OverlayUpdate,
  retry: boolean,
): 'apply' | 'skip' | WriteOutcome {
  const serial = updateSerial(u);
  if (!Number.isSafeInteger(serial) || serial < 0)
    throw new RangeError(`overlay serial must be a non-negative integer, got ${serial}`);
  if (retry && serial === storedSerial && overlay !== null) return 'skip';
  const fits =
    u.kind === 'delta'
      ? overlay !== null && u.delta.base === storedSerial && serial > storedSerial
      : serial > storedSerial;
  return fits ? 'apply' : { ok: false, reason: 'stale-serial', storedSerial };
}

export interface Applied {
  overlay: ZoneOverlay;
  journal: OverlayDelta[];
  /** What subscribers receive: a frozen copy, so nobody shares the store's own objects. */
  notice: OverlayUpdate;
  /** Puts the overlay back as it was (a delta is applied in place). */
  undo: () => void;
}

function frozenDelta(d: OverlayDelta): OverlayDelta {
  return deepFreeze({
    ...d,
    records: cloneData(d.records),
    ...(d.ttls ? { ttls: { ...d.ttls } } : {}),
    ...(d.steered ? { steered: structuredClone(d.steered) } : {}), // issue 14 part 3
  });
}

/** Record entries of each journal delta, counted once. */
const entries = new WeakMap<OverlayDelta, number>();
const entriesOf = (d: OverlayDelta): number => {
  let n = entries.get(d);
  if (n === undefined) entries.set(d, (n = Object.keys(d.records).length));
  return n;
};

/**
 * The newest deltas of `journal` within `limit` deltas and `maxRecords` record entries (the newest always
 * stays). Issue 11: 1,000 deltas of a 1,100-record failover held about 139 MB; a reader behind what is
 * kept reads the whole overlay, which has one entry per failover record.
 */
export function boundJournal(journal: OverlayDelta[], limit: number, maxRecords: number): OverlayDelta[] {
  let start = Math.max(0, journal.length - limit);
  let held = 0;
  for (let i = journal.length - 1; i >= start; i--) {
    held += entriesOf(journal[i]!);
    if (held > maxRecords && i < journal.length - 1) {
      start = i + 1;
      break;
    }
  }
  return start === 0 ? journal : journal.slice(start);
}

export function applyUpdate(
  overlay: ZoneOverlay | null,
  journal: readonly OverlayDelta[],
  u: OverlayUpdate,
  limit: number,
  maxRecords = Infinity,
): Applied {
  if (u.kind === 'full') {
    const copy = structuredClone(u.overlay);
    // A full overlay breaks the chain: older deltas no longer lead to it, so readers of the journal re-read.
    return {
      overlay: copy,
      journal: [],
      notice: { kind: 'full', overlay: deepFreeze(structuredClone(copy)) },
      undo: () => undefined,
    };
  }
  const target = overlay!;
  const d = frozenDelta(u.delta);
  const undo = patchOverlay(target, d);
  const next = boundJournal([...journal, d], limit, maxRecords);
  return {
    overlay: target,
    journal: next,
    notice: { kind: 'delta', delta: d },
    undo,
  };
}

/**
 * Zone = static base + overlay (DESIGN.md §2). The static base (SOA, NS, static records) comes from the
 * config, in every process that serves it. The overlay is what changes at run time: the values each
 * failover record serves, with a serial. A change is published as a delta; a consumer that misses a
 * serial, or starts, reads the whole overlay.
 */
import type { FailoverRecordConfig, UnderstudyConfig } from './config-types.js';
import type { RecordState, ZoneState } from './state-types.js';
import { buildZoneData } from './zone-state.js';

/** The run-time part of the served zones. */
export interface ZoneOverlay {
  /** Also the SOA serial of every zone. */
  serial: number;
  /** The fencing epoch of the decider that wrote it. */
  epoch: number;
  generatedAt: number;
  /**
   * Failover record id → the values it serves now (canonical, as in RecordState.values). A record of the
   * config that is absent serves its first answer; an id the config does not know is ignored.
   */
  records: Record<string, string[]>;
}

/** One change of the overlay: only the records whose values changed, from serial `base` to `serial`. */
export interface OverlayDelta {
  /** The serial this delta applies on top of. */
  base: number;
  serial: number;
  epoch: number;
  generatedAt: number;
  records: Record<string, string[]>;
}

/** What a follower receives: a delta it can apply, or the whole overlay (start, gap, resync). */
export type OverlayUpdate = { kind: 'delta'; delta: OverlayDelta } | { kind: 'full'; overlay: ZoneOverlay };

/** The serial an update leads to. */
export function updateSerial(u: OverlayUpdate): number {
  return u.kind === 'delta' ? u.delta.serial : u.overlay.serial;
}

/** The overlay of a decider's record states. */
export function overlayOf(
  records: Record<string, RecordState>,
  serial: number,
  epoch: number,
  now: number,
): ZoneOverlay {
  const out: Record<string, string[]> = {};
  for (const [id, st] of Object.entries(records)) out[id] = st.values;
  return { serial, epoch, generatedAt: now, records: out };
}

/**
 * `overlay` with `delta` applied, as a new object (the records map is copied: O(failover records), for
 * callers that keep immutable overlays; consumers on the hot path apply deltas in place). Null when the
 * delta does not start at the overlay's serial: the caller must read the whole overlay instead.
 */
export function applyDelta(overlay: ZoneOverlay, delta: OverlayDelta): ZoneOverlay | null {
  if (delta.base !== overlay.serial || delta.serial <= overlay.serial) return null;
  return {
    serial: delta.serial,
    epoch: delta.epoch,
    generatedAt: delta.generatedAt,
    records: { ...overlay.records, ...delta.records },
  };
}

/** The values a failover record serves under `overlay`: its entry, or its first answer's. */
export function overlayValues(overlay: ZoneOverlay | null, rec: FailoverRecordConfig): string[] {
  return overlay?.records[rec.id] ?? rec.answers[0]!.values;
}

/**
 * The whole zone state an overlay stands for, for consumers that need every RRset (provider plans, the
 * CLI's plan and dns commands). O(zone): never on a per-change hot path.
 */
export function materializeZoneState(config: UnderstudyConfig, overlay: ZoneOverlay): ZoneState {
  return {
    serial: overlay.serial,
    epoch: overlay.epoch,
    generatedAt: overlay.generatedAt,
    zones: config.zones.map((z) => buildZoneData(z, (id) => overlay.records[id], overlay.serial)),
  };
}

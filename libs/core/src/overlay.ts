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
  /**
   * Issue 14 (adaptive TTL): failover record id → the TTL it serves now, only while that differs from its
   * configured TTL (a degraded record). Absent (older writers) = every record serves its configured TTL.
   */
  ttls?: Record<string, number>;
  /**
   * Issue 14 part 3: steered failover record id → the values served to the clients of each steering rule
   * (index = rule index in the config). `records[id]` stays what every other client (and every provider)
   * gets. Absent = no steered records.
   */
  steered?: Record<string, string[][]>;
}

/** One change of the overlay: only the records whose values changed, from serial `base` to `serial`. */
export interface OverlayDelta {
  /** The serial this delta applies on top of. */
  base: number;
  serial: number;
  epoch: number;
  generatedAt: number;
  records: Record<string, string[]>;
  /** TTLs of records in `records` that serve other than their configured TTL; a record listed without one serves its own. */
  ttls?: Record<string, number>;
  /**
   * Issue 14 part 3: for steered records listed in `records`, their per-rule values (whole list). A record
   * in `records` that is steered always has its entry here; a change of rule values alone lists the record
   * in `records` too (with its unchanged default values).
   */
  steered?: Record<string, string[][]>;
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
  const ttls: Record<string, number> = {};
  const steered: Record<string, string[][]> = {};
  for (const [id, st] of Object.entries(records)) {
    out[id] = st.values;
    if (typeof st.ttl === 'number') ttls[id] = st.ttl;
    if (st.steered) steered[id] = st.steered.map((r) => r.values);
  }
  return withSteered(withTtls({ serial, epoch, generatedAt: now, records: out }, ttls), steered);
}

/**
 * `overlay` with `delta` applied, as a new object (the records map is copied: O(failover records), for
 * callers that keep immutable overlays; consumers on the hot path apply deltas in place). Null when the
 * delta does not start at the overlay's serial: the caller must read the whole overlay instead.
 */
export function applyDelta(overlay: ZoneOverlay, delta: OverlayDelta): ZoneOverlay | null {
  if (delta.base !== overlay.serial || delta.serial <= overlay.serial) return null;
  const next = {
    serial: delta.serial,
    epoch: delta.epoch,
    generatedAt: delta.generatedAt,
    records: { ...overlay.records, ...delta.records },
  };
  return withSteered(withTtls(next, mergeTtls(overlay.ttls, delta)), mergeSteered(overlay.steered, delta));
}

/**
 * `delta` applied to `overlay` in place, for the consumers that keep one overlay and follow deltas (the
 * memory store, the DNS role, the worker pool): the records in O(delta); the TTLs and per-rule values,
 * which few records have, replaced as a whole. The caller has checked that the delta follows the overlay
 * (as applyDelta does). Returns the function that puts the overlay back as it was.
 */
export function patchOverlay(overlay: ZoneOverlay, delta: OverlayDelta): () => void {
  const before = { serial: overlay.serial, epoch: overlay.epoch, generatedAt: overlay.generatedAt };
  const { ttls, steered } = overlay;
  const previous = new Map<string, string[] | undefined>();
  for (const id of Object.keys(delta.records)) {
    previous.set(id, Object.hasOwn(overlay.records, id) ? overlay.records[id] : undefined);
    overlay.records[id] = delta.records[id]!;
  }
  withTtls(overlay, mergeTtls(ttls, delta));
  withSteered(overlay, mergeSteered(steered, delta));
  Object.assign(overlay, { serial: delta.serial, epoch: delta.epoch, generatedAt: delta.generatedAt });
  return () => {
    Object.assign(overlay, before);
    withTtls(overlay, ttls);
    withSteered(overlay, steered);
    for (const [id, values] of previous) {
      if (values === undefined) delete overlay.records[id];
      else overlay.records[id] = values;
    }
  };
}

// --- issue 14: adaptive TTL (i14addr) ---
/** `o` with `ttls` set when there are any (left out otherwise, so TTL-less overlays keep their old shape). */
export function withTtls<T extends ZoneOverlay | OverlayDelta>(
  o: T,
  ttls: Record<string, number> | undefined,
): T {
  if (ttls && Object.keys(ttls).length > 0) o.ttls = ttls;
  else delete o.ttls;
  return o;
}

/** The TTLs after `delta`: a record the delta lists takes the delta's TTL for it, or its configured one. */
export function mergeTtls(
  base: Readonly<Record<string, number>> | undefined,
  delta: Pick<OverlayDelta, 'records' | 'ttls'>,
): Record<string, number> | undefined {
  if (!base && !delta.ttls) return undefined;
  const out = { ...base };
  for (const id of Object.keys(delta.records)) delete out[id];
  return Object.assign(out, delta.ttls);
}

// --- issue 14 part 3: steering by client location ---
/** `o` with `steered` set when there are any (left out otherwise: unsteered overlays keep their old shape). */
export function withSteered<T extends ZoneOverlay | OverlayDelta>(
  o: T,
  steered: Record<string, string[][]> | undefined,
): T {
  if (steered && Object.keys(steered).length > 0) o.steered = steered;
  else delete o.steered;
  return o;
}

/**
 * The per-rule values after `delta`: a record the delta lists takes the delta's entry for it, or none (it
 * is no longer steered). As mergeTtls: O(steered records), which are few.
 */
export function mergeSteered(
  base: Readonly<Record<string, string[][]>> | undefined,
  delta: Pick<OverlayDelta, 'records' | 'steered'>,
): Record<string, string[][]> | undefined {
  if (!base && !delta.steered) return undefined;
  const out = { ...base };
  for (const id of Object.keys(delta.records)) delete out[id];
  return Object.assign(out, delta.steered);
}
// --- end issue 14 part 3 ---

/** The TTL a failover record serves under `overlay`. */
export function overlayTtl(overlay: ZoneOverlay | null, rec: FailoverRecordConfig): number {
  return overlay?.ttls?.[rec.id] ?? rec.ttl;
}
// --- end issue 14 ---

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
    zones: config.zones.map((z) =>
      buildZoneData(
        z,
        (id) => overlay.records[id],
        overlay.serial,
        (id) => overlay.ttls?.[id],
      ),
    ),
  };
}

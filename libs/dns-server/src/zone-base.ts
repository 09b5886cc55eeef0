/**
 * The static base of the served zones (DESIGN.md §2 "zone = static base + overlay"): built once from the
 * config in every process that serves it, then combined with overlays. Plain JSON, so a worker can
 * load it from a file as well as build it from the config.
 */
import { parseRdata, soaValue } from '@understudy/core';
import type {
  FailoverRecordType,
  Rdata,
  SteeringMatch,
  OverlayUpdate,
  UnderstudyConfig,
  ZoneData,
  ZoneOverlay,
  ZoneState,
} from '@understudy/core';

/** One failover record: an RRset whose values the overlay sets. */
export interface FailoverSlot {
  /** The failover record id, the overlay's key. */
  id: string;
  /** Apex of the zone it belongs to. */
  zone: string;
  name: string;
  type: FailoverRecordType;
  ttl: number;
  /** What it serves while the overlay has no entry for it: its first answer's values. */
  values: string[];
  /** Issue 14 part 3: the match of each steering rule, in config order; absent = not steered. */
  steering?: SteeringMatch[];
}

export interface ZoneBase {
  /** Per zone the static RRsets: SOA (its serial is replaced by the overlay's), apex NS, static records. */
  zones: ZoneData[];
  slots: FailoverSlot[];
}

export function zoneBaseFromConfig(config: UnderstudyConfig): ZoneBase {
  const zones: ZoneData[] = [];
  const slots: FailoverSlot[] = [];
  for (const z of config.zones) {
    zones.push({
      apex: z.apex,
      rrsets: [
        { name: z.apex, type: 'SOA', ttl: z.soa.ttl, values: [soaValue(z, 0)] },
        { name: z.apex, type: 'NS', ttl: z.defaultTtl, values: [...z.ns] },
        ...z.records,
      ],
    });
    for (const r of z.failover)
      slots.push({
        id: r.id,
        zone: z.apex,
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        values: r.answers[0]!.values,
        // Issue 14 part 3: only the matches; the decider turns the rules' order and health into values.
        ...(r.steering && r.steering.rules.length > 0
          ? { steering: r.steering.rules.map((rule) => rule.match) }
          : {}),
      });
  }
  return { zones, slots };
}

/** An SOA value with another serial (the third field). */
export function soaWithSerial(value: string, serial: number): string {
  const f = value.trim().split(/\s+/);
  if (f.length === 7) f[2] = String(serial);
  return f.join(' ');
}

/** The full zone state of a base under an overlay: what setBase validates and builds. O(zone). */
export function baseZoneState(base: ZoneBase, overlay: ZoneOverlay): ZoneState {
  const byZone = new Map<string, ZoneData>();
  const zones = base.zones.map((z) => {
    const rrsets = z.rrsets.map((rr) =>
      rr.type === 'SOA' ? { ...rr, values: rr.values.map((v) => soaWithSerial(v, overlay.serial)) } : rr,
    );
    const data = { apex: z.apex, rrsets };
    byZone.set(z.apex, data);
    return data;
  });
  for (const s of base.slots) {
    const values = overlay.records[s.id] ?? s.values;
    // A slot whose zone is missing is reported by slotProblems; here it only has nowhere to go.
    const ttl = overlay.ttls?.[s.id] ?? s.ttl; // issue 14: adaptive TTL
    byZone.get(s.zone)?.rrsets.push({ name: s.name, type: s.type, ttl, values: [...values] });
  }
  return { serial: overlay.serial, epoch: overlay.epoch, generatedAt: overlay.generatedAt, zones };
}

/** Problems of the slot list itself (ids, zones), each naming the slot. */
export function slotProblems(base: ZoneBase): string[] {
  const problems: string[] = [];
  const apexes = new Set(base.zones.map((z) => z.apex));
  const ids = new Set<string>();
  base.slots.forEach((s, i) => {
    if (ids.has(s.id)) problems.push(`slots[${i}]: failover record ${s.id} is listed twice`);
    ids.add(s.id);
    if (!apexes.has(s.zone)) problems.push(`slots[${i}]: ${s.id}: zone ${s.zone} is not in the base`);
  });
  return problems;
}

/**
 * Why `values` cannot be served by `slot`, or null. Cheap: parses each value for the slot's type, and
 * appends what it parsed to `parsed` when given (so the caller need not parse them again).
 */
export function slotValuesProblem(slot: FailoverSlot, values: unknown, parsed?: Rdata[]): string | null {
  if (!Array.isArray(values)) return `${slot.id}: values must be a list`;
  if (slot.type === 'CNAME' && values.length > 1) return `${slot.id}: a CNAME RRset holds one value`;
  for (const v of values) {
    if (typeof v !== 'string') return `${slot.id}: value ${String(v)} is not a string`;
    const r = parseRdata(slot.type, v);
    if (!r.ok) return `${slot.id}: ${r.error}`;
    parsed?.push(r.rdata);
  }
  return null;
}

/**
 * Checks an update against the served serial and the slots, without touching anything: every bad
 * value is named. Returns the error, or null when the update can be applied. With `parsed`, the parsed
 * values of each record the update names are left there by id.
 */
export function updateProblem(
  slots: ReadonlyMap<string, FailoverSlot>,
  served: number | null,
  u: OverlayUpdate,
  parsed?: Map<string, Rdata[]>,
): string | null {
  const check = checkUpdate(slots, served, u, parsed);
  for (;;) {
    const step = check.next();
    if (step.done) return step.value;
  }
}

/**
 * updateProblem as a generator that yields after each record it checked (or when `due` says), so that a
 * DNS worker can check a large update in slices (ServedZones.applySliced) between which it answers queries.
 */
export function* checkUpdate(
  slots: ReadonlyMap<string, FailoverSlot>,
  served: number | null,
  u: OverlayUpdate,
  parsed?: Map<string, Rdata[]>,
  /** Issue 11: values known to be good for the record (served before), not parsed again. */
  known?: (id: string, values: unknown) => boolean,
  /** When given, yields only when this says so (a slice is used up), not after every record. */
  due?: () => boolean,
): Generator<void, string | null> {
  if (served === null) return 'no base is served yet: call setBase first';
  const problems: string[] = [];
  let records: Record<string, string[]>;
  let serial: number;
  if (u.kind === 'delta') {
    const d = u.delta;
    if (d.base !== served)
      return `delta from serial ${d.base} does not apply: serving serial ${served}; send the full overlay`;
    if (!(d.serial > d.base)) return `delta serial ${d.serial} is not above its base ${d.base}`;
    ({ records, serial } = d);
  } else if (u.kind === 'full') {
    ({ records, serial } = u.overlay);
  } else {
    return `unknown update kind ${String((u as { kind?: unknown }).kind)}`;
  }
  if (!Number.isInteger(serial) || serial < 0 || serial > 0xffffffff)
    problems.push(`serial ${String(serial)} is not a 32-bit unsigned integer`);
  if (typeof records !== 'object' || records === null) return 'update has no records map';
  for (const id in records) {
    if (!Object.hasOwn(records, id)) continue;
    const slot = slots.get(id);
    // An id the base does not know is ignored (ZoneOverlay's contract): a config ahead of ours.
    if (!slot) continue;
    if (!known?.(id, records[id])) {
      const list: Rdata[] | undefined = parsed ? [] : undefined;
      const p = slotValuesProblem(slot, records[id], list);
      if (p) problems.push(p);
      else if (list) parsed!.set(id, list);
    }
    if (due === undefined || due()) yield;
  }
  // Issue 14 part 3: per-rule values of steered records parse like the record's own.
  const steered = u.kind === 'delta' ? u.delta.steered : u.overlay.steered;
  for (const [id, lists] of Object.entries(steered ?? {})) {
    const slot = slots.get(id);
    if (!slot) continue;
    if (!Array.isArray(lists)) problems.push(`${id}: steered values must be a list per rule`);
    else
      lists.forEach((values: unknown, i) => {
        const p = values === undefined || values === null ? null : slotValuesProblem(slot, values);
        if (p) problems.push(`steering rule ${i}: ${p}`);
      });
  }
  // Issue 14: adaptive TTLs, when present, must be TTLs (RFC 2181 §8).
  const ttls = u.kind === 'delta' ? u.delta.ttls : u.overlay.ttls;
  for (const [id, t] of Object.entries(ttls ?? {}))
    if (!Number.isInteger(t) || t < 0 || t > 2_147_483_647)
      problems.push(`${id}: ttl ${String(t)} is not a TTL`);
  return problems.length > 0 ? problems.join('; ') : null;
}

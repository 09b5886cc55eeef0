/**
 * Pure helpers over overlay deltas shared by the stores and the decider: reading a journal back from a
 * serial, and folding consecutive deltas into one (a commit that failed is retried with what followed it).
 */
import { mergeSteered, mergeTtls, withSteered, withTtls } from './overlay.js';
import type { OverlayDelta, OverlayUpdate, ZoneOverlay } from './overlay.js';

/** Deltas a journal kept by every store by default (about a day of busy failovers, and small). */
export const DEFAULT_JOURNAL_LIMIT = 1_000;

/**
 * The deltas of `journal` (oldest first) that lead from `after` to `serial`, or null when the journal does
 * not reach back to `after` or its chain is broken. [] when `after` is `serial`.
 */
export function deltasAfter(
  journal: readonly OverlayDelta[],
  after: number,
  serial: number,
): OverlayDelta[] | null {
  if (after === serial) return [];
  if (after > serial) return null;
  const start = journal.findIndex((d) => d.base === after);
  if (start < 0) return null;
  const out = journal.slice(start);
  for (let i = 1; i < out.length; i++) if (out[i]!.base !== out[i - 1]!.serial) return null;
  return out.at(-1)!.serial === serial ? out : null;
}

/** `next` folded into `prev` (next.base must be prev.serial): one delta from prev.base to next.serial. */
export function mergeDeltas(prev: OverlayDelta, next: OverlayDelta): OverlayDelta {
  const merged: OverlayDelta = {
    base: prev.base,
    serial: next.serial,
    epoch: next.epoch,
    generatedAt: next.generatedAt,
    records: { ...prev.records, ...next.records },
  };
  return withSteered(withTtls(merged, mergeTtls(prev.ttls, next)), mergeSteered(prev.steered, next));
}

/** A copy of an overlay that shares nothing mutable with it (value arrays are replaced, never changed). */
export function copyOverlay(o: Readonly<ZoneOverlay>): ZoneOverlay {
  const copy = { serial: o.serial, epoch: o.epoch, generatedAt: o.generatedAt, records: { ...o.records } };
  return withSteered(withTtls(copy, o.ttls && { ...o.ttls }), o.steered && { ...o.steered });
}

/** The epoch an update carries. */
export function updateEpoch(u: OverlayUpdate): number {
  return u.kind === 'delta' ? u.delta.epoch : u.overlay.epoch;
}

/** Shape check of an overlay update from outside (a message, a file); null when fine, else the problem. */
export function overlayUpdateProblem(u: unknown): string | null {
  if (typeof u !== 'object' || u === null) return 'not an object';
  const v = u as Record<string, unknown>;
  const body = (v.kind === 'delta' ? v.delta : v.kind === 'full' ? v.overlay : undefined) as
    Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null)
    return 'kind must be delta (with delta) or full (with overlay)';
  for (const f of v.kind === 'delta' ? ['base', 'serial', 'epoch'] : ['serial', 'epoch']) {
    const n = body[f];
    if (!Number.isSafeInteger(n) || (n as number) < 0) return `${f} is not a non-negative integer`;
  }
  const recs = body.records;
  if (typeof recs !== 'object' || recs === null || Array.isArray(recs)) return 'records is not an object';
  for (const [id, vals] of Object.entries(recs)) {
    if (!Array.isArray(vals) || vals.some((x) => typeof x !== 'string'))
      return `records["${id.slice(0, 100)}"] is not a list of strings`;
  }
  const ttls = body.ttls;
  if (ttls !== undefined) {
    if (typeof ttls !== 'object' || ttls === null || Array.isArray(ttls)) return 'ttls is not an object';
    for (const [id, t] of Object.entries(ttls))
      if (!Number.isSafeInteger(t) || (t as number) < 0 || (t as number) > 2_147_483_647)
        return `ttls["${id.slice(0, 100)}"] is not a TTL`;
  }
  return steeredProblem(body.steered);
}

/** Issue 14 part 3: steered is absent, or record id → one list of strings per rule. */
function steeredProblem(steered: unknown): string | null {
  if (steered === undefined) return null;
  if (typeof steered !== 'object' || steered === null || Array.isArray(steered))
    return 'steered is not an object';
  for (const [id, rules] of Object.entries(steered)) {
    const ok =
      Array.isArray(rules) && rules.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'string'));
    if (!ok) return `steered["${id.slice(0, 100)}"] is not a list of value lists`;
  }
  return null;
}

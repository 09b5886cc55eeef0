/**
 * Incremental saves of the decider state: the checks and records changed since the last save, plus the
 * small top-level parts whole. A store applies a patch in O(patch); loading still yields a whole state.
 */
import { cloneData } from './clone-data.js';
import type { CheckState, DeciderState, RecordState } from './state-types.js';

/** What changed in the decider state since the previous patch (DecisionEngine.takePatch). */
export interface DeciderStatePatch {
  /** True: `checks` and `records` hold every entry (a first or periodic full save), replacing the stored ones. */
  full: boolean;
  /** Everything but checks and records (serial, event counter, overrides, guard, regions, probes), whole. */
  top: Omit<DeciderState, 'checks' | 'records'>;
  /** Changed checks only (all of them when full). */
  checks: Record<string, CheckState>;
  /** Changed records only (all of them when full). */
  records: Record<string, RecordState>;
}

/** Collects the ids changed between two patches; the engine marks, the saver takes. */
export class PatchTracker {
  private checks = new Set<string>();
  private records = new Set<string>();
  private full = true;

  check(id: string): void {
    this.checks.add(id);
  }

  record(id: string): void {
    this.records.add(id);
  }

  /** The next patch carries everything (a first save, or a periodic safety net). */
  markFull(): void {
    this.full = true;
  }

  /** A copy of what changed in `st` since the previous call: O(patch), never O(state) unless full. */
  take(st: DeciderState): DeciderStatePatch {
    const { checks, records, ...top } = st;
    const pick = <T>(all: Record<string, T>, ids: Set<string>): Record<string, T> => {
      if (this.full) return cloneData(all);
      const out: Record<string, T> = {};
      for (const id of ids) if (Object.hasOwn(all, id)) out[id] = cloneData(all[id]!);
      return out;
    };
    const patch: DeciderStatePatch = {
      full: this.full,
      top: cloneData(top),
      checks: pick(checks, this.checks),
      records: pick(records, this.records),
    };
    this.full = false;
    this.checks = new Set();
    this.records = new Set();
    return patch;
  }
}

/** A full patch of a whole state (tools, tests, a store migrating a previous format). */
export function fullPatch(st: DeciderState): DeciderStatePatch {
  const { checks, records, ...top } = structuredClone(st);
  return { full: true, top, checks, records };
}

/**
 * `patch` applied to `base` in place (O(patch)); a full patch, or no base, gives a new state. The patch's
 * objects are taken over, not copied: pass one you own.
 */
export function applyDeciderPatch(base: DeciderState | null, patch: DeciderStatePatch): DeciderState {
  if (patch.full || !base) return { ...patch.top, checks: patch.checks, records: patch.records };
  Object.assign(base, patch.top);
  Object.assign(base.checks, patch.checks);
  Object.assign(base.records, patch.records);
  return base;
}

/**
 * `newer` on top of `older`, both taken since the last accepted save: what a retry must send so that nothing
 * a failed save carried is lost. O(both patches); a full `newer` replaces everything.
 */
export function mergeDeciderPatch(older: DeciderStatePatch, newer: DeciderStatePatch): DeciderStatePatch {
  if (newer.full) return newer;
  return {
    full: older.full,
    top: newer.top,
    checks: { ...older.checks, ...newer.checks },
    records: { ...older.records, ...newer.records },
  };
}

/**
 * A store refused a partial patch because it holds no decider state to apply it to (a wiped or new store).
 * The saver sends a full patch next (DecisionEngine.markFullPatch()).
 */
export class MissingDeciderBaseError extends Error {
  override readonly name = 'MissingDeciderBaseError';
  constructor(where: string) {
    super(`${where}: a partial decider state patch needs a stored decider state; send a full patch`);
  }
}

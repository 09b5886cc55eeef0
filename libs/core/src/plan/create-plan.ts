/** The diff between what a target holds and what it should hold. Pure; the result is plain JSON. */
import type { Plan, PlanUpdate, ProviderRecord, ZoneRead } from '../provider-types.js';
import { compareRecords, indexRecords, sameRecord } from './records.js';

export interface CreatePlanOptions {
  /** Change records that exist without our ownership marker. */
  takeover: boolean;
}

/**
 * creates: desired records the target lacks; updates: owned records whose TTL or values differ;
 * deletes: owned records no longer desired; conflicts: desired records that exist only as foreign.
 * With takeover a foreign record becomes an update, even when it already holds the desired data,
 * because applying it is what puts our ownership marker on it.
 */
export function createPlan(
  target: string,
  zone: string,
  read: ZoneRead,
  desired: readonly ProviderRecord[],
  opts: CreatePlanOptions,
): Plan {
  const owned = indexRecords(read.owned);
  const foreign = indexRecords(read.foreign);
  const want = indexRecords(desired);
  const plan: Plan = {
    target,
    zone: zone.toLowerCase(),
    creates: [],
    updates: [],
    deletes: [],
    conflicts: [],
  };
  for (const [key, after] of want) {
    const mine = owned.get(key);
    const theirs = foreign.get(key);
    if (mine) {
      if (!sameRecord(mine, after)) plan.updates.push({ before: mine, after });
    } else if (theirs) {
      if (opts.takeover) plan.updates.push({ before: theirs, after });
      else plan.conflicts.push(after);
    } else {
      plan.creates.push(after);
    }
  }
  for (const [key, rec] of owned) if (!want.has(key)) plan.deletes.push(rec);
  plan.creates.sort(compareRecords);
  plan.deletes.sort(compareRecords);
  plan.conflicts.sort(compareRecords);
  plan.updates.sort((a: PlanUpdate, b: PlanUpdate) => compareRecords(a.after, b.after));
  return plan;
}

export function planIsEmpty(plan: Plan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.deletes.length === 0;
}

export interface PlanSummary {
  creates: number;
  updates: number;
  deletes: number;
  conflicts: number;
  /** creates + updates + deletes. */
  changes: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const { creates, updates, deletes, conflicts } = plan;
  return {
    creates: creates.length,
    updates: updates.length,
    deletes: deletes.length,
    conflicts: conflicts.length,
    changes: creates.length + updates.length + deletes.length,
  };
}

export type PlanChange =
  | { kind: 'delete'; record: ProviderRecord }
  | { kind: 'update'; before: ProviderRecord; after: ProviderRecord }
  | { kind: 'create'; record: ProviderRecord };

/** Every change of a plan in execution order: deletes, then updates, then creates (each in key order). */
export function planChanges(plan: Plan): PlanChange[] {
  return [
    ...plan.deletes.map((record): PlanChange => ({ kind: 'delete', record })),
    ...plan.updates.map(({ before, after }): PlanChange => ({ kind: 'update', before, after })),
    ...plan.creates.map((record): PlanChange => ({ kind: 'create', record })),
  ];
}

/** The record a change is about (after for updates): for reports keyed by name and type. */
export function changeRecord(c: PlanChange): ProviderRecord {
  return c.kind === 'update' ? c.after : c.record;
}

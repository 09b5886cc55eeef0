/** The readable lines of `understudy plan` and `sync`: changes, ownership markers, per-target summaries. */
import { summarizePlan, type OwnershipMarker, type Plan, type ProviderRecord } from '@understudy/core';
import type { PlanOnceResult } from '@understudy/sync';

export function changeCount(plans: readonly Plan[]): number {
  return plans.reduce((n, p) => n + summarizePlan(p).changes, 0);
}

/** Continuation lines of a multi-line message, indented under the target's line. */
export const indentRest = (text: string): string => text.replace(/\n/g, '\n  ');

const rr = (r: ProviderRecord): string => `${r.name} ${r.type} ${r.ttl} ${r.values.join(' ')}`;

/** One line per change: `+` create, `~` update (before → after), `-` delete, `!` a conflict left alone. */
export function changeLines(plans: readonly Plan[], indent = '    '): string[] {
  const lines: string[] = [];
  for (const p of plans) {
    if (plans.length > 1 || summarizePlan(p).changes + p.conflicts.length > 0) {
      const s = summarizePlan(p);
      lines.push(
        `${indent.slice(2)}zone ${p.zone}: ${s.creates} create, ${s.updates} update, ${s.deletes} delete`,
      );
    }
    for (const c of p.creates) lines.push(`${indent}+ ${rr(c)}`);
    for (const u of p.updates)
      lines.push(
        `${indent}~ ${u.before.name} ${u.before.type} ${u.before.ttl} ${u.before.values.join(' ')} → ${u.after.ttl} ${u.after.values.join(' ')}`,
      );
    for (const d of p.deletes) lines.push(`${indent}- ${rr(d)}`);
    for (const c of p.conflicts)
      lines.push(
        `${indent}! ${c.name} ${c.type}: exists without our ownership marker; left alone (takeover: true to change it)`,
      );
  }
  return lines;
}

/** The ownership markers a target will write, so the operator sees everything the plan creates. */
export function markerLines(markers: readonly OwnershipMarker[], indent = '    '): string[] {
  if (markers.length === 0) return [];
  return [
    `${indent.slice(2)}ownership markers to write (${markers.length}):`,
    ...markers.map((m) => `${indent}+ ${m.kind === 'comment' ? `${m.record} ${m.text}` : m.text}`),
  ];
}

/**
 * The readable report of `understudy plan`; `markers`: the ownership markers each target will write;
 * `notes` (issue 14 part 3): what a target cannot express, such as steered records.
 */
export function formatPlans(
  results: readonly PlanOnceResult[],
  source: string,
  markers: ReadonlyMap<string, readonly OwnershipMarker[]> = new Map(),
  notes: ReadonlyMap<string, readonly string[]> = new Map(),
): string {
  const out = [`Plan against ${source}.`, ''];
  if (results.length === 0) out.push('No provider targets are configured (targets:): nothing to plan.');
  for (const r of results) {
    const n = changeCount(r.plans);
    if (r.error !== undefined) {
      out.push(`target ${r.target}: ERROR ${indentRest(r.error)}`);
      continue;
    }
    const safety = r.safety.safe ? '' : ' (UNSAFE: needs --force)';
    out.push(`target ${r.target}: ${n === 0 ? 'in sync' : `${n} change${n === 1 ? '' : 's'}${safety}`}`);
    out.push(...changeLines(r.plans), ...markerLines(markers.get(r.target) ?? []));
    for (const v of r.safety.violations) out.push(`  unsafe: ${v.message}`);
    for (const w of r.warnings) out.push(`  warning: ${w}`);
    for (const n of notes.get(r.target) ?? []) out.push(`  note: ${n}`);
  }
  const failed = results.filter((r) => r.error !== undefined).length;
  const changing = results.filter((r) => r.error === undefined && changeCount(r.plans) > 0).length;
  const inSync = results.length - failed - changing;
  if (results.length > 0) out.push('', `${changing} to change, ${inSync} in sync, ${failed} failed.`);
  return `${out.join('\n')}\n`;
}

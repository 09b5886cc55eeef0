/**
 * The decider state in Redis as a top-level JSON string plus one hash each for checks and records, so a save
 * writes only what changed (scripts.ts DECIDER). Reading assembles the whole state, falling back to the
 * previous format's single `decider` key until the first full patch replaces it.
 */
import type { CheckState, DeciderState, DeciderStatePatch, RecordState } from '@understudy/core';
import { anObject, parseStored } from './stored.js';

/** Key names after fence and refused, in SAVE_DECIDER's order. */
export const DECIDER_KEYS = ['decider:top', 'decider:checks', 'decider:records', 'decider'] as const;

/** Script arguments: top JSON, check count, (id, JSON) pairs, record count, pairs. */
export function deciderArgs(p: DeciderStatePatch): (string | number)[] {
  const out: (string | number)[] = [JSON.stringify(p.top)];
  for (const part of [p.checks, p.records] as Record<string, unknown>[]) {
    const ids = Object.keys(part);
    out.push(ids.length);
    for (const id of ids) out.push(id, JSON.stringify(part[id]));
  }
  return out;
}

export function parseDecider(
  top: string | null,
  checks: Record<string, string>,
  records: Record<string, string>,
  old: string | null,
  key: (name: string) => string,
): DeciderState | null {
  if (top === null) return old === null ? null : parseStored<DeciderState>(old, key('decider'), anObject);
  const parsedTop = parseStored<Omit<DeciderState, 'checks' | 'records'>>(top, key('decider:top'), anObject);
  const parseAll = <T>(fields: Record<string, string>, name: string): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [id, text] of Object.entries(fields))
      out[id] = parseStored<T>(text, `${key(name)} ${id.slice(0, 100)}`, anObject);
    return out;
  };
  return {
    ...parsedTop,
    checks: parseAll<CheckState>(checks, 'decider:checks'),
    records: parseAll<RecordState>(records, 'decider:records'),
  };
}

/**
 * Flap damping's two questions apart from the engine: which switches count as flips, and when a damped
 * record's failback resumes. Pure: the operator and the dashboard get the same answer the engine acts on.
 */
import type { FlapDampingConfig } from './config-types.js';
import type { AnswerHealth, Selection } from './selection.js';

/**
 * A switch counts as a flip only when the checks made it. An operator's override (up or down) on either
 * end, or an approved failback (which is how a drill restores), is a deliberate act, not an origin
 * flapping: counting it would damp the record the operator just moved, or a drill's restore.
 */
export function countsAsFlip(sel: Selection, health: readonly AnswerHealth[]): boolean {
  if (!sel.change || sel.consumedApproval) return false;
  const { from, to } = sel.change;
  const overridden = (name: string) =>
    health.some((h) => h.name === name && (h.reason === 'override-up' || h.reason === 'override-down'));
  return !overridden(from) && !overridden(to);
}

/**
 * When failback resumes on a damped record: damping holds while `flips + 1 >= maxFlips` (the next
 * switch would reach the limit), and a flip leaves the window `window` ms after it. So the oldest flip
 * that must leave for the count to fall below the limit decides. Null when not damped by this count.
 * `flips` are switch times, oldest first (as the engine appends them).
 */
export function dampingResumesAt(flips: readonly number[], damping: FlapDampingConfig | null): number | null {
  if (!damping) return null;
  const i = flips.length + 1 - damping.maxFlips;
  if (i < 0) return null;
  return flips[i]! + damping.window;
}

/**
 * A warning that applies to many records is reported once, with a count and a few examples: a short
 * failbackAfter on 10,000 failover records used to print 10,000 lines, which hid everything else.
 */
import type { RawProblem } from './problems.js';

/** Beyond this many warnings of one kind, they are folded into one. */
export const FOLD_ABOVE = 3;
/** How many further places a folded warning names besides its first. */
export const EXAMPLES = 2;

export interface WarningGroup {
  first: RawProblem;
  /** A few of the others, to locate and name. */
  examples: RawProblem[];
  /** How many warnings the group stands for, the first included. */
  count: number;
}

/** `zones[0].failover[12].failbackAfter` and `zones[1].failover[3].failbackAfter` are of one kind. */
function kindOf(p: RawProblem): string {
  return p.path.map((seg) => (typeof seg === 'number' ? '#' : seg)).join('\0');
}

/** Groups in order of first appearance; a group of FOLD_ABOVE or fewer is returned as single warnings. */
export function groupWarnings(warnings: readonly RawProblem[]): WarningGroup[] {
  const groups = new Map<string, RawProblem[]>();
  for (const w of warnings) {
    const kind = kindOf(w);
    const group = groups.get(kind);
    if (group === undefined) groups.set(kind, [w]);
    else group.push(w);
  }
  const out: WarningGroup[] = [];
  for (const group of groups.values()) {
    if (group.length <= FOLD_ABOVE) for (const w of group) out.push({ first: w, examples: [], count: 1 });
    else out.push({ first: group[0]!, examples: group.slice(1, 1 + EXAMPLES), count: group.length });
  }
  return out;
}

/**
 * Composite ("calculated") checks: verdicts computed from other checks' verdicts, never probed.
 *
 * Unknown children count three-valued (Kleene): the composite is up when enough children are up whatever
 * the unknown ones turn out to be, down when it could not reach `atLeast` even if every unknown child came
 * up, and unknown otherwise. So a composite never claims a verdict its known children do not already prove,
 * and a single child still starting up does not fail over a record whose other children settle it.
 * `invert` swaps up and down; unknown stays unknown.
 */
import type { CheckConfig, CompositeCheckConfig } from './config-types.js';
import type { CheckEvidence } from './events.js';
import type { Health } from './state-types.js';

export interface CompositeTally {
  candidate: Health;
  up: number;
  down: number;
  unknown: number;
}

export function compositeVerdict(
  check: CompositeCheckConfig,
  verdictOf: (id: string) => Health,
): CompositeTally {
  let up = 0;
  let down = 0;
  let unknown = 0;
  for (const child of check.children) {
    const v = verdictOf(child);
    if (v === 'up') up++;
    else if (v === 'down') down++;
    else unknown++;
  }
  let healthy: Health = 'unknown';
  if (up >= check.atLeast) healthy = 'up';
  else if (up + unknown < check.atLeast) healthy = 'down';
  const candidate: Health =
    !check.invert || healthy === 'unknown' ? healthy : healthy === 'up' ? 'down' : 'up';
  return { candidate, up, down, unknown };
}

/** The rule in words, for evidence: "at least 2 of [a, b, c] up", "not (at least 1 of [a] up)". */
export function describeComposite(check: CompositeCheckConfig): string {
  const rule = `at least ${check.atLeast} of [${check.children.join(', ')}] up`;
  return check.invert ? `not (${rule})` : rule;
}

/**
 * A cycle among composites as the path that closes it (["a", "b", "a"]), or null. Children that are not
 * composites (or not defined) end a path.
 */
export function findCompositeCycle(checks: readonly CheckConfig[]): string[] | null {
  const byId = new Map<string, CompositeCheckConfig>();
  for (const c of checks) if (c.type === 'composite') byId.set(c.id, c);
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (id: string): string[] | null => {
    const at = onPath.indexOf(id);
    if (at >= 0) return [...onPath.slice(at), id];
    const node = byId.get(id);
    if (!node || done.has(id)) return null;
    onPath.push(id);
    for (const child of node.children) {
      const cycle = visit(child);
      if (cycle) return cycle;
    }
    onPath.pop();
    done.add(id);
    return null;
  };
  for (const id of byId.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
}

/** Which composites depend on a check, and the order to evaluate them in (children before parents). */
export class CompositeGraph {
  private readonly parents = new Map<string, string[]>();
  private readonly rank = new Map<string, number>();

  constructor(checks: readonly CheckConfig[]) {
    const byId = new Map<string, CompositeCheckConfig>();
    for (const c of checks) {
      if (c.type !== 'composite') continue;
      byId.set(c.id, c);
      for (const child of c.children) {
        const list = this.parents.get(child) ?? [];
        list.push(c.id);
        this.parents.set(child, list);
      }
    }
    // Post-order DFS: every child gets its rank before its parents. Config validation refuses cycles;
    // a cycle that got here anyway is cut where the walk meets it.
    const visiting = new Set<string>();
    const visit = (id: string): void => {
      const node = byId.get(id);
      if (!node || this.rank.has(id) || visiting.has(id)) return;
      visiting.add(id);
      for (const child of node.children) visit(child);
      this.rank.set(id, this.rank.size);
    };
    for (const id of byId.keys()) visit(id);
  }

  get size(): number {
    return this.rank.size;
  }

  /** Every composite, children first. */
  all(): string[] {
    return [...this.rank.keys()];
  }

  /** The composites that depend on any of `ids`, directly or through other composites, children first. */
  affected(ids: Iterable<string>): string[] {
    const out = new Set<string>();
    const stack = [...ids];
    for (const id of stack) if (this.rank.has(id)) out.add(id);
    while (stack.length) {
      for (const parent of this.parents.get(stack.pop()!) ?? []) {
        if (out.has(parent)) continue;
        out.add(parent);
        stack.push(parent);
      }
    }
    return [...out].sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
  }
}

/** Evidence for a composite in the shape of a probed check's: no region votes, the children instead. */
export function compositeEvidence(
  check: CompositeCheckConfig,
  verdict: Health,
  verdictOf: (id: string) => Health,
): CheckEvidence {
  const t = compositeVerdict(check, verdictOf);
  return {
    check: check.id,
    verdict,
    votes: [],
    rule: describeComposite(check),
    required: check.atLeast,
    voters: check.children.length - t.unknown,
    downVotes: t.down,
    minVoters: 0,
    fall: 0,
    rise: 0,
    interval: 0,
    timeout: 0,
    children: check.children.map((id) => ({ check: id, verdict: verdictOf(id) })),
  };
}

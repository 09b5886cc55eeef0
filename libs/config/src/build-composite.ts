/**
 * `type: composite` checks (issue 14): children that exist, atLeast within 1..children, and (once every
 * check is read) no cycles.
 */
import { findCompositeCycle } from '@understudy/core';
import type { CheckConfig, CompositeCheckConfig } from '@understudy/core';
import { didYouMean } from './problems.js';
import type { Path, Problems } from './problems.js';
import { bool, int, list } from './read.js';
import type { Obj } from './read.js';

export function buildComposite(
  id: string,
  o: Obj,
  at: Path,
  problems: Problems,
  declared: ReadonlySet<string>,
): CompositeCheckConfig {
  const children: string[] = [];
  for (const [i, child] of list(o.children).entries()) {
    if (typeof child !== 'string') continue;
    if (!declared.has(child))
      problems.error([...at, 'children', i], `no check "${child}" is defined${didYouMean(child, declared)}`);
    else if (child === id) problems.error([...at, 'children', i], 'a composite cannot be its own child');
    else if (children.includes(child)) problems.error([...at, 'children', i], `duplicate child "${child}"`);
    else children.push(child);
  }
  if (o.children === undefined) problems.error([...at, 'children'], 'is required for composite checks');
  const atLeast = int(o.atLeast, 1, Number.MAX_SAFE_INTEGER) ?? 1;
  if (children.length > 0 && atLeast > children.length)
    problems.error(
      [...at, 'atLeast'],
      `must be at most the number of children (${atLeast} > ${children.length}): the composite could never be up`,
    );
  return { id, type: 'composite', children, atLeast, invert: bool(o.invert) ?? false };
}

/** Cycles need every composite read first. */
export function checkCompositeCycles(checks: readonly CheckConfig[], problems: Problems): void {
  const cycle = findCompositeCycle(checks);
  if (cycle)
    problems.error(
      ['checks', cycle[0]!, 'children'],
      `composite checks form a cycle: ${cycle.join(' → ')}; a composite's verdict cannot depend on itself`,
    );
}

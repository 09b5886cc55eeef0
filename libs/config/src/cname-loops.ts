/**
 * Issue 15: CNAME loops in the configured zones are reported as a warning, naming the records. A loop
 * is legal data (the server answers the CNAMEs it follows and stops where a name repeats), but no
 * query through it ever reaches an address, which is almost always a typo. Failover CNAMEs count with
 * every answer's target, since any of them may be served.
 */
import type { ZoneConfig } from '@understudy/core';
import { formatPath } from './problems.js';
import type { Path, Problems } from './problems.js';

interface Link {
  target: string;
  path: Path;
}

const lowerTarget = (value: string): string => {
  const t = value.trim().toLowerCase();
  return t.endsWith('.') ? t : `${t}.`;
};

/** Every CNAME link in the zones, by owner. Paths point at the record (zones[i].records[j] or failover). */
function links(zones: readonly ZoneConfig[], paths: readonly Path[]): Map<string, Link[]> {
  const out = new Map<string, Link[]>();
  const add = (owner: string, target: string, path: Path): void => {
    const list = out.get(owner);
    if (list) list.push({ target, path });
    else out.set(owner, [{ target, path }]);
  };
  zones.forEach((z, zi) => {
    z.records.forEach((r, ri) => {
      if (r.type === 'CNAME' && r.values[0] !== undefined)
        add(r.name, lowerTarget(r.values[0]), [...paths[zi]!, 'records', ri]);
    });
    z.failover.forEach((f, fi) => {
      if (f.type !== 'CNAME') return;
      for (const a of f.answers)
        if (a.values[0] !== undefined) add(f.name, lowerTarget(a.values[0]), [...paths[zi]!, 'failover', fi]);
    });
  });
  return out;
}

/** Warns once per loop, at its first record, naming the chain and every record in it. */
export function warnCnameLoops(
  zones: readonly ZoneConfig[],
  paths: readonly Path[],
  problems: Problems,
): void {
  const graph = links(zones, paths);
  // 0 unvisited, 1 on the current path, 2 done: a link back to a name on the path closes a loop.
  const state = new Map<string, number>();
  const stack: { name: string; link: Link | null }[] = [];
  const visit = (name: string): void => {
    state.set(name, 1);
    for (const link of graph.get(name) ?? []) {
      stack.push({ name, link });
      const s = state.get(link.target) ?? 0;
      if (s === 1) report(link.target);
      else if (s === 0 && graph.has(link.target)) visit(link.target);
      stack.pop();
    }
    state.set(name, 2);
  };
  const report = (start: string): void => {
    const from = stack.findIndex((e) => e.name === start);
    const loop = stack.slice(from);
    const names = [...loop.map((e) => e.name), start].join(' → ');
    const where = loop.map((e) => formatPath(e.link!.path)).join(', ');
    problems.warn(
      loop[0]!.link!.path,
      `CNAME loop ${names} (${where}): queries for these names get the CNAMEs and never an address`,
    );
  };
  for (const name of graph.keys()) if ((state.get(name) ?? 0) === 0) visit(name);
}

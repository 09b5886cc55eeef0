/** Rules that need a whole zone: names inside it, duplicate RRsets, and CNAME exclusivity. */
import { findZone, isInZone } from '@understudy/core';
import type { RecordType } from '@understudy/core';
import { formatPath } from './problems.js';
import type { Path, Problems } from './problems.js';

/** One RRset a zone defines, and where. */
export interface Owned {
  name: string;
  type: RecordType;
  path: Path;
  kind: 'static' | 'failover';
}

export function checkZoneData(
  apex: string,
  owned: readonly Owned[],
  apexes: readonly string[],
  problems: Problems,
) {
  const inside = owned.filter((o) => placement(o, apex, apexes, problems));
  duplicates(inside, problems);
  cnameExclusive(apex, inside, problems);
}

function placement(o: Owned, apex: string, apexes: readonly string[], problems: Problems): boolean {
  const at = [...o.path, 'name'];
  if (!isInZone(o.name, apex)) {
    problems.error(at, `${o.name} is not inside zone ${apex} (names ending with "." are absolute)`);
    return false;
  }
  const owner = findZone(o.name, apexes);
  if (owner !== undefined && owner !== apex) {
    problems.error(at, `${o.name} belongs to zone ${owner}, which is configured separately; define it there`);
    return false;
  }
  if (o.type === 'NS' && o.name === apex) {
    problems.error(at, "the apex NS set comes from the zone's `ns` list; remove this record");
    return false;
  }
  return true;
}

function duplicates(owned: readonly Owned[], problems: Problems): void {
  const seen = { static: new Map<string, Owned>(), failover: new Map<string, Owned>() };
  for (const o of owned) {
    const key = `${o.name}/${o.type}`;
    const same = seen[o.kind].get(key);
    const other = o.kind === 'failover' ? seen.static.get(key) : undefined;
    if (same) {
      const what = o.kind === 'static' ? 'record set' : 'failover record';
      const fix = o.kind === 'static' ? '; list all its values in one entry' : '';
      problems.error(o.path, `duplicate ${what} ${key} (also ${formatPath(same.path)})${fix}`);
    } else if (other) {
      problems.error(
        o.path,
        `${key} is both a failover record and a static record (${formatPath(other.path)})`,
      );
    }
    if (!same) seen[o.kind].set(key, o);
  }
}

/** RFC 1034 §3.6.2: a name with a CNAME has no other data; the apex always has SOA and NS. */
function cnameExclusive(apex: string, owned: readonly Owned[], problems: Problems): void {
  // Indexed by name once: a filter over the zone per CNAME was quadratic in large zones.
  const byName = new Map<string, Owned[]>();
  for (const o of owned) {
    const list = byName.get(o.name);
    if (list === undefined) byName.set(o.name, [o]);
    else list.push(o);
  }
  for (const c of owned) {
    if (c.type !== 'CNAME') continue;
    if (c.name === apex) {
      problems.error(
        [...c.path, 'type'],
        'a CNAME cannot sit at the zone apex, which has SOA and NS records',
      );
      continue;
    }
    const others = byName.get(c.name)!.filter((o) => o.type !== 'CNAME');
    if (others.length > 0) {
      const list = others.map((o) => `${o.type} at ${formatPath(o.path)}`).join(', ');
      problems.error(
        c.path,
        `CNAME at ${c.name} cannot coexist with other data there (${list}); RFC 1034 §3.6.2`,
      );
    }
  }
}

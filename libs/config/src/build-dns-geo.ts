/** dns.geo (issue 14 part 3): how a client's location is found for records steered by location. */
import { isIP } from 'node:net';
import path from 'node:path';
import { COUNTRY_CONTINENT } from '@understudy/core';
import type { DnsGeoConfig } from '@understudy/core';
import type { Problems } from './problems.js';
import { bool, isObj, list, str } from './read.js';
import type { Obj } from './read.js';

/** A CIDR prefix (address/length), or why not; a bare address is not a network here. */
function prefixProblem(prefix: string): string | null {
  const [addr = '', bits, ...rest] = prefix.split('/');
  const family = isIP(addr);
  if (family === 0 || rest.length > 0 || bits === undefined)
    return `"${prefix}" is not a CIDR prefix (address/length)`;
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max ? null : `"${prefix}": prefix length must be 0..${max}`;
}

export function buildDnsGeo(raw: unknown, problems: Problems, baseDir: string): DnsGeoConfig {
  const o: Obj = isObj(raw) ? raw : {};
  const at = (...p: (string | number)[]): (string | number)[] => ['dns', 'geo', ...p];
  const db = o.database === null ? null : (str(o.database) ?? 'bundled');
  const networks: DnsGeoConfig['networks'] = [];
  for (const [i, n] of list(o.networks).entries()) {
    if (!isObj(n)) continue;
    const prefix = str(n.prefix)?.trim();
    const country = str(n.country)?.toUpperCase();
    if (prefix === undefined || country === undefined) continue;
    const bad = prefixProblem(prefix);
    if (bad) problems.error(at('networks', i, 'prefix'), bad);
    if (!COUNTRY_CONTINENT.has(country))
      problems.error(at('networks', i, 'country'), `"${country}" is not an ISO 3166-1 alpha-2 country code`);
    networks.push({ prefix, country });
  }
  return {
    ecs: bool(o.ecs) ?? true,
    // A path is relative to the config file's directory, as dns.cacheFile is.
    database: db === null || db === 'bundled' ? db : path.resolve(baseDir, db),
    networks,
  };
}

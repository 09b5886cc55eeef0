/**
 * Issue 14 part 3: a client address → its country, continent, and the prefix length of the network the
 * answer was read from (the ECS scope a steered reply carries). Operator networks come first (longest
 * prefix wins), then the MMDB country database. Lookups are cached (bounded): a resolver population
 * repeats, and a database walk costs microseconds against the fast path's sub-microsecond answer.
 */
import { continentOf, parseIPv4, parseIPv6 } from '@understudy/core';
import type { ContinentCode } from '@understudy/core';

export interface ClientLocation {
  country: string | null;
  continent: ContinentCode | null;
  /** Prefix length of the matched network or database range (0 when the address did not parse). */
  prefix: number;
}

/** The database: an MMDB reader, or anything that answers like mmdb-lib's getWithPrefixLength. */
export interface CountryDb {
  getWithPrefixLength(ip: string): [unknown, number];
}

interface Network {
  /** 16 octets; IPv4 networks as IPv4-mapped IPv6 (::ffff:a.b.c.d), prefix + 96. */
  bytes: Uint8Array;
  bits: number;
  v4: boolean;
  location: ClientLocation;
}

const CACHE_MAX = 16_384;
const UNKNOWN: ClientLocation = Object.freeze({ country: null, continent: null, prefix: 0 });

/** 16 octets of an address (IPv4 mapped into IPv6), or null. */
function addressBytes(ip: string): { bytes: Uint8Array; v4: boolean } | null {
  const v4 = parseIPv4(ip);
  if (v4) return { bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]), v4: true };
  const g = parseIPv6(ip.split('%')[0]!);
  if (!g) return null;
  const bytes = Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
  const mapped = bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return { bytes, v4: mapped };
}

function within(a: Uint8Array, net: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== net[i]) return false;
  const spare = bits & 7;
  return spare === 0 || ((a[whole]! ^ net[whole]!) & (0xff << (8 - spare)) & 0xff) === 0;
}

/** Parses `prefix` (CIDR) → network; throws naming the entry. */
export function parseNetwork(prefix: string, country: string): Network {
  const [addr, len, extra] = prefix.split('/');
  const parsed = addr === undefined ? null : addressBytes(addr);
  const bits = Number(len);
  const max = parsed?.v4 && !addr!.includes(':') ? 32 : 128;
  if (!parsed || extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len) || bits > max)
    throw new Error(`dns.geo.networks: ${prefix} is not a CIDR prefix (address/length)`);
  const full = max === 32 ? bits + 96 : bits;
  const cc = country.toUpperCase();
  return {
    bytes: parsed.bytes,
    bits: full,
    v4: max === 32,
    location: Object.freeze({ country: cc, continent: continentOf(cc), prefix: bits }),
  };
}

export class GeoLocator {
  private readonly networks: Network[];
  private cache = new Map<string, ClientLocation>();
  /** IPv4 by its 32-bit value: the ECS hot case, without building a string per query. */
  private cache4 = new Map<number, ClientLocation>();

  constructor(
    networks: readonly { prefix: string; country: string }[],
    private readonly db: CountryDb | null,
  ) {
    // Longest prefix first: the first match is the most specific.
    this.networks = networks.map((n) => parseNetwork(n.prefix, n.country)).sort((a, b) => b.bits - a.bits);
  }

  /** The location of an address in text form (IPv4, IPv6, IPv4-mapped IPv6). */
  locate(ip: string): ClientLocation {
    let hit = this.cache.get(ip);
    if (hit === undefined) {
      hit = this.lookup(ip);
      // Dropped whole when full: simpler than LRU, and a steady population refills it in a moment.
      if (this.cache.size >= CACHE_MAX) this.cache = new Map();
      this.cache.set(ip, hit);
    }
    return hit;
  }

  /** locate() for an IPv4 address given as its 32-bit value. */
  locate4(v4: number): ClientLocation {
    let hit = this.cache4.get(v4);
    if (hit === undefined) {
      hit = this.lookup(`${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`);
      if (this.cache4.size >= CACHE_MAX) this.cache4 = new Map();
      this.cache4.set(v4, hit);
    }
    return hit;
  }

  private lookup(ip: string): ClientLocation {
    const a = addressBytes(ip);
    if (a === null) return UNKNOWN;
    for (const n of this.networks) if (within(a.bytes, n.bytes, n.bits)) return n.location;
    if (this.db === null) return UNKNOWN;
    const text = a.v4 ? a.bytes.subarray(12).join('.') : ip;
    const [rec, prefix] = this.db.getWithPrefixLength(text);
    const cc = (rec as { country_code?: unknown } | null)?.country_code;
    if (typeof cc !== 'string') return { country: null, continent: null, prefix };
    return { country: cc, continent: continentOf(cc), prefix };
  }
}

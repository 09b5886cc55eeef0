/**
 * The network a client address belongs to, as a short string key: IPv4 addresses (and IPv4-mapped
 * IPv6 ones) masked to `v4Bits`, IPv6 addresses to `v6Bits`. Rate limits and connection caps count per
 * prefix because one host on IPv6 holds a whole /64 (usually a /56 or /48), and spoofed floods
 * rotate through the addresses of one network.
 */

function v4Key(address: string, bits: number): string {
  const p = address.split('.');
  const n = ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return `${((n & mask) >>> 0).toString(16)}/${bits}`;
}

/** The eight 16-bit groups of an IPv6 address in text form (RFC 4291 §2.2), or null. */
function v6Groups(address: string): number[] | null {
  const bare = address.split('%')[0]!;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const o = part.split('.').map(Number);
        out.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
      } else out.push(parseInt(part, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

export function clientPrefix(address: string, v4Bits: number, v6Bits: number): string {
  if (!address.includes(':')) return v4Key(address, v4Bits);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return v4Key(mapped[1]!, v4Bits);
  const groups = v6Groups(address);
  if (!groups) return address;
  const out: string[] = [];
  for (let i = 0, left = v6Bits; left > 0; i++, left -= 16) {
    const keep = Math.min(16, left);
    out.push((groups[i]! & ((0xffff << (16 - keep)) & 0xffff)).toString(16));
  }
  return `${out.join(':')}/${v6Bits}`;
}

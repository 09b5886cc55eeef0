/** RFC 1982 serial number arithmetic on 32-bit SOA serials: what "newer" means once serials wrap. */

/** True when serial `a` is older than `b` (a < b in RFC 1982 §3.2); undefined pairs (2^31 apart) are not. */
export function serialLessThan(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}

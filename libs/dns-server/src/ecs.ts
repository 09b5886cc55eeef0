/**
 * EDNS Client Subnet (RFC 7871), read straight from the query's OPT RDATA. The option's data is
 * FAMILY (2 octets), SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, then ADDRESS holding exactly
 * ceil(SOURCE / 8) octets (§6). Both paths use these, so the fast and slow paths cannot disagree.
 */

export const ECS_OPTION = 8;
export const FAMILY_IPV4 = 1;
export const FAMILY_IPV6 = 2;

/**
 * Whether the option data msg[at, at + len) is well formed. RFC 7871 §6: an unknown FAMILY, a SOURCE
 * PREFIX-LENGTH longer than the address, ADDRESS octets other than ceil(SOURCE / 8), or non-zero bits
 * past SOURCE PREFIX-LENGTH are all malformed, and the server answers FORMERR ("SHOULD return FORMERR
 * to reject the packet, as a signal to the software developer making the request"). A non-zero SCOPE in
 * a query is out of spec too (§6: "MUST be set to 0" in queries) but says nothing wrong about the
 * client's subnet, so it is ignored, as BIND and PowerDNS do.
 */
export function ecsWellFormed(msg: Uint8Array, at: number, len: number): boolean {
  if (len < 4) return false;
  const family = (msg[at]! << 8) | msg[at + 1]!;
  const source = msg[at + 2]!;
  const max = family === FAMILY_IPV4 ? 32 : family === FAMILY_IPV6 ? 128 : -1;
  if (max < 0 || source > max || len - 4 !== (source + 7) >> 3) return false;
  const spare = source & 7;
  return spare === 0 || (msg[at + 4 + (source >> 3)]! & (0xff >> spare)) === 0;
}

/**
 * The client subnet's address in text form (the octets past SOURCE are zero): what the location lookup
 * and its cache key read. Only for a well-formed option.
 */
export function ecsAddress(msg: Uint8Array, at: number, len: number): string {
  const n = len - 4;
  const byte = (i: number): number => (i < n ? msg[at + 4 + i]! : 0);
  if (msg[at + 1] === FAMILY_IPV4) return `${byte(0)}.${byte(1)}.${byte(2)}.${byte(3)}`;
  let s = '';
  for (let i = 0; i < 16; i += 2) s += (i === 0 ? '' : ':') + ((byte(i) << 8) | byte(i + 1)).toString(16);
  return s;
}

/** An IPv4 option's address as a 32-bit value (octets past SOURCE are zero). */
export function ecsV4(msg: Uint8Array, at: number, len: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = (v << 8) | (i < len - 4 ? msg[at + 4 + i]! : 0);
  return v >>> 0;
}

/** The option's SOURCE PREFIX-LENGTH. */
export function ecsSource(msg: Uint8Array, at: number): number {
  return msg[at + 2]!;
}

/**
 * Writes the option into a reply at `o` (code, length, and the query's FAMILY, SOURCE and ADDRESS
 * copied as §7.2.1 asks) with our SCOPE PREFIX-LENGTH; returns the offset past it.
 */
export function writeEcs(
  out: Uint8Array,
  o: number,
  msg: Uint8Array,
  at: number,
  len: number,
  scope: number,
): number {
  out[o] = 0;
  out[o + 1] = ECS_OPTION;
  out[o + 2] = len >> 8;
  out[o + 3] = len & 0xff;
  for (let i = 0; i < len; i++) out[o + 4 + i] = msg[at + i]!;
  out[o + 7] = scope;
  return o + 4 + len;
}

/**
 * Who may transfer a zone (RFC 5936 §5: refused unless allowed): rules of a CIDR network and, optionally,
 * a TSIG key name that must have signed the request. No rule, no transfer.
 */
import { isIP } from 'node:net';
import { parseIPv6 } from '@understudy/core';

export interface TransferAllow {
  /** "192.0.2.0/24", "2001:db8::/32", or one address. */
  network: string;
  /** Lower-case key name with the trailing dot; null = any request from the network, signed or not. */
  key: string | null;
}

interface Rule {
  bytes: Uint8Array;
  bits: number;
  key: string | null;
}

function addressBytes(addr: string): Uint8Array | null {
  const v4 = addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
  if (isIP(v4) === 4) return Uint8Array.from(v4.split('.').map(Number));
  const g = parseIPv6(addr);
  if (!g) return null;
  const out = new Uint8Array(16);
  g.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** Parses a network; throws an Error naming it when it is not one. */
export function parseNetwork(network: string): { bytes: Uint8Array; bits: number } {
  const [addr = '', len] = network.split('/');
  const bytes = addressBytes(addr);
  const max = bytes ? bytes.length * 8 : 0;
  const bits = len === undefined ? max : Number(len);
  if (
    !bytes ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > max ||
    (len !== undefined && !/^\d+$/.test(len))
  )
    throw new Error(`"${network}" is not an address or a CIDR network`);
  return { bytes, bits };
}

function inNetwork(addr: Uint8Array, r: Rule): boolean {
  if (addr.length !== r.bytes.length) return false;
  let bits = r.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (r.bytes[i]! & mask)) return false;
  }
  return true;
}

export class TransferAcl {
  private readonly rules: Rule[];

  constructor(allow: readonly TransferAllow[]) {
    this.rules = allow.map((a) => ({ ...parseNetwork(a.network), key: a.key }));
  }

  /** Whether a request from `address`, signed by `key` (verified; null = unsigned), may transfer. */
  allows(address: string, key: string | null): boolean {
    const bytes = addressBytes(address);
    if (!bytes) return false;
    return this.rules.some((r) => inNetwork(bytes, r) && (r.key === null || r.key === key));
  }
}

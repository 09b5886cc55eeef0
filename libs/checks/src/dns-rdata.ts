/**
 * Answer rdata in the canonical presentation form of libs/core's rdata.ts, so a DNS check compares what a
 * server answers with values written in the config exactly as records are compared everywhere else.
 */
import { formatIPv6, formatRdata } from '@understudy/core';
import type { Rdata } from '@understudy/core';
import { DnsWireError, Reader } from './dns-wire.js';
import type { WireRecord } from './dns-wire.js';

function characterStrings(r: Reader, end: number): string[] {
  const out: string[] = [];
  while (r.pos < end) {
    const len = r.u8();
    if (r.pos + len > end) throw new DnsWireError('TXT string runs past its record');
    out.push(Buffer.from(r.bytes(len)).toString('utf8'));
  }
  return out;
}

function ipv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  return formatIPv6(groups);
}

function decode(type: number, r: Reader, end: number, length: number): Rdata | null {
  switch (type) {
    case 1:
      if (length !== 4) throw new DnsWireError(`A record of ${length} bytes`);
      return { type: 'A', address: Array.from(r.bytes(4)).join('.') };
    case 28:
      if (length !== 16) throw new DnsWireError(`AAAA record of ${length} bytes`);
      return { type: 'AAAA', address: ipv6(r.bytes(16)) };
    case 2:
    case 5:
      return { type: type === 2 ? 'NS' : 'CNAME', target: r.name() };
    case 15:
      return { type: 'MX', preference: r.u16(), exchange: r.name() };
    case 33:
      return { type: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case 16:
      return { type: 'TXT', strings: characterStrings(r, end) };
    case 257: {
      const flags = r.u8();
      const tagLength = r.u8();
      const tag = Buffer.from(r.bytes(tagLength)).toString('latin1').toLowerCase();
      if (r.pos > end) throw new DnsWireError('CAA tag runs past its record');
      return { type: 'CAA', flags, tag, value: Buffer.from(r.bytes(end - r.pos)).toString('utf8') };
    }
    case 6:
      return {
        type: 'SOA',
        mname: r.name(),
        rname: r.name(),
        serial: r.u32(),
        refresh: r.u32(),
        retry: r.u32(),
        expire: r.u32(),
        minimum: r.u32(),
      };
    default:
      return null;
  }
}

/** One record's value; types the system does not model come out in RFC 3597 form ("\# 2 abcd"). */
export function rdataText(message: Uint8Array, rr: WireRecord): string {
  const end = rr.rdOffset + rr.rdLength;
  const r = new Reader(message, rr.rdOffset);
  const rdata = decode(rr.type, r, end, rr.rdLength);
  if (rdata === null) {
    const hex = Buffer.from(message.subarray(rr.rdOffset, end)).toString('hex');
    return `\\# ${rr.rdLength}${hex ? ` ${hex}` : ''}`;
  }
  if (r.pos !== end)
    throw new DnsWireError(
      `${rdata.type} record data is ${rr.rdLength} bytes, its fields ${r.pos - rr.rdOffset}`,
    );
  return formatRdata(rdata);
}

/**
 * The few DNS wire operations a DNS check needs: encode one query, and read the header, question and answer
 * section of a reply. Written here rather than borrowed from libs/dns-server so the probe never loads dns2.
 * Every read is bounds-checked: a malformed reply throws DnsWireError, never anything else.
 */

export class DnsWireError extends Error {
  override readonly name = 'DnsWireError';
}

export { rcodeName } from '@understudy/core';

export const QTYPES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
};

const CLASS_IN = 1;
const TYPE_OPT = 41;
/** Our advertised UDP payload size (the DNS flag day 2020 value): large answers fit without fragments. */
export const EDNS_PAYLOAD = 1232;

/** A query for (name, type) with RD set (resolvers need it, authoritative servers ignore it) and EDNS(0). */
export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name === '.' ? [] : name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([
    ...labels.map((l) => {
      const bytes = Buffer.from(l, 'latin1');
      if (bytes.length === 0 || bytes.length > 63) throw new DnsWireError(`bad label "${l}" in ${name}`);
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  const question = Buffer.alloc(4);
  question.writeUInt16BE(qtype, 0);
  question.writeUInt16BE(CLASS_IN, 2);
  // OPT: root owner, type 41, class = payload size, TTL 0 (version 0, no DO), no options.
  const opt = Buffer.from([0, 0, TYPE_OPT, EDNS_PAYLOAD >> 8, EDNS_PAYLOAD & 0xff, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, qname, question, opt]);
}

export interface WireRecord {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  /** Offset and length of the rdata in the message (names inside may point anywhere in it). */
  rdOffset: number;
  rdLength: number;
}

export interface DnsReply {
  id: number;
  qr: boolean;
  opcode: number;
  tc: boolean;
  aa: boolean;
  /** Including the extended bits from OPT. */
  rcode: number;
  question: { name: string; type: number; klass: number } | null;
  answers: WireRecord[];
}

export class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new DnsWireError(`reply truncated at byte ${this.pos} (needs ${n} more of ${this.buf.length})`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    return this.u16() * 65536 + this.u16();
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A possibly compressed name, in lower-case presentation form with the trailing dot. */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    let total = 0;
    for (let hops = 0; ;) {
      if (pos >= this.buf.length) throw new DnsWireError(`name runs past the end at byte ${pos}`);
      const len = this.buf[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsWireError('compression pointer truncated');
        if (++hops > 64) throw new DnsWireError('compression pointer loop');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1]!;
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsWireError(`unsupported label type 0x${len.toString(16)}`);
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        return labels.length ? `${labels.join('.')}.` : '.';
      }
      total += len + 1;
      if (total > 255) throw new DnsWireError('name longer than 255 bytes');
      if (pos + 1 + len > this.buf.length) throw new DnsWireError('label runs past the end');
      labels.push(presentLabel(this.buf.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
  }
}

/** Lower case; dots, backslashes and unprintable bytes escaped as in zone files. */
function presentLabel(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b).toLowerCase();
    else out += `\\${b.toString().padStart(3, '0')}`;
  }
  return out;
}

function record(r: Reader): WireRecord {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdLength = r.u16();
  const rdOffset = r.pos;
  r.bytes(rdLength);
  return { name, type, klass, ttl, rdOffset, rdLength };
}

/** Header, question, answers, and the OPT's extended rcode; authority is skipped, additional scanned for OPT. */
export function parseReply(buf: Uint8Array): DnsReply {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const [qd, an, ns, ar] = [r.u16(), r.u16(), r.u16(), r.u16()];
  if (qd > 1) throw new DnsWireError(`reply has ${qd} questions`);
  const question = qd === 1 ? { name: r.name(), type: r.u16(), klass: r.u16() } : null;
  const answers: WireRecord[] = [];
  for (let i = 0; i < an; i++) answers.push(record(r));
  for (let i = 0; i < ns; i++) record(r);
  let rcode = flags & 0x0f;
  for (let i = 0; i < ar; i++) {
    const rr = record(r);
    if (rr.type === TYPE_OPT) rcode |= (rr.ttl >>> 24) << 4;
  }
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rcode,
    question,
    answers,
  };
}

/**
 * Reads what a zone-transfer request (AXFR/IXFR, RFC 5936/1995) or a NOTIFY reply carries beyond the
 * question: the IXFR's SOA serial in the authority section and a TSIG record (RFC 8945) at the end of the
 * additional section. query-parse.ts reads only the header, question and OPT, for the hot path; this
 * walks every record, with compression pointers, bounded so hostile input costs little.
 */

export const TYPE_TSIG = 250;
export const CLASS_ANY = 255;

/** A name read from the wire: its labels as octets, plus the lower-case dotted key ("a.b." / "."). */
export interface WireName {
  labels: Buffer[];
  key: string;
}

export interface TsigRecord {
  /** Offset of the TSIG record's first octet: the signed part of the message ends here. */
  start: number;
  name: WireName;
  algorithm: WireName;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

export interface XfrRequest {
  id: number;
  opcode: number;
  qr: boolean;
  rcode: number;
  qname: WireName | null;
  qtype: number;
  qclass: number;
  /** Offset just past the question section (12 without a question). */
  questionEnd: number;
  /** IXFR: the serial of the SOA the client holds (authority section), else null. */
  clientSerial: number | null;
  tsig: TsigRecord | null;
}

class WireError extends Error {}

/** Reads a possibly compressed name at `off`; returns it and the offset after it in place. */
export function readName(msg: Buffer, off: number): { name: WireName; next: number } {
  const labels: Buffer[] = [];
  let next = -1;
  let total = 1;
  for (let jumps = 0; ;) {
    if (off >= msg.length) throw new WireError('name runs past the message');
    const len = msg[off]!;
    if (len === 0) {
      if (next < 0) next = off + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= msg.length || ++jumps > 64) throw new WireError('bad compression pointer');
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | msg[off + 1]!;
      continue;
    }
    if (len > 63) throw new WireError('bad label length');
    total += len + 1;
    if (total > 255 || off + 1 + len > msg.length) throw new WireError('name too long');
    labels.push(msg.subarray(off + 1, off + 1 + len));
    off += len + 1;
  }
  const key =
    labels.length === 0 ? '.' : labels.map((l) => l.toString('latin1').toLowerCase()).join('.') + '.';
  return { name: { labels, key }, next };
}

/** The canonical (lower-case, uncompressed) wire form of a name, as TSIG digests it. */
export function canonicalWire(name: WireName): Buffer {
  const parts: Buffer[] = [];
  for (const l of name.labels) {
    const lower = Buffer.from(l.toString('latin1').toLowerCase(), 'latin1');
    parts.push(Buffer.from([lower.length]), lower);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(msg: Buffer, off: number): number {
  if (off + 2 > msg.length) throw new WireError('message is truncated');
  return msg.readUInt16BE(off);
}

function parseTsig(msg: Buffer, start: number, name: WireName, rdata: number, end: number): TsigRecord {
  const alg = readName(msg, rdata);
  let o = alg.next;
  if (o + 10 > end) throw new WireError('TSIG rdata is truncated');
  const timeSigned = msg.readUIntBE(o, 6);
  const fudge = msg.readUInt16BE(o + 6);
  const macLen = msg.readUInt16BE(o + 8);
  o += 10;
  if (o + macLen + 6 > end) throw new WireError('TSIG MAC is truncated');
  const mac = msg.subarray(o, o + macLen);
  o += macLen;
  const originalId = msg.readUInt16BE(o);
  const error = msg.readUInt16BE(o + 2);
  const otherLen = msg.readUInt16BE(o + 4);
  o += 6;
  if (o + otherLen !== end) throw new WireError('TSIG other data does not end the record');
  const other = msg.subarray(o, o + otherLen);
  return { start, name, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other };
}

/** Parses a whole message; throws an Error naming what is wrong (the caller answers FORMERR). */
export function parseXfrMessage(msg: Buffer): XfrRequest {
  if (msg.length < 12) throw new WireError('shorter than a header');
  const counts = [u16(msg, 4), u16(msg, 6), u16(msg, 8), u16(msg, 10)];
  const req: XfrRequest = {
    id: msg.readUInt16BE(0),
    qr: (msg[2]! & 0x80) !== 0,
    opcode: (msg[2]! >> 3) & 0x0f,
    rcode: msg[3]! & 0x0f,
    qname: null,
    qtype: 0,
    qclass: 0,
    questionEnd: 12,
    clientSerial: null,
    tsig: null,
  };
  if (counts[0]! > 1) throw new WireError('more than one question');
  let off = 12;
  if (counts[0] === 1) {
    const q = readName(msg, off);
    req.qname = q.name;
    req.qtype = u16(msg, q.next);
    req.qclass = u16(msg, q.next + 2);
    off = q.next + 4;
    if (off > msg.length) throw new WireError('question is truncated');
    req.questionEnd = off;
  }
  const records = counts[1]! + counts[2]! + counts[3]!;
  if (records > 64) throw new WireError('too many records for a request');
  for (let i = 0; i < records; i++) {
    const start = off;
    const owner = readName(msg, off);
    const type = u16(msg, owner.next);
    const rdlen = u16(msg, owner.next + 8);
    const rdata = owner.next + 10;
    const end = rdata + rdlen;
    if (end > msg.length) throw new WireError('record runs past the message');
    const section = i < counts[1]! ? 1 : i < counts[1]! + counts[2]! ? 2 : 3;
    if (section === 2 && type === 6) {
      const mname = readName(msg, rdata);
      const rname = readName(msg, mname.next);
      if (rname.next + 4 > end) throw new WireError('SOA rdata is truncated');
      req.clientSerial = msg.readUInt32BE(rname.next);
    }
    if (type === TYPE_TSIG) {
      if (section !== 3 || i !== records - 1) throw new WireError('TSIG is not the last record');
      req.tsig = parseTsig(msg, start, owner.name, rdata, end);
    }
    off = end;
  }
  return req;
}

export function isWireError(err: unknown): boolean {
  return err instanceof WireError;
}

/**
 * A direct encoder for the fast table's bodies: the octets that follow the question of a response to
 * (qname, qtype, IN), written byte by byte into one reusable buffer. dns2's Packet.toBuffer writes one
 * array element per bit and dominated snapshot builds; this produces what dns2 produces for every type
 * the zone model holds (byte for byte, except SRV targets, see below).
 *
 * Compression (RFC 1035 §4.1.4) follows dns2's rule, so bodies stay interchangeable with its output:
 * every suffix of the question name is known at its offset in the question, each name written later
 * registers its suffixes while they start below 0x4000, and a name whose suffix is known ends in a
 * pointer. Only owner names and the rdata names of RFC 1035's own types (NS, CNAME, PTR, MX, SOA) are
 * compressed; RFC 3597 §4 forbids it for later types, so an SRV target (RFC 2782) is written in full
 * and not offered as a pointer target either (a middlebox may rewrite rdata it does not know).
 */
import { parseIPv6 } from '@understudy/core';
import { CLASS_IN, MAX_MESSAGE, TYPE } from './constants.js';
import type { Resource } from './dns2.js';

export interface EncodedBody {
  body: Buffer;
  /** Offset within `body` of the 32-bit serial of its first SOA record, or -1 without one. */
  serialAt: number;
}

const TYPE_PTR = 12;
const HEADER = 12;
const SECTION_NAMES = ['answer', 'authority', 'additional'];
const POINTER_LIMIT = 0x4000;
const MAX_NAME = 255;
const MAX_LABEL = 63;
/** Room for the largest record that can still end inside a message: the surplus catches overruns. */
const scratch = Buffer.alloc(MAX_MESSAGE + 2048);
/**
 * Lower-case suffixes (no trailing dot) and their offsets in the message being built. A body holds a
 * handful, so a linear scan of two arrays beats a Map (which clear() would reallocate every call); past
 * SPILL entries a Map takes over, so a body of thousands of names stays linear.
 */
const SPILL = 32;
const knownKeys: string[] = [];
const knownAt: number[] = [];
let knownCount = 0;
const knownMap = new Map<string, number>();

function lookup(suffix: string): number {
  for (let j = 0; j < knownCount && j < SPILL; j++) if (knownKeys[j] === suffix) return knownAt[j]!;
  return knownCount > SPILL ? (knownMap.get(suffix) ?? -1) : -1;
}

function remember(suffix: string, at: number): void {
  if (knownCount < SPILL) {
    knownKeys[knownCount] = suffix;
    knownAt[knownCount] = at;
  } else knownMap.set(suffix, at);
  knownCount++;
}

function forget(): void {
  if (knownCount > SPILL) knownMap.clear();
  knownCount = 0;
}
let pos = 0;

/** dns2 spelling: no trailing dot, empty labels dropped ("" is the root). */
function bare(name: string | undefined): string {
  if (name === undefined) return '';
  let n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.startsWith('.') || n.includes('..')) n = n.split('.').filter(Boolean).join('.');
  return n;
}

/** Checks RFC 1035 §2.3.4 limits on a bare name; its wire length is its length + 2 (1 for the root). */
function checkName(n: string, what: string): void {
  if (n.length + 2 > MAX_NAME) throw new Error(`${what} "${n}" is longer than ${MAX_NAME} octets`);
  let start = 0;
  for (;;) {
    const dot = n.indexOf('.', start);
    const end = dot < 0 ? n.length : dot;
    if (end - start > MAX_LABEL)
      throw new Error(`${what} "${n}" has a label longer than ${MAX_LABEL} octets`);
    if (dot < 0) return;
    start = dot + 1;
  }
}

/** Writes a name at `pos`; with `compress`, ends it in a pointer to a known suffix and registers its own. */
function writeName(name: string | undefined, compress: boolean, what: string): void {
  const n = bare(name);
  if (n.length === 0) {
    scratch[pos++] = 0;
    return;
  }
  // Labels are checked as they are written: a suffix that ends in a pointer was checked when it was first seen.
  if (n.length + 2 > MAX_NAME) throw new Error(`${what} "${n}" is longer than ${MAX_NAME} octets`);
  const lower = compress ? n.toLowerCase() : n;
  let i = 0;
  for (;;) {
    if (compress) {
      const suffix = i === 0 ? lower : lower.slice(i);
      const at = lookup(suffix);
      if (at >= 0) {
        scratch[pos++] = 0xc0 | (at >> 8);
        scratch[pos++] = at & 0xff;
        return;
      }
      if (pos < POINTER_LIMIT) remember(suffix, pos);
    }
    let dot = n.indexOf('.', i);
    if (dot < 0) dot = n.length;
    if (dot - i > MAX_LABEL) throw new Error(`${what} "${n}" has a label longer than ${MAX_LABEL} octets`);
    scratch[pos++] = dot - i;
    for (let k = i; k < dot; k++) scratch[pos++] = n.charCodeAt(k);
    if (dot === n.length) break;
    i = dot + 1;
  }
  scratch[pos++] = 0;
}

function u16(v: number): void {
  scratch[pos++] = (v >>> 8) & 0xff;
  scratch[pos++] = v & 0xff;
}

function u32(v: number | string | undefined): void {
  scratch.writeUInt32BE(Number(v ?? 0) >>> 0, pos);
  pos += 4;
}

function code16(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff)
    throw new Error(`${what} must be a 16-bit integer, got ${String(v)}`);
  return v;
}

function writeIPv4(address: unknown, what: string): void {
  const s = typeof address === 'string' ? address : '';
  let octet = -1;
  let parts = 0;
  for (let k = 0; k <= s.length; k++) {
    const c = k < s.length ? s.charCodeAt(k) : 0x2e;
    if (c === 0x2e) {
      if (octet < 0 || parts === 4) break;
      scratch[pos + parts++] = octet;
      octet = -1;
    } else if (c >= 0x30 && c <= 0x39 && octet !== 0) {
      octet = (octet < 0 ? 0 : octet * 10) + c - 0x30;
      if (octet > 255) break;
    } else break;
    if (k === s.length && parts === 4) {
      pos += 4;
      return;
    }
  }
  throw new Error(`${what}: "${String(address)}" is not an IPv4 address`);
}

/** The parser the zone model validated with; AAAA records are few, so its arrays cost little. */
function writeIPv6(address: unknown, what: string): void {
  const groups = typeof address === 'string' ? parseIPv6(address) : null;
  if (!groups) throw new Error(`${what}: "${String(address)}" is not an IPv6 address`);
  for (const g of groups) u16(g);
}

const utf8Len = (v: string | Buffer): number =>
  typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;

function writeBytes(v: string | Buffer): void {
  if (typeof v === 'string') pos += scratch.write(v, pos, 'utf8');
  else pos += v.copy(scratch, pos);
}

/** TXT: one length-prefixed character-string per element (dns2 accepts one string or Buffer too). */
function writeTxt(data: unknown, what: string): void {
  const list: unknown[] = Array.isArray(data) ? data : [data];
  for (const s of list) {
    if (typeof s !== 'string' && !Buffer.isBuffer(s)) continue; // dns2 drops what is not text
    const len = utf8Len(s);
    if (len > 255) throw new Error(`${what}: a character-string is ${len} octets, more than 255`);
    if (pos + len + 1 > scratch.length) throw tooLarge();
    scratch[pos++] = len;
    writeBytes(s);
  }
}

function tooLarge(): Error {
  return new Error(`the body is too large for one ${MAX_MESSAGE}-octet message`);
}

/** Writes one resource record; returns the offset of its SOA serial (else -1). */
function writeRecord(r: Resource): number {
  if (pos + 2048 > scratch.length) throw tooLarge();
  const type = code16(r.type, 'type');
  if (type === TYPE.OPT) throw new Error('OPT is added per reply, not pre-encoded');
  writeName(r.name, true, 'owner');
  u16(type);
  u16(code16(r.class ?? CLASS_IN, 'class'));
  u32(Math.min(r.ttl >>> 0, 0x7fffffff));
  const rdlenAt = pos;
  pos += 2;
  let serialAt = -1;
  switch (type) {
    case TYPE.A:
      writeIPv4(r.address, 'A address');
      break;
    case TYPE.AAAA:
      writeIPv6(r.address, 'AAAA address');
      break;
    case TYPE.NS:
      writeName(r.ns, true, 'NS target');
      break;
    case TYPE.CNAME:
    case TYPE_PTR:
      writeName(r.domain, true, 'target');
      break;
    case TYPE.MX:
      u16((r.priority ?? 0) & 0xffff);
      writeName(r.exchange, true, 'MX exchange');
      break;
    case TYPE.SOA:
      writeName(r.primary, true, 'SOA mname');
      writeName(r.admin, true, 'SOA rname');
      serialAt = pos;
      u32(r.serial);
      u32(r.refresh);
      u32(r.retry);
      u32(r.expiration);
      u32(Math.min((r.minimum ?? 0) >>> 0, 0x7fffffff));
      break;
    case TYPE.SRV:
      u16((r.priority ?? 0) & 0xffff);
      u16((r.weight ?? 0) & 0xffff);
      u16((r.port ?? 0) & 0xffff);
      writeName(r.target, false, 'SRV target');
      break;
    case TYPE.TXT:
      writeTxt(r.data, 'TXT');
      break;
    case TYPE.CAA: {
      const tag = r.tag ?? '';
      const value = r.value ?? '';
      const tagLen = utf8Len(tag);
      if (tagLen > 255) throw new Error('CAA tag is longer than 255 octets');
      if (pos + 2 + tagLen + utf8Len(value) > scratch.length) throw tooLarge();
      scratch[pos++] = (r.flags ?? 0) & 0xff;
      scratch[pos++] = tagLen;
      writeBytes(tag);
      writeBytes(value);
      break;
    }
    default: {
      // RFC 3597: a type without a codec here carries its rdata verbatim, as dns2's fallback does.
      const data: unknown = (r as { data?: unknown }).data;
      if (Buffer.isBuffer(data)) {
        if (pos + data.length > scratch.length) throw tooLarge();
        writeBytes(data);
      }
    }
  }
  const rdlen = pos - rdlenAt - 2;
  scratch[rdlenAt] = rdlen >>> 8;
  scratch[rdlenAt + 1] = rdlen & 0xff;
  return serialAt;
}

/** Makes the question name's suffixes known at their offsets in the question (which starts at 12). */
function knowQuestion(qname: string): number {
  const q = bare(qname).toLowerCase();
  if (q.length === 0) return 1;
  checkName(q, 'question name');
  for (let i = 0; ;) {
    remember(i === 0 ? q : q.slice(i), HEADER + i);
    const dot = q.indexOf('.', i);
    if (dot < 0) break;
    i = dot + 1;
  }
  return q.length + 2;
}

/**
 * The octets after the question of a response whose question is (qname, qtype, IN) at offset 12:
 * answer, authority and additional records, compressed against the question and each other.
 * `qtype` does not change the octets (the question's length does not depend on it); it names the body
 * in errors. Throws an Error naming the record and field when a record cannot be encoded.
 */
export function encodeBody(
  qname: string,
  qtype: number,
  answer: readonly Resource[],
  authority: readonly Resource[],
  additional: readonly Resource[],
): EncodedBody {
  forget();
  const sections = [answer, authority, additional];
  let section = -1;
  let index = 0;
  try {
    const base = HEADER + knowQuestion(qname) + 4;
    pos = base;
    let serialAt = -1;
    for (section = 0; section < 3; section++) {
      const records = sections[section]!;
      for (index = 0; index < records.length; index++) {
        const at = writeRecord(records[index]!);
        if (at >= 0 && serialAt < 0) serialAt = at - base;
      }
    }
    if (pos > MAX_MESSAGE) throw tooLarge();
    const body = Buffer.allocUnsafe(pos - base);
    scratch.copy(body, 0, base, pos);
    return { body, serialAt };
  } catch (err) {
    // Which record it was is only worked out here, so the success path builds no strings.
    const where = section >= 0 && section < 3 ? `${SECTION_NAMES[section]}[${index}] ` : '';
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`encoding the answer for ${qname} type ${qtype}: ${where}${why}`, { cause: err });
  } finally {
    forget();
  }
}

/**
 * The slow path's reader: decides from the header what deserves a look, then reads the question and
 * the additional section's OPT, nothing else. A query has one question, no answer or authority
 * records, and at most a few additional records (OPT, TSIG), so a message that says otherwise is
 * refused from its 12-octet header, whatever it carries after (issue #10: a full decode of a crafted
 * 64 KiB datagram took 315 ms). Every step reads a bounded, forward-only span: no allocation per
 * record, no pointer chasing.
 */
import { TYPE } from './constants.js';
import { ECS_OPTION, ecsWellFormed } from './ecs.js';

/** Longest query read over UDP or TCP. A query is a question plus an OPT (cookies, padding). */
export const MAX_QUERY = 4096;
/** Additional records walked looking for the OPT: OPT, TSIG, and slack for what else a client sends. */
export const MAX_ADDITIONALS = 4;

export interface QueryQuestion {
  /**
   * Labels joined by '.', octets as latin1, no trailing dot, root = ''. A '.' octet inside a label is
   * spelled LITERAL_DOT, so the string splits at the real label boundaries only: `a\.b.ent` is two
   * labels below `ent`, not three (no zone name can hold LITERAL_DOT, so such a name never matches).
   */
  name: string;
  type: number;
  class: number;
  /** Offset just past the question's class: a reply echoes msg[12, end) octet for octet. */
  end: number;
}

/** Stands for a '.' octet inside a label in QueryQuestion.name (zone names are a-z 0-9 - _ *). */
export const LITERAL_DOT = '\u0000';

export interface QueryOpt {
  /** The requestor's UDP payload size (the OPT CLASS field). */
  payload: number;
  version: number;
  doFlag: boolean;
  /** The query asked for the server's NSID (RFC 5001 option 3). */
  nsid: boolean;
  /** Issue 14 part 3: offset of the EDNS Client Subnet option's data, or -1 (none, or ECS off). */
  ecsAt: number;
  ecsLen: number;
}

export type ParsedQuery =
  /** Not worth a reply: too short, a response, or over the size limit. */
  | { kind: 'drop' }
  /** The header alone (ID, opcode, RD, CD) is what the reply echoes. */
  | { kind: 'formerr' }
  /** NOTIFY (RFC 1996): we are the primary, nobody notifies us; header only, as NSD answers. */
  | { kind: 'refused' }
  | { kind: 'notimp'; question: QueryQuestion | null; opt: QueryOpt | null }
  | { kind: 'query'; question: QueryQuestion; opt: QueryOpt | null };

const OPCODE_NOTIFY = 4;

const u16 = (m: Uint8Array, o: number): number => (m[o]! << 8) | m[o + 1]!;

/**
 * The uncompressed question name at `start`: its end offset, or -1. Nothing precedes the question
 * but the header, so a compression pointer there can only be a loop or point into the header.
 */
function questionNameEnd(msg: Uint8Array, start: number): number {
  let off = start;
  for (;;) {
    if (off >= msg.length) return -1;
    const len = msg[off]!;
    if (len === 0) return off + 1;
    if (len > 63) return -1;
    off += len + 1;
    if (off - start > 254) return -1;
  }
}

/** Skips a record owner name (which may end in a pointer, never followed): its end, or -1. */
function skipName(msg: Uint8Array, start: number, end: number): number {
  let off = start;
  for (;;) {
    if (off >= end) return -1;
    const len = msg[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) {
      if (off + 2 > end || (((len & 0x3f) << 8) | msg[off + 1]!) >= start) return -1;
      return off + 2;
    }
    if (len > 63) return -1;
    off += len + 1;
    if (off - start > 254) return -1;
  }
}

function decodeName(msg: Buffer, start: number, end: number): string {
  const labels: string[] = [];
  let off = start;
  while (off < end - 1) {
    const len = msg[off]!;
    const label = msg.toString('latin1', off + 1, off + 1 + len);
    labels.push(label.includes('.') ? label.replaceAll('.', LITERAL_DOT) : label);
    off += len + 1;
  }
  return labels.join('.');
}

function readQuestion(msg: Buffer): { q: QueryQuestion; end: number } | null {
  const nameEnd = questionNameEnd(msg, 12);
  if (nameEnd < 0 || nameEnd + 4 > msg.length) return null;
  const q = {
    name: decodeName(msg, 12, nameEnd),
    type: u16(msg, nameEnd),
    class: u16(msg, nameEnd + 2),
    end: nameEnd + 4,
  };
  return { q, end: nameEnd + 4 };
}

const NSID_OPTION = 3;

interface Options {
  nsid: boolean;
  ecsAt: number;
}

/**
 * EDNS options are {code, length, data} triples that must fill the RDATA exactly: null when they do not,
 * or (with `ecs`) when an EDNS Client Subnet option is malformed or repeated (RFC 7871 §6: FORMERR).
 */
function readOptions(msg: Uint8Array, start: number, end: number, ecs: boolean): Options | null {
  let p = start;
  const o: Options = { nsid: false, ecsAt: -1 };
  while (p < end) {
    if (p + 4 > end) return null;
    const code = u16(msg, p);
    const n = u16(msg, p + 2);
    if (code === NSID_OPTION) o.nsid = true;
    if (ecs && code === ECS_OPTION) {
      if (o.ecsAt >= 0 || p + 4 + n > end || !ecsWellFormed(msg, p + 4, n)) return null;
      o.ecsAt = p + 4;
    }
    p += 4 + n;
  }
  return p === end ? o : null;
}

/**
 * Walks `count` additional records from `off` and returns the one OPT (or null), or 'bad' for a record
 * that runs past the message, an OPT whose owner is not the root (RFC 6891 §6.1.1), two OPTs, or
 * options that do not fill the OPT's RDATA.
 */
function readAdditionals(msg: Buffer, off: number, count: number, ecs: boolean): QueryOpt | null | 'bad' {
  let opt: QueryOpt | null = null;
  for (let i = 0; i < count; i++) {
    const nameEnd = skipName(msg, off, msg.length);
    if (nameEnd < 0 || nameEnd + 10 > msg.length) return 'bad';
    const rdStart = nameEnd + 10;
    const rdEnd = rdStart + u16(msg, nameEnd + 8);
    if (rdEnd > msg.length) return 'bad';
    if (u16(msg, nameEnd) === TYPE.OPT) {
      const options: Options | null =
        opt === null && nameEnd === off + 1 ? readOptions(msg, rdStart, rdEnd, ecs) : null;
      if (options === null) return 'bad';
      opt = {
        payload: u16(msg, nameEnd + 2),
        version: msg[nameEnd + 5]!,
        doFlag: (msg[nameEnd + 6]! & 0x80) !== 0,
        nsid: options.nsid,
        ecsAt: options.ecsAt,
        ecsLen: options.ecsAt < 0 ? 0 : u16(msg, options.ecsAt - 2),
      };
    }
    off = rdEnd;
  }
  return opt;
}

/**
 * Reads what the slow path needs from a query of at most `maxLength` octets; with `ecs`, the EDNS Client
 * Subnet option too (issue 14 part 3).
 */
export function parseQuery(msg: Buffer, maxLength = MAX_QUERY, ecs = false): ParsedQuery {
  if (msg.length < 12 || (msg[2]! & 0x80) !== 0 || msg.length > maxLength) return { kind: 'drop' };
  const opcode = (msg[2]! >> 3) & 0x0f;
  const qd = u16(msg, 4);
  const ar = u16(msg, 10);
  const plainCounts = qd === 1 && u16(msg, 6) === 0 && u16(msg, 8) === 0 && ar <= MAX_ADDITIONALS;
  if (opcode === OPCODE_NOTIFY) return { kind: 'refused' };
  if (opcode !== 0) {
    // RFC 8906 §8.1.4: NOTIMP whatever follows; echo the question and OPT when they read cleanly.
    const read = plainCounts ? readQuestion(msg) : null;
    const opt = read ? readAdditionals(msg, read.end, ar, ecs) : null;
    return { kind: 'notimp', question: read?.q ?? null, opt: opt === 'bad' ? null : opt };
  }
  if (!plainCounts) return { kind: 'formerr' };
  const read = readQuestion(msg);
  if (!read) return { kind: 'formerr' };
  const opt = readAdditionals(msg, read.end, ar, ecs);
  if (opt === 'bad') return { kind: 'formerr' };
  return { kind: 'query', question: read.q, opt };
}

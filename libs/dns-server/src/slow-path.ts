/**
 * The general path: everything the fast path declines (TCP, malformed or unusual queries, EDNS
 * versions, opcodes, ANY, truncation, names outside the table). query-parse.ts reads the header,
 * question and OPT; the protocol decisions (AA, OPT echo, NOTIMP, BADVERS, TC) are made here; dns2's
 * codec only encodes the reply.
 */
import { CLASS_IN, CLASSIC_UDP_LIMIT, MAX_MESSAGE, RCODE, TYPE } from './constants.js';
import { headerOf, optRecord, Packet } from './dns2.js';
import type { Question } from './dns2.js';
import { parseQuery } from './query-parse.js';
import type { QueryOpt, QueryQuestion } from './query-parse.js';
import { resolve } from './resolve.js';
import type { Resolution } from './resolve.js';
import type { Snapshot } from './snapshot.js';

export type Transport = 'udp' | 'tcp';

export interface SlowReply {
  buf: Buffer;
  rcode: number;
  qtype: number;
}

export interface SlowOptions {
  /** Our EDNS UDP payload size, advertised in every OPT we send. */
  payloadSize: number;
}

const EMPTY: Resolution = { rcode: RCODE.NOERROR, aa: false, answer: [], authority: [], additional: [] };

function fail(rcode: number): Resolution {
  return { ...EMPTY, rcode };
}

/** The bare 12-octet header of an error reply: ID, opcode, RD and CD copied, every count zero. */
export function headerOnly(msg: Uint8Array, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = 0x80 | (msg[2]! & 0x79); // QR, the opcode and RD copied
  out[3] = (msg[3]! & 0x10) | rcode;
  return out;
}

interface Verdict {
  res: Resolution;
  question: QueryQuestion | null;
  opt: QueryOpt | null;
}

/** Checks a well-formed query in RFC order and decides the reply's rcode and content. */
function decide(question: QueryQuestion, opt: QueryOpt | null, snap: Snapshot | null): Verdict {
  const v = (res: Resolution): Verdict => ({ res, question, opt });
  if (opt && opt.version > 0) return v(fail(RCODE.BADVERS));
  if (question.class !== CLASS_IN) return v(fail(RCODE.REFUSED));
  if (!snap) return v(fail(RCODE.SERVFAIL));
  // No zone transfers: this server is the only primary and has nothing to transfer to.
  if (question.type === TYPE.AXFR || question.type === TYPE.IXFR) return v(fail(RCODE.REFUSED));
  const qname = question.name === '' ? '.' : `${asciiLower(question.name)}.`;
  return v(resolve(snap.model, qname, question.type));
}

/** DNS names compare case-insensitively in ASCII only (RFC 4343): other octets stay as they are. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function encode(msg: Buffer, v: Verdict, opts: SlowOptions, truncated: boolean): Buffer {
  const reply = new Packet();
  reply.header = new Packet.Header({
    id: msg.readUInt16BE(0),
    qr: 1,
    opcode: (msg[2]! >> 3) & 0x0f,
    rd: msg[2]! & 0x01 ? 1 : 0,
    rcode: v.res.rcode,
  });
  const rh = headerOf(reply);
  rh.cd = msg[3]! & 0x10 ? 1 : 0;
  rh.aa = v.res.aa ? 1 : 0;
  rh.tc = truncated ? 1 : 0;
  reply.questions = v.question ? [v.question as Question] : [];
  if (!truncated) {
    reply.answers = v.res.answer;
    reply.authorities = v.res.authority;
    reply.additionals = [...v.res.additional];
  }
  // BADVERS needs the OPT even without one to echo: its upper rcode bits travel there.
  if (v.opt) reply.additionals.push(optRecord(opts.payloadSize, v.opt.doFlag));
  return reply.toBuffer();
}

/** The requestor's UDP limit: 512 without EDNS (RFC 1035), else min(their size, ours), never below 512. */
function udpLimit(opt: QueryOpt | null, ours: number): number {
  if (!opt) return CLASSIC_UDP_LIMIT;
  return Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.payload, ours));
}

/**
 * One query (a UDP datagram or a TCP frame) → its reply, or null to drop it (a response, under 12
 * octets, or over the query size limit).
 */
export function answerQuery(
  msg: Buffer,
  transport: Transport,
  snap: Snapshot | null,
  opts: SlowOptions,
): SlowReply | null {
  const parsed = parseQuery(msg);
  if (parsed.kind === 'drop') return null;
  if (parsed.kind === 'formerr')
    return { buf: headerOnly(msg, RCODE.FORMERR), rcode: RCODE.FORMERR, qtype: 0 };
  const v =
    parsed.kind === 'notimp'
      ? { res: fail(RCODE.NOTIMP), question: parsed.question, opt: parsed.opt }
      : decide(parsed.question, parsed.opt, snap);
  const qtype = v.question?.type ?? 0;
  try {
    let buf = encode(msg, v, opts, false);
    if (transport === 'udp' && buf.length > udpLimit(v.opt, opts.payloadSize))
      buf = encode(msg, v, opts, true);
    if (buf.length > MAX_MESSAGE) throw new Error(`reply of ${buf.length} octets`);
    return { buf, rcode: v.res.rcode, qtype };
  } catch {
    // A question name dns2 cannot re-encode (a label holding a '.'), or an answer past 64 KiB.
    return { buf: headerOnly(msg, RCODE.SERVFAIL), rcode: RCODE.SERVFAIL, qtype };
  }
}

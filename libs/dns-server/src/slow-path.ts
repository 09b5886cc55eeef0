/**
 * The general path, built on dns2's codec: everything the fast path declines (TCP, malformed or unusual
 * queries, EDNS versions, opcodes, ANY, truncation, names outside the table). dns2 parses and encodes;
 * the protocol decisions it leaves to handlers (AA, OPT echo, NOTIMP, BADVERS, TC) are made here.
 */
import { CLASS_IN, CLASSIC_UDP_LIMIT, MAX_MESSAGE, RCODE, TYPE } from './constants.js';
import { headerOf, optRecord, Packet } from './dns2.js';
import type { Message, Question, Resource } from './dns2.js';
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

/** The bare 12-octet header of an error reply, for input dns2 could not even start on. */
function headerOnly(msg: Uint8Array, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = 0x80 | (msg[2]! & 0x79); // QR, the opcode and RD copied
  out[3] = (msg[3]! & 0x10) | rcode;
  return out;
}

/** A UDP datagram: null means drop it (a response, or too short to reply to). */
export function answerDatagram(msg: Buffer, snap: Snapshot | null, opts: SlowOptions): SlowReply | null {
  if (msg.length < 12 || (msg[2]! & 0x80) !== 0) return null;
  let req: Message;
  try {
    req = Packet.parse(msg);
  } catch {
    return { buf: headerOnly(msg, RCODE.FORMERR), rcode: RCODE.FORMERR, qtype: 0 };
  }
  return answerMessage(req, 'udp', snap, opts);
}

interface Verdict {
  res: Resolution;
  question: Question | null;
  opt: Resource | null;
}

/** Checks the request in RFC order and decides the reply's rcode and content. */
function decide(req: Message, snap: Snapshot | null): Verdict {
  const h = headerOf(req);
  const opts = req.additionals.filter((r) => r.type === TYPE.OPT);
  const misplaced = [...req.answers, ...req.authorities].some((r) => r.type === TYPE.OPT);
  const questionOk =
    h.qdcount === 1 && req.questions.length === 1 && !req.errors.some((e) => e.section === 'questions');
  const question = questionOk ? req.questions[0]! : null;
  const opt = opts.length === 1 && !misplaced ? opts[0]! : null;
  if (h.opcode !== 0) return { res: fail(RCODE.NOTIMP), question, opt };
  if (req.errors.length > 0 || opts.length > 1 || misplaced || !question)
    return { res: fail(RCODE.FORMERR), question: null, opt: req.errors.length > 0 ? null : opt };
  if (opt && (opt.version ?? 0) > 0) return { res: fail(RCODE.BADVERS), question, opt };
  if (question.class !== CLASS_IN) return { res: fail(RCODE.REFUSED), question, opt };
  if (!snap) return { res: fail(RCODE.SERVFAIL), question, opt };
  // No zone transfers: this server is the only primary and has nothing to transfer to.
  if (question.type === TYPE.AXFR || question.type === TYPE.IXFR)
    return { res: fail(RCODE.REFUSED), question, opt };
  const qname = question.name === '' ? '.' : `${question.name.toLowerCase()}.`;
  return { res: resolve(snap.model, qname, question.type), question, opt };
}

function encode(req: Message, v: Verdict, opts: SlowOptions, truncated: boolean): Buffer {
  const h = headerOf(req);
  const reply = new Packet();
  reply.header = new Packet.Header({ id: h.id, qr: 1, opcode: h.opcode, rd: h.rd, rcode: v.res.rcode });
  const rh = headerOf(reply);
  rh.cd = h.cd ? 1 : 0;
  rh.aa = v.res.aa ? 1 : 0;
  rh.tc = truncated ? 1 : 0;
  reply.questions = v.question ? [v.question] : [];
  if (!truncated) {
    reply.answers = v.res.answer;
    reply.authorities = v.res.authority;
    reply.additionals = [...v.res.additional];
  }
  // BADVERS needs the OPT even without one to echo: its upper rcode bits travel there.
  if (v.opt) reply.additionals.push(optRecord(opts.payloadSize, v.opt.doFlag === true));
  return reply.toBuffer();
}

/** The requestor's UDP limit: 512 without EDNS (RFC 1035), else min(their size, ours), never below 512. */
function udpLimit(opt: Resource | null, ours: number): number {
  if (!opt) return CLASSIC_UDP_LIMIT;
  return Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.class, ours));
}

/** A parsed request (UDP after parsing, or from dns2's TCP server). Null means drop. */
export function answerMessage(
  req: Message,
  transport: Transport,
  snap: Snapshot | null,
  opts: SlowOptions,
): SlowReply | null {
  const h = headerOf(req);
  if (h.qr) return null;
  const v = decide(req, snap);
  const qtype = v.question?.type ?? 0;
  try {
    let buf = encode(req, v, opts, false);
    if (transport === 'udp' && buf.length > udpLimit(v.opt, opts.payloadSize))
      buf = encode(req, v, opts, true);
    if (buf.length > MAX_MESSAGE) throw new Error(`reply of ${buf.length} octets`);
    return { buf, rcode: v.res.rcode, qtype };
  } catch {
    const v2: Verdict = { res: fail(RCODE.SERVFAIL), question: null, opt: null };
    return { buf: encode(req, v2, opts, false), rcode: RCODE.SERVFAIL, qtype };
  }
}

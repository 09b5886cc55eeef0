/**
 * The general path: everything the fast path declines (TCP, malformed or unusual queries, EDNS
 * versions, opcodes, ANY, truncation, names outside the table). query-parse.ts reads the header,
 * question and OPT; the protocol decisions (AA, OPT echo, NOTIMP, BADVERS, TC, classes ANY and CH)
 * are made here; reply-writer.ts puts the reply on the wire around the question's own octets.
 */
import { CLASS_IN, CLASSIC_UDP_LIMIT, isMetaType, MAX_MESSAGE, RCODE, TYPE } from './constants.js';
import { CLASS_CH, chaosAnswer, NO_IDENTITY } from './identity.js';
import type { ServerIdentity } from './identity.js';
import { parseQuery } from './query-parse.js';
import type { QueryOpt, QueryQuestion } from './query-parse.js';
import { writePrepared, writeReply } from './reply-writer.js';
import { steeredAnswer } from './slow-steer.js';
import type { Prepared } from './slow-steer.js';
import type { ClientSource, SteerPicker } from './steer-pick.js';
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
  /** NSID and CHAOS identity answers (default: none). */
  identity?: ServerIdentity;
  /** Issue 14 part 3: read and echo EDNS Client Subnet (dns.geo.ecs; default off). */
  ecs?: boolean;
  /** Issue 14 part 3: picks steered answers (absent: every client gets the defaults). */
  steer?: SteerPicker;
  /** The resolver's address, for steering without an ECS subnet. */
  src?: ClientSource | null;
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
  /** Issue 14 part 3: a steered rule's pre-encoded answer, and the ECS scope of the reply. */
  prepared?: Prepared | null;
  scope?: number;
}

const CLASS_ANY = 255;

/** Checks a well-formed query in RFC order and decides the reply's rcode and content. */
function decide(
  question: QueryQuestion,
  opt: QueryOpt | null,
  snap: Snapshot | null,
  identity: ServerIdentity,
  msg: Buffer,
  opts: SlowOptions,
): Verdict {
  const v = (res: Resolution): Verdict => ({ res, question, opt });
  if (opt && opt.version > 0) return v(fail(RCODE.BADVERS));
  if (question.class === CLASS_CH) {
    const ch = chaosAnswer(asciiLower(question.name), question.type, identity);
    return v({ ...EMPTY, rcode: ch.rcode, answer: ch.answer });
  }
  if (question.class !== CLASS_IN && question.class !== CLASS_ANY) return v(fail(RCODE.REFUSED));
  if (!snap) return v(fail(RCODE.SERVFAIL));
  // No zone transfers: this server is the only primary and has nothing to transfer to.
  if (question.type === TYPE.AXFR || question.type === TYPE.IXFR) return v(fail(RCODE.REFUSED));
  let steered: Prepared | null = null;
  if (question.class === CLASS_IN && opts.steer && snap.table.steers.size > 0 && !isMetaType(question.type)) {
    steered = steeredAnswer(snap.table, msg, question, opt, opts.steer, opts.src ?? null);
    if (steered?.ans) return { res: EMPTY, question, opt, prepared: steered, scope: steered.scope };
  }
  const qname = question.name === '' ? '.' : `${asciiLower(question.name)}.`;
  const res = resolve(snap.model, qname, question.type);
  if (steered) return { res, question, opt, scope: steered.scope };
  // RFC 1035 §3.2.5: class ANY matches our IN data. As NSD answers it: not authoritative (the data of
  // other classes is not ours to deny), so no AA and no SOA to cache a negative answer with.
  if (question.class === CLASS_ANY) return v({ ...res, aa: false, authority: res.aa ? [] : res.authority });
  return v(res);
}

/** DNS names compare case-insensitively in ASCII only (RFC 4343): other octets stay as they are. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function encode(msg: Buffer, v: Verdict, opts: SlowOptions, truncated: boolean): Buffer {
  const nsid = (opts.identity ?? NO_IDENTITY).nsid;
  const parts = {
    question: v.question,
    opt: v.opt,
    payloadSize: opts.payloadSize,
    nsid,
    truncated,
    scope: v.scope ?? 0,
  };
  const p = v.prepared;
  return p?.ans ? writePrepared(msg, p.ans, p.pointer, parts) : writeReply(msg, v.res, parts);
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
  const parsed = parseQuery(msg, undefined, opts.ecs ?? false);
  if (parsed.kind === 'drop') return null;
  if (parsed.kind === 'formerr' || parsed.kind === 'refused') {
    const rcode = parsed.kind === 'formerr' ? RCODE.FORMERR : RCODE.REFUSED;
    return { buf: headerOnly(msg, rcode), rcode, qtype: 0 };
  }
  const v =
    parsed.kind === 'notimp'
      ? { res: fail(RCODE.NOTIMP), question: parsed.question, opt: parsed.opt }
      : decide(parsed.question, parsed.opt, snap, opts.identity ?? NO_IDENTITY, msg, opts);
  const qtype = v.question?.type ?? 0;
  try {
    let buf = encode(msg, v, opts, false);
    if (transport === 'udp' && buf.length > udpLimit(v.opt, opts.payloadSize))
      buf = encode(msg, v, opts, true);
    if (buf.length > MAX_MESSAGE) throw new Error(`reply of ${buf.length} octets`);
    return { buf, rcode: v.res.rcode, qtype };
  } catch {
    // A record the encoder cannot write (config should have caught it), or an answer past 64 KiB.
    return { buf: headerOnly(msg, RCODE.SERVFAIL), rcode: RCODE.SERVFAIL, qtype };
  }
}

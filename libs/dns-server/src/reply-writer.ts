/**
 * Assembles the slow path's replies on the wire: header, the question copied octet for octet from the
 * query (so a label holding a '.' or any octet comes back exactly as it was asked, RFC 1035 §4.1.2),
 * the sections from the body encoder the fast table uses (compressed against that question), and our
 * OPT. dns2's codec spells names as dotted strings and cannot echo such a question.
 */
import { encodeBody } from './body-encoder.js';
import { TYPE } from './constants.js';
import type { Resource } from './dns2.js';
import type { QueryOpt, QueryQuestion } from './query-parse.js';
import { writeEcs } from './ecs.js';
import type { FastAnswer } from './fast-table.js';

/** What a reply carries besides the question. */
export interface ReplyContent {
  rcode: number;
  aa: boolean;
  answer: readonly Resource[];
  authority: readonly Resource[];
  additional: readonly Resource[];
}

export interface ReplyParts {
  question: QueryQuestion | null;
  opt: QueryOpt | null;
  /** Our EDNS UDP payload size, advertised in the OPT. */
  payloadSize: number;
  /** Octets of the NSID option (RFC 5001) when the query asked for it and one is configured. */
  nsid: Buffer | null;
  /** TC=1: the sections are left out, the question and OPT stay. */
  truncated: boolean;
  /** Issue 14 part 3: the ECS SCOPE PREFIX-LENGTH echoed when the query had the option (default 0). */
  scope?: number;
}

const OPT_FIXED = 11;
const NSID_OPTION = 3;

/** Our OPT's length: fixed part, NSID when asked and configured, ECS when the query had it. */
function optLength(parts: ReplyParts, withNsid: boolean): number {
  const opt = parts.opt;
  if (!opt) return 0;
  return OPT_FIXED + (withNsid ? 4 + parts.nsid!.length : 0) + (opt.ecsAt >= 0 ? 4 + opt.ecsLen : 0);
}

/** Writes our OPT at `o` (the buffer was sized for it). */
function writeOpt(
  out: Buffer,
  msg: Buffer,
  o: number,
  rcode: number,
  parts: ReplyParts,
  withNsid: boolean,
): void {
  const opt = parts.opt!;
  out[o] = 0; // root owner
  out.writeUInt16BE(TYPE.OPT, o + 1);
  out.writeUInt16BE(parts.payloadSize, o + 3);
  out[o + 5] = (rcode >>> 4) & 0xff; // RFC 6891 §6.1.3: the upper 8 bits of the extended rcode
  out[o + 6] = 0; // version 0
  out[o + 7] = opt.doFlag ? 0x80 : 0;
  out[o + 8] = 0;
  const nsid = withNsid ? parts.nsid! : null;
  out.writeUInt16BE(optLength(parts, withNsid) - OPT_FIXED, o + 9);
  o += OPT_FIXED;
  if (nsid) {
    out.writeUInt16BE(NSID_OPTION, o);
    out.writeUInt16BE(nsid.length, o + 2);
    nsid.copy(out, o + 4);
    o += 4 + nsid.length;
  }
  // RFC 7871 §7.2.1: echo the query's ECS option; scope 0 unless the answer was steered.
  if (opt.ecsAt >= 0) writeEcs(out, o, msg, opt.ecsAt, opt.ecsLen, parts.scope ?? 0);
}

/** The reply to `msg` (a query whose header is readable) with `content`. Throws when a record cannot be encoded. */
export function writeReply(msg: Buffer, content: ReplyContent, parts: ReplyParts): Buffer {
  const q = parts.question;
  const qEnd = q ? q.end : 12;
  const sections = !parts.truncated;
  const hasRecords =
    sections && content.answer.length + content.authority.length + content.additional.length > 0;
  const body = hasRecords
    ? // A literal dot is spelled LITERAL_DOT (one octet for one), so the encoder registers the question's
      // suffixes at their real offsets, and an owner spelled the same way (a wildcard answer to this
      // name) becomes a pointer to the question.
      encodeBody(q!.name, q!.type, content.answer, content.authority, content.additional).body
    : null;
  const withNsid = parts.opt !== null && parts.opt.nsid && parts.nsid !== null;
  const optLen = optLength(parts, withNsid);
  const out = Buffer.alloc(qEnd + (body?.length ?? 0) + optLen);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  // QR, the opcode and RD copied; AA and TC as decided.
  out[2] = 0x80 | (msg[2]! & 0x79) | (content.aa ? 0x04 : 0) | (parts.truncated ? 0x02 : 0);
  out[3] = (msg[3]! & 0x10) | (content.rcode & 0x0f); // CD copied, RA/AD/Z zero
  out.writeUInt16BE(q ? 1 : 0, 4);
  out.writeUInt16BE(sections ? content.answer.length : 0, 6);
  out.writeUInt16BE(sections ? content.authority.length : 0, 8);
  out.writeUInt16BE((sections ? content.additional.length : 0) + (parts.opt ? 1 : 0), 10);
  msg.copy(out, 12, 12, qEnd);
  const o = qEnd + (body ? body.copy(out, qEnd) : 0);
  if (parts.opt) writeOpt(out, msg, o, content.rcode, parts, withNsid);
  return out;
}

/**
 * Issue 14 part 3: the reply with a pre-encoded answer (a steered rule's), as the fast path writes it:
 * the body was encoded against a question of the same length, so its pointers hold. `pointer` (≥ 0)
 * patches a shared negative answer's SOA owner, as in the fast path.
 */
export function writePrepared(msg: Buffer, ans: FastAnswer, pointer: number, parts: ReplyParts): Buffer {
  const qEnd = parts.question!.end;
  const body = parts.truncated ? null : ans.body;
  const withNsid = parts.opt !== null && parts.opt.nsid && parts.nsid !== null;
  const out = Buffer.alloc(qEnd + (body?.length ?? 0) + optLength(parts, withNsid));
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = 0x80 | (msg[2]! & 0x79) | (ans.aa ? 0x04 : 0) | (parts.truncated ? 0x02 : 0);
  out[3] = (msg[3]! & 0x10) | ans.rcode;
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(body ? ans.an : 0, 6);
  out.writeUInt16BE(body ? ans.ns : 0, 8);
  out.writeUInt16BE((body ? ans.ar : 0) + (parts.opt ? 1 : 0), 10);
  msg.copy(out, 12, 12, qEnd);
  let o = qEnd;
  if (body) {
    o += body.copy(out, qEnd);
    if (pointer >= 0) out.writeUInt16BE(0xc000 | pointer, qEnd);
  }
  if (parts.opt) writeOpt(out, msg, o, ans.rcode, parts, withNsid);
  return out;
}
